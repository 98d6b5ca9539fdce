// What people are told about the facts: categories and access as the sources
// say, the age of old evidence, the catalogue's doubts, and what to do when a
// time is not known, in every language and within 3 SMS segments.
import { describe, expect, it } from 'vitest';
import { coverageGaps, findService, offeredServices } from '../../src/catalogue/offered.ts';
import type { Catalogue, CityId, Service } from '../../src/catalogue/types.ts';
import { Texts, serviceDetails } from '../../src/conversation/render.ts';
import { newSession, step } from '../../src/conversation/step.ts';
import type { Session } from '../../src/conversation/types.ts';
import { segmentInfo } from '../../src/text/segments.ts';
import { makeService } from '../fixtures.ts';
import { content } from '../helpers.ts';

// A Friday morning in December 2026: St Mary's 2016 hours would say "Open now".
const NOW = new Date('2026-12-04T10:30:00Z');
const { flow, catalogue } = content();
const LANGS = Object.keys(flow.languages);

const svc = (id: string): Service => {
  const s = findService(catalogue, id);
  if (!s) throw new Error(`no service ${id}`);
  return s;
};

/** The details of a service reached through the menus, every page, in a language. */
function detailsVia(lang: string, city: CityId, category: string, id: string, cat: Catalogue = catalogue): string[] {
  const cities: CityId[] = ['southampton', 'portsmouth'];
  const cats = cat.categories.filter((c) => offeredServices(cat, city, c.id).length > 0).map((c) => c.id);
  const si = offeredServices(cat, city, category).findIndex((s) => s.id === id);
  expect(si, `${id} is offered under ${category} in ${city}`).toBeGreaterThanOrEqual(0);
  let session: Session | null = { ...newSession(flow), lang };
  const pages: string[] = [];
  for (const text of ['hi', String(cities.indexOf(city) + 1), 'MENU', String(cats.indexOf(category) + 1), String(si + 1), 'MORE', 'MORE']) {
    const out = step(flow, session, { text, channel: 'sms' }, { catalogue: cat, now: NOW });
    session = out.session;
    pages.push(...out.replies);
  }
  const name = new Texts(flow, lang).field(svc(id).translations, 'name', svc(id).name);
  const first = pages.findIndex((p) => plain(p).startsWith(name));
  expect(first, `${lang}: the details of ${id}`).toBeGreaterThanOrEqual(0);
  const details = pages.slice(first, first + 3);
  for (const p of details) expect(segmentInfo(p).segments, `${lang}: ${p}`).toBeLessThanOrEqual(3);
  return details;
}

const tx = (lang: string) => new Texts(flow, lang);
/** A template as the person sees it: numbers in right-to-left text are isolated, so compare without the marks. */
const plain = (s: string) => s.replace(/[\u2066-\u2069]/g, '');

