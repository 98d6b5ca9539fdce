// The freshness line that ends every service's details: "Checked: Dec 2026"
// when the organisation confirmed the facts within FRESH_DAYS, else "Not
// confirmed since <year>: phone first" (or "ask before you travel"), in every
// language, right across the clock change, within the 3-segment budget.
import { describe, expect, it } from 'vitest';
import { categoriesFor, findService, offeredServices } from '../../src/catalogue/offered.ts';
import type { Catalogue, CityId, Service } from '../../src/catalogue/types.ts';
import { Texts, serviceDetails } from '../../src/conversation/render.ts';
import { newSession, step } from '../../src/conversation/step.ts';
import type { Flow, Session } from '../../src/conversation/types.ts';
import { freshness, monthShort } from '../../src/freshness/line.ts';
import { segmentInfo } from '../../src/text/segments.ts';
import { content } from '../helpers.ts';

const { flow, catalogue } = content();
const LANGS = Object.keys(flow.languages);
const NOW = new Date('2026-12-04T10:30:00Z'); // Friday 4 Dec 2026
const plain = (s: string) => s.replace(/[\u2066-\u2069]/g, '');
const svc = (id: string, cat: Catalogue = catalogue): Service => findService(cat, id)!;
const lastLine = (details: string) => details.split('\n').at(-1)!;

function assured(date: string, ids?: string[]): Catalogue {
  const c = structuredClone(catalogue);
  for (const s of c.services) {
    if (ids && !ids.includes(s.id)) continue;
    Object.assign(s, { assured_date: date, assured_how: 'provider_sms', assurer_email: null, assured_note: 'Sam' });
  }
  return c;
}

describe('the freshness line', () => {
  it('confirmed within FRESH_DAYS: "Checked:" and the month and year, and the pages\' age no longer matters', () => {
    const cat = assured('2026-11-20', ['st-marys-surgery']);
    const text = serviceDetails(new Texts(flow, 'en'), svc('st-marys-surgery', cat), NOW, cat);
    expect(lastLine(text)).toBe('Checked: Nov 2026');
    expect(text).not.toContain('from 2016');
    expect(text).not.toContain('Not confirmed');
    // Confirmed times are shown as open now (a Friday at 10:30).
    expect(text).toContain('Open now until 18:30');
  });

  it('never confirmed: "Not confirmed since" the newest evidence, phone first when there is a phone', () => {
    const text = serviceDetails(new Texts(flow, 'en'), svc('st-marys-surgery'), NOW, catalogue);
    expect(lastLine(text)).toBe('Not confirmed since 2019: phone first');
    // The older times are still said, once, without a second piece of advice.
    expect(text).toContain('Times and address from 2016\n');
    expect(text.match(/phone first/g)).toHaveLength(1);
  });

  it('no phone: "ask before you travel"', () => {
    const text = serviceDetails(new Texts(flow, 'en'), svc('portsmouth-refugee-hub'), new Date('2026-08-17T09:00:00Z'), catalogue);
    expect(lastLine(text)).toBe('Not confirmed since 2025: ask before you travel');
  });

  it('confirmed longer ago than FRESH_DAYS: not confirmed since that year (or newer evidence)', () => {
    const cat = assured('2026-09-04', ['portsmouth-refugee-hub']);
    expect(lastLine(serviceDetails(new Texts(flow, 'en'), svc('portsmouth-refugee-hub', cat), NOW, cat))).toBe('Not confirmed since 2026: ask before you travel');
    // 2025-01-10 is older than the hub's Aug 2025 page: the page's year.
    const old = assured('2025-01-10', ['portsmouth-refugee-hub']);
    expect(lastLine(serviceDetails(new Texts(flow, 'en'), svc('portsmouth-refugee-hub', old), NOW, old))).toBe('Not confirmed since 2025: ask before you travel');
  });

  it('FRESH_DAYS is the configured number of days', () => {
    const cat = assured('2026-11-20', ['portsmouth-refugee-hub']);
    const short: Flow = { ...flow, freshDays: 7 };
    expect(lastLine(serviceDetails(new Texts(short, 'en'), svc('portsmouth-refugee-hub', cat), NOW, cat))).toMatch(/^Not confirmed since 2026/);
    expect(lastLine(serviceDetails(new Texts(flow, 'en'), svc('portsmouth-refugee-hub', cat), NOW, cat))).toBe('Checked: Nov 2026');
  });

  it('counts London days across the clock change: confirmed 30 Dec 2026 is fresh until the end of 30 Mar 2027 (BST)', () => {
    const hub = svc('portsmouth-refugee-hub', assured('2026-12-30'));
    // 23:59 BST on 30 Mar is 22:59 UTC; 00:30 BST on 31 Mar is still 30 Mar in UTC.
    expect(freshness(catalogue, hub, new Date('2027-03-30T22:59:00Z'), 90)).toEqual({ confirmed: true, date: '2026-12-30' });
    expect(freshness(catalogue, hub, new Date('2027-03-30T23:30:00Z'), 90).confirmed).toBe(false);
    // And a YES at 00:30 BST on 30 Mar is that London day's, not the UTC day's.
    const p = freshness(catalogue, { ...hub, assured_date: '2027-03-30' }, new Date('2027-03-29T23:30:00Z'), 90);
    expect(p.confirmed).toBe(true);
  });

  it('has a translated line and twelve month names in every language', () => {
    for (const lang of LANGS) {
      const t = new Texts(flow, lang);
      const months = t.t('months_short').split('|');
      expect(months, lang).toHaveLength(12);
      expect(new Set(months).size, lang).toBe(12);
      expect(t.t('fresh_checked', { month: monthShort(t, 12), year: 2026 }), lang).toContain(months[11]);
      if (lang !== 'en') {
        for (const k of ['fresh_checked', 'fresh_not_since', 'fresh_never', 'months_short']) {
          expect(t.t(k), `${lang}.${k} is translated`).not.toBe(new Texts(flow, 'en').t(k));
        }
      }
    }
  });
});

