import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { categoriesFor, offeredServices } from '../src/catalogue/offered.ts';
import type { Catalogue, CityId } from '../src/catalogue/types.ts';
import { FlowError, compileFlow } from '../src/conversation/load-flows.ts';
import { isolateLtr } from '../src/conversation/language.ts';
import { newSession, step } from '../src/conversation/step.ts';
import type { Session } from '../src/conversation/types.ts';
import { segmentInfo } from '../src/text/segments.ts';
import { ROOT, content } from './helpers.ts';

const NOW = new Date('2026-12-04T10:30:00Z');
const { flow, catalogue } = content();
const REQUIRED = ['en', 'ar', 'fa', 'ps', 'ckb', 'ti', 'am', 'so', 'sq', 'ur', 'zh', 'fr', 'tr', 'bn', 'pt'];

function talk(texts: string[], o: { session?: Session | null; lang?: string; catalogue?: Catalogue } = {}) {
  let session = o.session ?? (o.lang ? { ...newSession(flow), lang: o.lang } : null);
  const all: string[][] = [];
  for (const text of texts) {
    const out = step(flow, session, { text, channel: 'sms' }, { catalogue: o.catalogue ?? catalogue, now: NOW });
    session = out.session;
    all.push(out.replies);
  }
  return { session: session!, replies: all };
}

const readPack = (code: string) => JSON.parse(fs.readFileSync(path.join(ROOT, `flows/lang/${code}.json`), 'utf8'));
const main = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'flows/main.json'), 'utf8'));