describe('categories and access follow the sources', () => {
  it('lists Migrant Help under asylum support, never under legal advice (no source says it gives legal advice)', () => {
    expect(svc('migrant-help').categories).toEqual(['asylum']);
    for (const city of ['southampton', 'portsmouth'] as const) {
      expect(offeredServices(catalogue, city, 'legal').map((s) => s.id)).not.toContain('migrant-help');
      expect(offeredServices(catalogue, city, 'asylum').map((s) => s.id)).toContain('migrant-help');
    }
  });

  it('does not call the Portsmouth Refugee Hub a drop-in, and places it at St Luke\'s per the Aug 2025 page', () => {
    const hub = svc('portsmouth-refugee-hub');
    expect(hub.categories).not.toContain('dropin');
    expect(hub.access).toBeNull();
    expect(hub.unknown.access).toMatch(/walk in/);
    expect(hub.location?.name).toMatch(/^St Luke's Church/);
    expect(hub.provenance.location?.sources).toContain('portsmouth-news-2025-08');
    expect(catalogue.sources['portsmouth-news-2025-08'].published).toBe('2025-08-14');
  });

  it('never says NHS mental health care is "through your GP": no source says so', () => {
    for (const id of ['nhs-mental-health-southampton', 'nhs-mental-health-portsmouth']) {
      const s = svc(id);
      expect(s.access).not.toContain('gp_referral');
      expect(s.access_note).not.toMatch(/GP/);
      expect(detailsVia('en', s.area as CityId, 'mind', id).join('\n')).not.toMatch(/GP/);
    }
  });

  it('keeps the gaps npm run check reports: no GP listed for Portsmouth, no women\'s group for Southampton', () => {
    expect(coverageGaps(catalogue)).toEqual([
      { category: 'doctor', city: 'portsmouth' },
      { category: 'women', city: 'southampton' },
    ]);
  });
});

describe('a reply built on a page over a year old says how old it is', () => {
  for (const lang of LANGS) {
    it(`St Mary's 2016 hours are not "Open now", and say they are from 2016: ${lang}`, () => {
      const t = tx(lang);
      const text = plain(detailsVia(lang, 'southampton', 'doctor', 'st-marys-surgery').join('\n'));
      expect(text).not.toContain(plain(t.t('open_now_until', { time: '18:30' })));
      expect(text).toContain(plain(t.t('old_times_place', { year: '2016' })));
      // What to do is said once, by the freshness line (what it is rests on 2019).
      expect(text).toContain(plain(t.t('fresh_not_since', { year: '2019', advice: t.t('advice_phone') })));
    });

    it(`All Saints' food parcels, seen only in 2019, are said to be from 2019: ${lang}`, () => {
      const t = tx(lang);
      const text = plain(detailsVia(lang, 'portsmouth', 'food', 'all-saints-dropin').join('\n'));
      const food = flow.languages[lang].categories?.food ?? 'Food';
      expect(text).toContain(plain(t.t('old_offer', { category: food, year: '2019' })));
    });
  }

  it('gives the food banks\' evidence age (an undated list citing 2020 figures) and says a voucher is needed first', () => {
    for (const id of ['portsmouth-foodbank-kings-church', 'portsmouth-foodbank-harbour-church', 'portsmouth-foodbank-haven']) {
      const text = detailsVia('en', 'portsmouth', 'food', id).join('\n');
      expect(text).toContain('Times and address from 2020');
      // No phone: what to do is said by the freshness line (the voucher rule is on a newer page).
      expect(text).toContain('Not confirmed since 2026: ask before you travel');
      expect(text).toMatch(/voucher first, from a support worker, GP or charity: do not travel without one/);
      expect(text).not.toMatch(/Open now|Opens today/);
    }
    const scm = detailsVia('en', 'southampton', 'food', 'southampton-city-mission-foodbank').join('\n');
    expect(scm).toMatch(/Not a walk-in: you need a voucher first.*Do not travel without one/s);
    expect(scm).toContain('Unsure: about 2022, a session at Central Baptist Church opened at 10am');
  });

  it('says nothing of age when a fact has an undated page among its sources, or is a 24-hour line', () => {
    const amc = detailsVia('en', 'southampton', 'food', 'amc-dropin').join('\n');
    expect(amc).toContain('take-home food bags');
    expect(amc).not.toMatch(/from \d{4}/);
    expect(detailsVia('en', 'southampton', 'crisis', 'emergency-999').join('\n')).not.toMatch(/from \d{4}/);
  });

  it('says the age for the same fact at a later date once its page turns a year old', () => {
    // The hub's newest page is of 14 Aug 2025.
    const hub = svc('portsmouth-refugee-hub');
    const t = tx('en');
    // Mondays 10 and 17 Aug 2026, 10:00 London.
    const before = serviceDetails(t, hub, new Date('2026-08-10T09:00:00Z'), catalogue);
    expect(before).not.toContain('from 2025');
    expect(before).toContain('Opens today at 10:30');
    const after = serviceDetails(t, hub, new Date('2026-08-17T09:00:00Z'), catalogue);
    // Everything it says is from 2025: one line says so, the freshness line.
    expect(after).toContain('Not confirmed since 2025: ask before you travel');
    expect(after).not.toContain('Info from 2025');
    expect(after).not.toContain('Opens today');
  });
});

describe('a doubt the catalogue holds about a place or a time reaches the person', () => {
  it('the Refugee Hub: the 2021-22 times and the 2024 page that put it at All Saints', () => {
    const text = detailsVia('en', 'portsmouth', 'food', 'portsmouth-refugee-hub').join('\n');
    expect(text).toContain('Unsure: 10:30-12:30 is from 2021-22; in Aug 2025 only "Monday mornings"');
    expect(text).toContain('Unsure: a Feb 2024 page said All Saints Church');
    // Times from pages over a year old are not "Open now" / "Opens today".
    expect(text).not.toMatch(/Open now|Opens today/);
  });

  it('All Saints: Mondays and food parcels only in 2019', () => {
    expect(detailsVia('en', 'portsmouth', 'dropin', 'all-saints-dropin').join('\n')).toMatch(/Unsure: Mondays and food parcels are in 2019 news only/);
  });

  it('in the person\'s language where staff gave one, in every language within budget', () => {
    const cat: Catalogue = structuredClone(catalogue);
    const hub = cat.services.find((s) => s.id === 'portsmouth-refugee-hub')!;
    hub.translations = { fa: { doubt_location: 'صفحه‌ای در فوریه ۲۰۲۴ آن را در کلیسای All Saints گفته بود' } };
    expect(detailsVia('fa', 'portsmouth', 'food', 'portsmouth-refugee-hub', cat).join('\n')).toContain('صفحه‌ای در فوریه');
    for (const lang of LANGS) {
      const text = plain(detailsVia(lang, 'portsmouth', 'food', 'portsmouth-refugee-hub').join('\n'));
      expect(text).toContain(plain(tx(lang).t('line_check', { text: hub.doubts!.schedules!.text })));
    }
  });
});

describe('times not known: what to do depends on the kind of service', () => {
  const place = { name: 'Hall', address: '1 Road', city: 'southampton' as const, postcode: null };
  const open = (s: Service) => serviceDetails(tx('en'), s, NOW, catalogue).split('\n').find((l) => l.startsWith('Open: '));
  it('phone first when there is a phone; ask before travelling to a place; otherwise only "not confirmed"', () => {
    const phone = [{ number: '023 8000 0000', note: null }];
    expect(open(makeService({ schedules: null, phones: phone, location: place }))).toBe('Open: times not confirmed: phone before you travel');
    expect(open(makeService({ schedules: null, location: place, access: null }))).toBe('Open: times not confirmed: ask before you travel');
    expect(open(makeService({ schedules: null, access: ['self_refer'], url: 'https://example.org' }))).toBe('Open: times not confirmed');
  });

  it('no service that is not a drop-in is told to "ask at the drop-in", and no service without a phone to phone first', () => {
    for (const lang of LANGS) {
      const t = tx(lang);
      for (const s of catalogue.services) {
        const text = plain(serviceDetails(t, s, NOW, catalogue));
        if (!s.phones) {
          expect(text, `${lang} ${s.id}`).not.toContain(plain(t.t('times_unknown')));
          expect(text, `${lang} ${s.id}`).not.toContain(plain(t.t('address_unknown')));
          expect(text, `${lang} ${s.id}`).not.toContain(plain(t.t('advice_phone')));
        }
      }
    }
    expect(flow.languages.en.templates.times_unknown_dropin).not.toMatch(/drop-in/);
  });
});

describe('the welcome does not promise free help', () => {
  // The word each language used for "free" before.
  const FREE: Record<string, RegExp> = {
    en: /\bfree\b/i, fr: /gratuit/i, pt: /gratuit/i, tr: /ücretsiz/i, sq: /falas/i, so: /bilaash/i,
    ar: /مجان/, fa: /رایگان/, ps: /وړیا/, ur: /مفت/, ckb: /بێبەرامبەر|خۆڕایی/, bn: /বিনামূল্যে/, am: /ነፃ/, ti: /ነጻ/, zh: /免费/,
  };
  it('in any language, nor does HELP', () => {
    expect(Object.keys(FREE).sort()).toEqual([...LANGS].sort());
    for (const lang of LANGS) {
      expect(flow.languages[lang].templates.welcome, lang).not.toMatch(FREE[lang]);
      expect(flow.languages[lang].templates.help, lang).not.toMatch(FREE[lang]);
    }
  });
});