/** Steps from a copy of `session`: the replies of each text, and the session after. */
function walk(session: Session | null, texts: string[], cat: Catalogue): { session: Session; replies: string[] } {
  let s = session ? structuredClone(session) : null;
  const replies: string[] = [];
  for (const text of texts) {
    const r = step(flow, s, { text, channel: 'sms' }, { catalogue: cat, now: NOW });
    s = r.session;
    replies.push(...r.replies);
  }
  return { session: s!, replies };
}

describe('every service\'s details, in every language, end with the line and fit 3 segments a page', () => {
  const confirmed = assured('2026-11-20');
  for (const lang of LANGS) {
    it(lang, () => {
      const t = new Texts(flow, lang);
      const more = plain(t.t('more_line')).trim();
      const checked = plain(t.t('fresh_checked', { month: monthShort(t, 11), year: '2026' }));
      const notSince = plain(t.t('fresh_not_since', { year: 'YEAR', advice: 'ADVICE' })).split('YEAR')[0];
      let n = 0;
      // Never confirmed: every service here; "every reply in every language fits 3 SMS segments" (test/languages.test.ts) walks them all too.
      const cases = [
        [catalogue, notSince, ['st-marys-surgery', 'portsmouth-refugee-hub', 'portsmouth-foodbank-kings-church']],
        [confirmed, checked, null],
      ] as const;
      for (const [cat, want, only] of cases) {
        for (const city of ['southampton', 'portsmouth'] as CityId[]) {
          const start = walk({ ...newSession(flow), lang }, ['hi', city === 'southampton' ? '1' : '2', 'MENU'], cat).session;
          categoriesFor(cat, city).forEach((c, ci) => {
            const list = walk(start, [String(ci + 1)], cat).session;
            offeredServices(cat, city, c.id).forEach((s, si) => {
              if (only && !(only as readonly string[]).includes(s.id)) return;
              let r = walk(list, [String(si + 1)], cat);
              const ps = [...r.replies];
              for (let i = 0; i < 4 && more && plain(ps.at(-1) ?? '').includes(more); i++) {
                r = walk(r.session, ['MORE'], cat);
                ps.push(...r.replies);
              }
              for (const p of ps) expect(segmentInfo(p).segments, `${lang} ${s.id}: ${p}`).toBeLessThanOrEqual(3);
              expect(plain(ps.join('\n')), `${lang} ${s.id}`).toContain(want);
              n++;
            });
          });
        }
      }
      expect(n).toBeGreaterThan(30);
    });
  }
});