describe('languages', () => {
  it('has every required language, complete, and none but English claims a review it did not have', () => {
    expect(Object.keys(flow.languages).sort()).toEqual([...REQUIRED].sort());
    for (const code of REQUIRED) {
      const pack = flow.languages[code];
      expect(Object.keys(pack.templates).sort(), code).toEqual(Object.keys(flow.languages.en.templates).sort());
      if (code !== 'en') {
        expect(pack.language.reviewed, code).toBe(false);
        expect(pack.language.translation, code).toMatch(/machine translation/);
      }
    }
  });

  it('names the language file and key of a missing string, a misspelt variable, or no keywords', () => {
    const packs = REQUIRED.filter((c) => c === 'en' || c === 'ar' || c === 'so').map((c) => ({ file: `flows/lang/${c}.json`, data: readPack(c) }));
    const ar = packs.find((p) => p.file.endsWith('ar.json'))!.data;
    delete ar.templates.help;
    ar.templates.services = ar.templates.services.replace('{city}', '{cty}');
    const so = packs.find((p) => p.file.endsWith('so.json'))!.data;
    so.keywords = {};
    let errors: string[] = [];
    try {
      compileFlow(main(), packs);
    } catch (e) {
      errors = (e as FlowError).errors;
    }
    const help = main().triggers.findIndex((t: { action: string }) => t.action === 'reply');
    expect(errors).toContain(`flows/lang/ar.json: templates.help: missing (used by flows/main.json triggers[${help}].template)`);
    expect(errors.some((e) => e.startsWith('flows/lang/ar.json: templates.services: variables {category}, {cty}, {menu} differ from English {category}, {city}, {menu}'))).toBe(true);
    expect(errors).toContain('flows/lang/so.json: keywords: required: a language with no keywords cannot be used');
  });

  it('LANG lists every language in its own script, and the choice is remembered', () => {
    const { replies, session } = talk(['hi', '1', 'LANG']);
    const menu = replies[2].join('\n');
    for (const name of ['English', 'العربية', 'فارسی', 'ትግርኛ', 'Soomaali']) expect(menu).toContain(name);
    const fa = Object.keys(flow.languages).indexOf('fa') + 1;
    const chosen = talk([String(fa), 'MENU'], { session });
    expect(chosen.session.lang).toBe('fa');
    expect(chosen.replies[1][0]).toContain(flow.languages.fa.categories!.food);
  });

  it('a first message in another language picks it (or offers the likely ones) instead of answering in English', () => {
    expect(talk(['ushqim']).session.lang).toBe('sq');
    expect(talk(['cunto']).session.lang).toBe('so');
    const arabic = talk(['طعام']);
    expect(arabic.session.lang).toBe('ar');
    expect(arabic.session.pending).toEqual({ category: 'food' });
    const hello = talk(['سلام']);
    expect(hello.session.state).toBe('choose_lang');
    expect(hello.replies[0][0]).toMatch(/العربية[\s\S]*فارسی[\s\S]*English/);
    expect(hello.replies[0][0]).not.toContain('Welcome');
  });

  it('matches keywords after normalising Arabic/Persian look-alike letters and accepts Eastern digits as menu numbers', () => {
    // Persian "غذا" typed with the Arabic yeh/kaf makes no difference; ۱ and ١ are 1.
    const base = talk(['hi', '1'], { lang: 'fa' }).session;
    const food = flow.languages.fa.keywords.food.find((w) => /[\u0600-\u06ff]/.test(w))!;
    const arabicKeyboard = food.replace(/ی/g, 'ي').replace(/ک/g, 'ك');
    expect(talk([arabicKeyboard], { session: base }).session.category).toBe('food');
    expect(talk(['MENU', '۱'], { session: base }).session.category).toBe(categoriesFor(catalogue, 'southampton')[0].id);
    expect(talk(['MENU', '١'], { session: base }).session.category).toBe(categoriesFor(catalogue, 'southampton')[0].id);
  });

  it('keeps numbers, postcodes, times and phone numbers in order inside right-to-left text', () => {
    expect(isolateLtr('هاتف: 023 8033 3778')).toBe('هاتف: \u2066023 8033 3778\u2069');
    const base = talk(['hi', '1', 'DOCTOR'], { lang: 'ar' }).session;
    const details = talk(['1', 'MORE'], { session: base }).replies.flat().join('\n');
    expect(details).toMatch(/\u2066[^\u2069]*SO14 1LT\u2069/);
    expect(details).toMatch(/\u2066023 8033 3778\u2069/);
    expect(details).toMatch(/\u2066[^\u2069]*08:30-18:30[^\u2066]*\u2069/);
  });

  it('gives the crisis numbers first for danger words in any language, even inside a Chinese sentence', () => {
    for (const [lang, text] of [['zh', '我真的很想自杀'], ['ar', 'أريد أن أموت'], ['en', 'I want to die']] as const) {
      const r = talk([text], { lang });
      expect(r.replies[0][0], `${lang}: ${text}`).toContain('999');
      expect(r.replies[0][0]).toContain('116 123');
    }
    // An English session still recognises danger written in Somali.
    expect(talk(['hi', '1', flow.languages.so.crisis_phrases.find((p) => !flow.languages.en.crisis_phrases.includes(p))!]).replies[2][0]).toContain('999');
  });

  it('shows a service in the language staff gave it, falling back to English field by field', () => {
    const cat: Catalogue = structuredClone(catalogue);
    const svc = offeredServices(cat, 'southampton', 'doctor')[0];
    svc.translations = { fa: { description: 'توضیح فارسی' } };
    const base = talk(['hi', '1', 'DOCTOR'], { lang: 'fa', catalogue: cat }).session;
    const details = talk(['1'], { session: base, catalogue: cat }).replies[0].join('\n');
    expect(details).toContain('توضیح فارسی');
    expect(details).toContain(svc.name); // no Persian name given: English
  });
});

describe('every reply in every language fits 3 SMS segments', () => {
  for (const lang of REQUIRED) {
    it(lang, () => {
      let checked = 0;
      const check = (rs: string[]) => {
        for (const r of rs) {
          checked++;
          expect(segmentInfo(r).segments, `${lang}: ${r}`).toBeLessThanOrEqual(3);
          expect(r, lang).not.toMatch(/\{[a-z_]+\}|undefined|NaN/);
        }
      };
      for (const [i, city] of (['southampton', 'portsmouth'] as CityId[]).entries()) {
        const start = talk(['hi', String(i + 1)], { lang });
        start.replies.forEach(check);
        for (const extra of ['HELP', 'LANG', 'MORE', 'REMINDERS', 'zzz', '99', '']) talk([extra, 'MORE'], { session: start.session }).replies.forEach(check);
        categoriesFor(catalogue, city).forEach((c, ci) => {
          const list = talk(['MENU', String(ci + 1), 'MORE'], { session: start.session });
          list.replies.forEach(check);
          offeredServices(catalogue, city, c.id).forEach((_, si) => {
            const d = talk(['MENU', String(ci + 1), String(si + 1), 'MORE', 'MORE', 'REMIND', 'REMIND EVENING', 'REMINDERS', 'REMIND OFF'], { session: start.session });
            d.replies.forEach(check);
          });
        });
      }
      expect(checked).toBeGreaterThan(100);
    });
  }
});
