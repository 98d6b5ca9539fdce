import { describe, expect, it } from 'vitest';
import { newestEvidence, oldFacts, oldYear, sourceDate } from '../../src/catalogue/evidence.ts';
import type { Catalogue } from '../../src/catalogue/types.ts';
import { makeService } from '../fixtures.ts';

const cat = (sources: Catalogue['sources']): Catalogue => ({ version: 1, sources, organizations: [], categories: [], services: [] });
const page = (published: string | null, circa?: string) => ({ title: 't', url: null, published, ...(circa ? { circa } : {}) });
const p = (...sources: string[]) => ({ sources, checked: '2026-12-01' });

describe('how old the evidence for a fact is', () => {
  it('takes a page at the last day its date can mean', () => {
    expect(sourceDate(page('2016'))).toBe('2016-12-31');
    expect(sourceDate(page('2024-02'))).toBe('2024-02-29');
    expect(sourceDate(page('2019-12'))).toBe('2019-12-31');
    expect(sourceDate(page('2025-08-14'))).toBe('2025-08-14');
    expect(sourceDate(page(null, '2020'))).toBe('2020-12-31');
    expect(sourceDate(page(null))).toBeNull();
  });

  it('knows no age for a fact with an undated page among its sources: that page may be new', () => {
    const c = cat({ old: page('2016'), undated: page(null), newer: page('2019') });
    expect(newestEvidence(c, p('old', 'newer'))).toBe('2019-12-31');
    expect(newestEvidence(c, p('old', 'undated'))).toBeNull();
  });

  it('calls a fact old only once its newest page is more than a year old', () => {
    const c = cat({ aug: page('2025-08-14') });
    expect(oldYear(c, p('aug'), new Date('2026-08-14T12:00:00Z'))).toBeNull();
    expect(oldYear(c, p('aug'), new Date('2026-08-16T12:00:00Z'))).toBe('2025');
  });

  it('reports old times, place, what it is and per-category claims; never for a 24-hour line', () => {
    const c = cat({ y2016: page('2016'), y2019: page('2019'), fresh: page('2026-11') });
    const now = new Date('2026-12-04T10:30:00Z');
    const service = makeService({
      categories: ['dropin', 'food'],
      location: { name: 'Hall', address: '1 Road', city: 'southampton', postcode: null },
      schedules: [{ freq: 'WEEKLY', byday: ['MO'], opens_at: '10:00', closes_at: '12:00', note: null }],
      provenance: { description: p('fresh'), schedules: p('y2016'), location: p('fresh', 'y2016'), categories: { food: p('y2019') } },
    });
    expect(oldFacts(c, service, now)).toEqual({ info: null, times: '2016', place: null, offers: [{ category: 'food', year: '2019' }] });
    expect(oldFacts(c, { ...service, always_open: true }, now)).toEqual({ info: null, times: null, place: null, offers: [] });
  });
});
