// Reading HSDS 3.0 into Waymark drafts: Waymark's own export comes back as
// the same service, and another directory's feed is mapped as far as it
// can be, with what was not kept said per service.
import { describe, expect, it } from 'vitest';
import type { Catalogue, Service } from '../../src/catalogue/types.ts';
import { hsdsId } from '../../src/openreferral/ids.ts';
import { importHsds, type ImportContext } from '../../src/openreferral/import.ts';
import { serviceRecord } from '../../src/openreferral/map.ts';
import { content } from '../helpers.ts';
import { schemaErrors } from './hsds-schemas.ts';
import { publishedPart } from './published-part.ts';

function ctx(catalogue: Catalogue, today: string): ImportContext {
  return { catalogue, today, sourceId: 'hsds-import-test', label: 'feed.json' };
}

const catalogue = content().catalogue;

/** A service with every kind of fact the feed publishes: times, a closure to come, other hours on a date. */
function richService(): Service {
  const base = catalogue.services.find((s) => s.location?.postcode && s.categories.length > 1)!;
  return {
    ...structuredClone(base),
    url: base.url ?? 'https://example.org/service',
    phones: base.phones ?? [{ number: '023 8000 0000', note: 'Fridays only' }, { number: '07700 900000', note: null }],
    eligibility: base.eligibility ?? 'Adults',
    access_note: base.access_note ?? 'Walk in.',
    schedules: [
      { freq: 'WEEKLY', byday: ['MO', 'TH'], opens_at: '09:30', closes_at: '12:00', note: 'Arrive early' },
      { freq: 'WEEKLY', byday: ['FR'], opens_at: null, closes_at: null, note: null },
    ],
    holiday_schedules: [
      { closed: true, start_date: '2026-12-24', end_date: '2027-01-01', opens_at: null, closes_at: null, note: 'Christmas' },
      { closed: false, start_date: '2027-01-02', end_date: '2027-01-02', opens_at: '10:00', closes_at: '11:00', note: 'Short day' },
    ],
  };
}

describe('round trip: export a service as HSDS, import it as a draft', () => {
  for (const [season, today] of [
    ['in winter (GMT)', '2026-12-04'],
    ['in summer (BST)', '2026-06-05'],
  ] as const) {
    it(`gives back a draft equal to the original ${season}`, () => {
      const original = richService();
      const c = { ...catalogue, services: catalogue.services.map((s) => (s.id === original.id ? original : s)) };
      const hsds = serviceRecord(original, { catalogue: c }, today);
      expect(schemaErrors('service', hsds)).toEqual([]);
      const { drafts, report, organizations } = importHsds(hsds, ctx(c, today));
      expect(organizations).toEqual([]);
      expect(drafts).toHaveLength(1);
      expect(drafts[0].draft).toBe(true);
      expect(publishedPart(drafts[0])).toEqual(publishedPart(original));
      expect(report[0].notMapped).toEqual([`the same record as the published service "${original.id}": imported as a separate draft`]);
      expect(drafts[0].id).not.toBe(original.id);
    });
  }

  it('gives back a closed and a temporarily closed service with their status', () => {
    const today = '2026-12-04';
    for (const status of ['closed', 'temporarily_closed'] as const) {
      const original = { ...richService(), status, holiday_schedules: [] };
      const { drafts } = importHsds(serviceRecord(original, { catalogue }, today), ctx(catalogue, today));
      expect(publishedPart(drafts[0]), status).toEqual(publishedPart(original));
    }
  });

  it('gives back every service of the catalogue that has a postcode or no place', () => {
    const today = '2026-12-04';
    for (const original of catalogue.services.filter((s) => !s.location || s.location.postcode)) {
      const { drafts } = importHsds(serviceRecord(original, { catalogue }, today), ctx(catalogue, today));
      expect(publishedPart(drafts[0]), original.id).toEqual(publishedPart(original));
    }
  });

  it('names the import as the source of every fact and says why the rest is unknown', () => {
    const original = richService();
    const { drafts } = importHsds(serviceRecord(original, { catalogue }, '2026-12-04'), ctx(catalogue, '2026-12-04'));
    const d = drafts[0];
    expect(d.provenance.description).toEqual({ sources: ['hsds-import-test'], checked: '2026-12-04' });
    expect(d.provenance.schedules).toEqual({ sources: ['hsds-import-test'], checked: '2026-12-04' });
    expect(d.access).toBeNull();
    expect(d.unknown.access).toMatch(/HSDS has no access method/);
  });
});

