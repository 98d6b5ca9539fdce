import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCatalogue, FACT_FIELDS } from '../../src/catalogue/schema.ts';
import { CatalogueError, loadCatalogue, parseCatalogue } from '../../src/catalogue/load.ts';
import { categoriesFor, coverageGaps, findService, offeredServices } from '../../src/catalogue/offered.ts';
import { CITY_IDS, type Catalogue, type CityId, type Service } from '../../src/catalogue/types.ts';

const FILE = 'data/services.json';
const TEXT = readFileSync(new URL('../../data/services.json', import.meta.url), 'utf8');
const CITIES: readonly CityId[] = CITY_IDS;

/** A fresh deep copy of the real catalogue, typed loosely so tests can break it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function copy(): any {
  return JSON.parse(TEXT);
}
const real = copy() as Catalogue;
const BASELINE = validateCatalogue(copy(), FILE);

/** Errors the mutation adds over the untouched file. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function newErrors(mutate: (d: any) => void): string[] {
  const d = copy();
  mutate(d);
  return validateCatalogue(d, FILE).filter((e) => !BASELINE.includes(e));
}
const idx = (id: string) => real.services.findIndex((s) => s.id === id);

describe('data/services.json', () => {
  it('validates with no errors', () => {
    expect(BASELINE).toEqual([]);
  });

  it('loads through loadCatalogue', () => {
    const cat = loadCatalogue(new URL('../../data/services.json', import.meta.url).pathname);
    expect(cat.services.length).toBeGreaterThan(0);
  });
});

describe('validateCatalogue reports file, path and field', () => {
  it('opens_at "10am"', () => {
    const i = idx('amc-dropin');
    const errs = newErrors((d) => (d.services[i].schedules[0].opens_at = '10am'));
    expect(errs).toContain(`${FILE}: services[${i}].schedules[0].opens_at: expected "HH:MM", got "10am" [service "amc-dropin"]`);
  });

  it('time out of range', () => {
    const i = idx('st-marys-surgery');
    const errs = newErrors((d) => (d.services[i].schedules[0].closes_at = '24:00'));
    expect(errs).toContain(`${FILE}: services[${i}].schedules[0].closes_at: expected "HH:MM", got "24:00" [service "st-marys-surgery"]`);
  });

  it('missing name', () => {
    const errs = newErrors((d) => delete d.services[2].name);
    expect(errs).toContain(`${FILE}: services[2].name: required [service "${real.services[2]!.id}"]`);
  });

  it('unknown category', () => {
    const i = idx('amc-dropin');
    const n = real.services[i]!.categories.length;
    const errs = newErrors((d) => d.services[i].categories.push('housing'));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(
      new RegExp(`^data/services\\.json: services\\[${i}\\]\\.categories\\[${n}\\]: expected a category id \\(.*\\), got "housing" \\[service "amc-dropin"\\]$`),
    );
  });

  it('a null phone without an unknown note', () => {
    const i = idx('st-marys-surgery');
    const errs = newErrors((d) => {
      d.services[i].phones = null;
      delete d.services[i].provenance.phones;
    });
    expect(errs).toEqual([
      `${FILE}: services[${i}].unknown.phones: required because phones is null: say why it is unknown [service "st-marys-surgery"]`,
    ]);
  });

  it('a known fact without provenance', () => {
    const i = idx('st-marys-surgery');
    const errs = newErrors((d) => delete d.services[i].provenance.location);
    expect(errs).toEqual([
      `${FILE}: services[${i}].provenance.location: required because location is known: name its sources [service "st-marys-surgery"]`,
    ]);
  });

  it('a provenance source that does not exist', () => {
    const i = idx('st-marys-surgery');
    const errs = newErrors((d) => (d.services[i].provenance.url.sources = ['nowhere']));
    expect(errs).toEqual([
      `${FILE}: services[${i}].provenance.url.sources[0]: expected a source id from sources, got "nowhere" [service "st-marys-surgery"]`,
    ]);
  });

  it('a circa year on a page that has its own date', () => {
    const errs = newErrors((d) => (d.sources['cqc-stmarys-2016'].circa = '2015'));
    expect(errs).toEqual([`${FILE}: sources.cqc-stmarys-2016.circa: unexpected when the page has its own date (published "2016"): give one or the other`]);
  });

  it('sources for a category the service is not in', () => {
    const i = idx('st-marys-surgery');
    const errs = newErrors((d) => (d.services[i].provenance.categories = { food: { sources: ['seed'], checked: '2026-12-01' } }));
    expect(errs).toEqual([`${FILE}: services[${i}].provenance.categories.food: expected one of the service's categories (doctor), got "food" [service "st-marys-surgery"]`]);
  });

  it('a doubt without a text, or naming a source that does not exist', () => {
    const i = idx('st-marys-surgery');
    const errs = newErrors((d) => (d.services[i].doubts = { location: { text: '', sources: ['nowhere'], checked: '2026-12-01' } }));
    expect(errs).toContain(`${FILE}: services[${i}].doubts.location.text: expected a few words for the person, got "" [service "st-marys-surgery"]`);
    expect(errs).toContain(`${FILE}: services[${i}].doubts.location.sources[0]: expected a source id from sources, got "nowhere" [service "st-marys-surgery"]`);
  });

  it('a typo field "opens"', () => {
    const i = idx('st-marys-surgery');
    const errs = newErrors((d) => {
      const s = d.services[i].schedules[0];
      s.opens = s.opens_at;
      delete s.opens_at;
    });
    expect(errs).toContain(
      `${FILE}: services[${i}].schedules[0]: unexpected field "opens" (did you mean "opens_at"?) [service "st-marys-surgery"]`,
    );
    expect(errs).toContain(`${FILE}: services[${i}].schedules[0].opens_at: required [service "st-marys-surgery"]`);
  });

  it('invalid JSON', () => {
    let err: unknown;
    try {
      parseCatalogue(TEXT.slice(0, 200), FILE);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CatalogueError);
    const errors = (err as CatalogueError).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^data\/services\.json: not valid JSON: \S/);
  });

  it('closes before opens', () => {
    const i = idx('st-marys-surgery');
    const errs = newErrors((d) => (d.services[i].schedules[0].closes_at = '08:00'));
    expect(errs).toEqual([
      `${FILE}: services[${i}].schedules[0].closes_at: expected a time after opens_at "08:30", got "08:00" [service "st-marys-surgery"]`,
    ]);
  });

  it('duplicate id', () => {
    const errs = newErrors((d) => (d.services[1].id = d.services[0].id));
    expect(errs).toContain(`${FILE}: services[1].id: expected a unique id, got "${real.services[0]!.id}" (also services[0]) [service "${real.services[0]!.id}"]`);
  });

  it('holiday end before start, and an impossible date', () => {
    const i = idx('amc-dropin');
    const errs = newErrors((d) =>
      d.services[i].holiday_schedules.push(
        { closed: true, start_date: '2026-12-26', end_date: '2026-12-24', opens_at: null, closes_at: null, note: null },
        { closed: true, start_date: '2026-02-30', end_date: '2026-03-01', opens_at: null, closes_at: null, note: null },
      ),
    );
    expect(errs).toEqual([
      `${FILE}: services[${i}].holiday_schedules[1].start_date: expected a real date "YYYY-MM-DD", got "2026-02-30" [service "amc-dropin"]`,
      `${FILE}: services[${i}].holiday_schedules[0].end_date: expected a date on or after start_date "2026-12-26", got "2026-12-24" [service "amc-dropin"]`,
    ]);
  });

  it('a wrong type truncates the value it got to 40 characters', () => {
    const errs = newErrors((d) => (d.services[0].always_open = 'x'.repeat(100)));
    expect(errs).toHaveLength(1);
    const got = errs[0]!.match(/got (.*) \[service/)![1]!;
    expect(got.length).toBeLessThanOrEqual(40);
    expect(errs[0]).toMatch(/^data\/services\.json: services\[0\]\.always_open: expected boolean, got "x+\.\.\. \[service/);
  });

  it('reports every error, not just the first', () => {
    const errs = newErrors((d) => {
      d.services[0].schedules[0].opens_at = '10am';
      delete d.services[2].name;
      d.services[3].status = 'open';
    });
    expect(errs).toHaveLength(3);
  });

  it('loadCatalogue throws CatalogueError with every error, message joined by newlines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-cat-'));
    const path = join(dir, 'services.json');
    const d = copy();
    d.services[0].schedules[0].opens_at = '10am';
    delete d.services[2].name;
    writeFileSync(path, JSON.stringify(d));
    let err: unknown;
    try {
      loadCatalogue(path, FILE);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CatalogueError);
    const ce = err as CatalogueError;
    expect(ce.errors.length).toBeGreaterThanOrEqual(2);
    expect(ce.message).toBe(ce.errors.join('\n'));
  });
});

describe('what the bot offers', () => {
  const allOffered = (): Service[] =>
    CITIES.flatMap((city) => real.categories.flatMap((c) => offeredServices(real, city, c.id)));

  it('never offers City of Sanctuary Southampton (closed)', () => {
    expect(findService(real, 'city-of-sanctuary-southampton')?.status).toBe('closed');
    expect(allOffered().map((s) => s.id)).not.toContain('city-of-sanctuary-southampton');
  });

  it('never offers the professionals-only service', () => {
    const pros = real.services.filter((s) => s.audience === 'professionals');
    expect(pros.map((s) => s.id)).toContain('pcc-cultural-awareness-training');
    const offered = new Set(allOffered().map((s) => s.id));
    for (const s of pros) expect(offered.has(s.id)).toBe(false);
  });

  it('offers city services first, then national, in file order', () => {
    const list = offeredServices(real, 'portsmouth', 'mind');
    const areas = list.map((s) => s.area);
    expect(areas.indexOf('national')).toBeGreaterThan(0);
    expect(areas.slice(areas.indexOf('national')).every((a) => a === 'national')).toBe(true);
    const pos = list.map((s) => real.services.indexOf(s));
    const local = pos.slice(0, areas.indexOf('national'));
    expect([...local].sort((a, b) => a - b)).toEqual(local);
    expect(list.some((s) => s.area === 'southampton')).toBe(false);
  });

  it('offers every category somewhere, and hides a category from a city that has none', () => {
    for (const c of real.categories) {
      expect(CITIES.some((city) => offeredServices(real, city, c.id).length > 0), c.id).toBe(true);
    }
    // The sources name no GP practice in Portsmouth and no women's group in
    // Southampton: those menus leave the category out rather than invent one.
    expect(coverageGaps(real)).toEqual([
      { category: 'doctor', city: 'portsmouth' },
      { category: 'women', city: 'southampton' },
    ]);
    expect(categoriesFor(real, 'portsmouth').map((c) => c.id)).not.toContain('doctor');
    expect(categoriesFor(real, 'southampton').map((c) => c.id)).toContain('doctor');
  });

  it('offers no service without a source for each known fact', () => {
    for (const s of allOffered()) {
      for (const f of FACT_FIELDS) {
        if (s[f] === null) {
          expect(s.unknown[f], `${s.id}.unknown.${f}`).toBeTruthy();
          continue;
        }
        const p = s.provenance[f];
        expect(p, `${s.id}.provenance.${f}`).toBeDefined();
        expect(p!.sources.length, `${s.id}.provenance.${f}.sources`).toBeGreaterThan(0);
        for (const id of p!.sources) expect(real.sources[id], `${s.id}.provenance.${f}: source ${id}`).toBeDefined();
      }
    }
  });
});
