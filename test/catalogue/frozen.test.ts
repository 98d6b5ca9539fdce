// The live catalogue is frozen, and what is derived from it (offered
// services, categories, a service's details for the minute) is kept with it.
// Kept answers must be exactly the answers computed afresh, at every minute.
import { describe, expect, it } from 'vitest';
import { frozen, isFrozenCatalogue } from '../../src/catalogue/freeze.ts';
import { categoriesFor, findService, offeredServices } from '../../src/catalogue/offered.ts';
import type { Catalogue, CityId } from '../../src/catalogue/types.ts';
import { step } from '../../src/conversation/step.ts';
import type { Session } from '../../src/conversation/types.ts';
import { content } from '../helpers.ts';

const { flow, catalogue } = content();
const fresh = (): Catalogue => structuredClone(catalogue);

function conversation(cat: Catalogue, now: Date, texts: string[], lang = 'en'): string[] {
  let session: Session | null = null;
  const out: string[] = [];
  for (const text of texts) {
    const r = step(flow, session, { text, channel: 'sms' }, { catalogue: cat, now });
    if (session === null && lang !== 'en') r.session.lang = lang;
    session = r.session;
    out.push(r.replies.join('\n---\n'));
  }
  return out;
}

describe('the frozen (live) catalogue and what is kept with it', () => {
  it('cannot be changed in place; a copy of it can', () => {
    const live = frozen(fresh());
    expect(isFrozenCatalogue(live)).toBe(true);
    expect(() => {
      (live.services as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (live.services[0] as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    const copy = structuredClone(live);
    copy.services[0].name = 'changed';
    expect(copy.services[0].name).toBe('changed');
    expect(isFrozenCatalogue(copy)).toBe(false);
  });

  it('keeps offered services and categories (the same answer, computed once)', () => {
    const live = frozen(fresh());
    const plain = fresh();
    for (const city of ['southampton', 'portsmouth'] as CityId[]) {
      expect(categoriesFor(live, city)).toBe(categoriesFor(live, city));
      expect(categoriesFor(live, city).map((c) => c.id)).toEqual(categoriesFor(plain, city).map((c) => c.id));
      for (const c of plain.categories) {
        expect(offeredServices(live, city, c.id).map((s) => s.id)).toEqual(offeredServices(plain, city, c.id).map((s) => s.id));
      }
    }
    for (const s of plain.services) expect(findService(live, s.id)?.id).toBe(s.id);
    expect(findService(live, 'no-such-service')).toBeUndefined();
  });

  it('answers every list and every service exactly as a fresh catalogue does, minute by minute, in two languages', () => {
    const live = frozen(fresh());
    const plain = fresh();
    // Wednesday and Saturday, every 13 minutes from 07:00 to 21:00, and back
    // again (the kept minute changes each time): openings and closings fall
    // between samples of one hour, so details kept too long would show.
    const times: Date[] = [];
    for (const day of ['2026-12-02', '2026-12-05']) {
      for (let m = 7 * 60; m <= 21 * 60; m += 13) times.push(new Date(`${day}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00Z`));
    }
    times.push(...times.slice(0, 20).reverse());
    const keywords: Record<string, string> = { food: 'FOOD', gp: 'DOCTOR', legal: 'LEGAL', english: 'ENGLISH', dropin: 'DROPIN', mind: 'MIND' };
    const cities: Array<[string, CityId]> = [['1', 'southampton'], ['2', 'portsmouth']];
    let compared = 0;
    const detailsSeen = new Map<string, Set<string>>();
    for (const now of times) {
      for (const [reply, city] of cities) {
        for (const [category, kw] of Object.entries(keywords)) {
          const n = offeredServices(plain, city, category).length;
          for (let pick = 1; pick <= Math.min(n, 9); pick++) {
            const texts = ['hi', reply, kw, String(pick)];
            const got = conversation(live, now, texts);
            expect(got).toEqual(conversation(plain, now, texts));
            const seen = detailsSeen.get(texts.join(' ')) ?? new Set();
            detailsSeen.set(texts.join(' '), seen.add(got[3]));
            compared++;
          }
        }
      }
      // The same service's details in another language at the same minute are its own.
      expect(conversation(live, now, ['hi', '2', 'MIND', '1'], 'fr')).toEqual(conversation(plain, now, ['hi', '2', 'MIND', '1'], 'fr'));
    }
    expect(compared).toBeGreaterThan(2_000);
    // Not a comparison of texts that never change: some services' details change with the time.
    expect([...detailsSeen.values()].filter((v) => v.size > 1).length).toBeGreaterThan(0);
  });

  it('details are kept for one minute only: a closing at 12:43 shows at 12:43, not an hour later', () => {
    const plain = fresh();
    const hub = plain.services.findIndex((s) => s.id === 'portsmouth-mental-health-hub');
    expect(hub).toBeGreaterThanOrEqual(0);
    plain.services[hub] = { ...plain.services[hub], schedules: [{ ...plain.services[hub].schedules![0], opens_at: '10:17', closes_at: '12:43' }] };
    const live = frozen(structuredClone(plain));
    const at = (hhmm: string) => new Date(`2026-12-02T${hhmm}:00Z`); // a Wednesday, GMT
    const details = (cat: Catalogue, hhmm: string) => conversation(cat, at(hhmm), ['hi', '2', 'MIND', '1'])[3];
    const seen = new Set<string>();
    for (const hhmm of ['10:16', '10:17', '12:42', '12:43', '12:44']) {
      expect(details(live, hhmm)).toBe(details(plain, hhmm));
      seen.add(details(live, hhmm));
    }
    expect(seen.size).toBeGreaterThan(2);
  });

  it('a change makes a new catalogue: what was kept for the old one is not used', () => {
    const before = frozen(fresh());
    const now = new Date('2026-12-02T11:00:00Z');
    const first = conversation(before, now, ['hi', '1', 'FOOD', '1']);
    const next = fresh();
    const id = offeredServices(before, 'southampton', 'food')[0].id;
    const i = next.services.findIndex((s) => s.id === id);
    next.services[i] = { ...next.services[i], name: 'Renamed food bank' };
    const after = frozen(next);
    const second = conversation(after, now, ['hi', '1', 'FOOD', '1']);
    expect(first[3]).not.toContain('Renamed food bank');
    expect(second[3]).toContain('Renamed food bank');
    expect(second[2]).toContain('Renamed food bank');
  });
});