describe("another directory's feed", () => {
  const today = '2026-12-04';
  const council = {
    id: '0b0c7c59-51f7-4a0e-a0c5-6b8b3a2b5f11',
    name: 'Portsmouth Welcome Café',
    description: 'A warm space with tea and advice.',
    status: 'active',
    email: 'cafe@example.org',
    url: 'https://welcome.example.org',
    organization: { id: 'a5e0f8a2-7f1e-4e6b-9a39-8b6d7c4e2f10', name: 'Welcome Trust Portsmouth', description: 'A charity', website: 'https://welcome.example.org' },
    phones: [{ id: 'c1f6d3a0-0000-4000-8000-000000000001', number: '(023) 9200-0000' }],
    service_at_locations: [
      {
        id: 'c1f6d3a0-0000-4000-8000-000000000002',
        location: {
          id: 'c1f6d3a0-0000-4000-8000-000000000003',
          location_type: 'physical',
          name: 'Town Hall',
          addresses: [{ id: 'c1f6d3a0-0000-4000-8000-000000000004', address_1: 'Guildhall Square', city: 'Portsmouth', state_province: 'Hampshire', postal_code: 'po12ab', country: 'GB', address_type: 'physical' }],
        },
      },
      { id: 'c1f6d3a0-0000-4000-8000-000000000005', location: { id: 'c1f6d3a0-0000-4000-8000-000000000006', location_type: 'physical', name: 'Library' } },
    ],
    schedules: [
      { id: 'c1f6d3a0-0000-4000-8000-000000000007', freq: 'WEEKLY', byday: 'TU', opens_at: '10:00', closes_at: '12:00' },
      { id: 'c1f6d3a0-0000-4000-8000-000000000008', freq: 'MONTHLY', byday: '1WE', opens_at: '14:00', closes_at: '16:00' },
      { id: 'c1f6d3a0-0000-4000-8000-000000000009', freq: 'WEEKLY', byday: 'SA', opens_at: '09:00Z', closes_at: '11:00Z' },
    ],
    attributes: [{ id: 'c1f6d3a0-0000-4000-8000-00000000000a', taxonomy_term: { id: 'c1f6d3a0-0000-4000-8000-00000000000b', name: 'Food', description: 'Food' } }],
    alert: 'Please bring ID',
  };

  it('is valid HSDS (so the test reads a feed a council could publish)', () => {
    expect(schemaErrors('service', council)).toEqual([]);
  });

  it('maps what it can and reports, per service, what it could not', () => {
    const { drafts, organizations, report } = importHsds({ total_items: 1, contents: [council] }, ctx(catalogue, today));
    expect(organizations).toEqual([{ id: 'welcome-trust-portsmouth', name: 'Welcome Trust Portsmouth', url: 'https://welcome.example.org' }]);
    const d = drafts[0];
    expect(d).toMatchObject({
      id: 'portsmouth-welcome-cafe',
      organization_id: 'welcome-trust-portsmouth',
      area: 'portsmouth',
      categories: ['food'],
      status: 'active',
      location: { name: 'Town Hall', address: 'Guildhall Square', city: 'portsmouth', postcode: 'PO1 2AB' },
      phones: [{ number: '023 9200 0000', note: null }],
      schedules: [
        { freq: 'WEEKLY', byday: ['TU'], opens_at: '10:00', closes_at: '12:00', note: null },
        { freq: 'WEEKLY', byday: ['SA'], opens_at: '09:00', closes_at: '11:00', note: null },
      ],
      holiday_schedules: [],
    });
    expect(report).toEqual([
      {
        name: 'Portsmouth Welcome Café',
        draftId: 'portsmouth-welcome-cafe',
        notMapped: [
          'schedule 1 (TU): times without a time zone, read as London time',
          'schedule 2 (1WE): MONTHLY schedules cannot be kept: Waymark keeps weekly ones',
          'schedule 3 (SA): times with a fixed offset and no dates, read as London time on 2026-12-04 (09:00–11:00) all year',
          'alert "Please bring ID": not a closure Waymark can read (Closed from YYYY-MM-DD to YYYY-MM-DD)',
          '2 locations: Waymark keeps one, the first',
          'email: not kept by Waymark',
        ],
      },
    ]);
  });

  it('reads a UTC time as the London time it is on the day (10:00Z is 11:00 in summer)', () => {
    const svc = { ...council, schedules: [{ id: council.schedules[2].id, freq: 'WEEKLY', byday: 'SA', opens_at: '10:00Z', closes_at: '11:00Z' }] };
    const { drafts } = importHsds(svc, ctx(catalogue, '2027-06-05'));
    expect(drafts[0].schedules).toEqual([{ freq: 'WEEKLY', byday: ['SA'], opens_at: '11:00', closes_at: '12:00', note: null }]);
  });

  it('leaves out a service it cannot hold, and says why', () => {
    const { drafts, report } = importHsds([{ id: council.id, name: 'No words', status: 'active' }, { ...council, organization: undefined, organization_id: undefined }], ctx(catalogue, today));
    expect(drafts).toEqual([]);
    expect(report.map((r) => r.notMapped[0])).toEqual(['not imported: Waymark needs a description', 'not imported: no organization with a name']);
  });

  it('maps defunct services as closed and refuses a file that is not HSDS', () => {
    const { drafts } = importHsds([{ ...council, status: 'defunct' }], ctx(catalogue, today));
    expect(drafts[0].status).toBe('closed');
    expect(() => importHsds({ hello: 'world' }, ctx(catalogue, today))).toThrow(/expected an HSDS service/);
  });

  it('recognises its own organizations by id', () => {
    const org = catalogue.organizations[0];
    const { drafts, organizations } = importHsds({ ...council, organization: { id: hsdsId.organization(org.id), name: 'renamed', description: 'x' } }, ctx(catalogue, today));
    expect(organizations).toEqual([]);
    expect(drafts[0].organization_id).toBe(org.id);
  });
});
