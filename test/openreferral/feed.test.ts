// The Open Referral feed as a council's harvester sees it: every response
// checked against the official HSDS 3.0 schemas; ids that never change;
// statuses, schedules and closures as the specification describes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Catalogue, Service } from '../../src/catalogue/types.ts';
import { hsdsId, uuidV5 } from '../../src/openreferral/ids.ts';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { content, makeApp, signed } from '../helpers.ts';
import { schemaErrors, type Shape } from './hsds-schemas.ts';

const WINTER = () => new Date('2026-12-04T10:30:00Z');
const SUMMER = () => new Date('2027-06-04T10:30:00Z');

type Body = Record<string, any>;

async function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, headers });
  return { res, body: res.body ? (JSON.parse(res.body) as Body) : undefined };
}

async function valid(app: FastifyInstance, url: string, shape: Shape, asPage = false): Promise<Body> {
  const { res, body } = await get(app, url);
  expect(res.statusCode, url).toBe(200);
  expect(schemaErrors(shape, body, asPage), url).toEqual([]);
  return body!;
}

/** Every path in `v` whose value is null. */
function nulls(v: unknown, at = ''): string[] {
  if (v === null) return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => nulls(x, `${at}/${i}`));
  if (typeof v === 'object') return Object.entries(v as object).flatMap(([k, x]) => nulls(x, `${at}/${k}`));
  return [];
}

function withServices(extra: (c: Catalogue) => void): Catalogue {
  const c = structuredClone(content().catalogue);
  extra(c);
  return c;
}

function svc(c: Catalogue, id: string): Service {
  const s = c.services.find((x) => x.id === id);
  if (!s) throw new Error(`no service ${id}`);
  return s;
}

const ALL_SERVICES = content().catalogue.services;
const TIMED = ALL_SERVICES.find((s) => s.schedules?.some((r) => r.opens_at !== null) && s.location?.postcode)!;
const NO_POSTCODE = ALL_SERVICES.find((s) => s.location && s.location.postcode === null)!;

describe('Open Referral feed against the HSDS 3.0 schemas', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await makeApp({ now: WINTER }));
  }, 60_000);
  afterAll(() => app.close());

  it('says which HSDS version it follows', async () => {
    const { res, body } = await get(app, '/openreferral');
    expect(res.statusCode).toBe(200);
    expect(body).toEqual({
      version: '3.0',
      profile: 'https://github.com/openreferral/specification/tree/v3.0',
      openapi_url: 'https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json',
    });
  });

  it('publishes every service as a valid fully nested service, with no null anywhere', async () => {
    for (const s of ALL_SERVICES) {
      const body = await valid(app, `/openreferral/services/${hsdsId.service(s.id)}`, 'service');
      expect(body.name).toBe(s.name);
      expect(nulls(body)).toEqual([]);
    }
  }, 60_000);

  it('lists services in valid pages of the service_list shape', async () => {
    const body = await valid(app, '/openreferral/services', 'service_list', true);
    expect(body.total_items).toBe(ALL_SERVICES.length);
    expect(body.contents.map((x: Body) => x.name).sort()).toEqual(ALL_SERVICES.map((s) => s.name).sort());
    expect(nulls(body)).toEqual([]);
  }, 60_000);

  it('publishes organizations, taxonomies, terms and service_at_locations in their shapes', async () => {
    const orgs = await valid(app, '/openreferral/organizations', 'organization_list', true);
    expect(orgs.total_items).toBe(content().catalogue.organizations.length);
    for (const o of orgs.contents as Body[]) {
      const full = await valid(app, `/openreferral/organizations/${o.id}`, 'organization');
      expect(full.services.length).toBeGreaterThan(0);
    }
    const taxonomies = await valid(app, '/openreferral/taxonomies', 'taxonomy', true);
    expect(taxonomies.contents).toHaveLength(1);
    await valid(app, `/openreferral/taxonomies/${taxonomies.contents[0].id}`, 'taxonomy');
    const terms = await valid(app, '/openreferral/taxonomy_terms', 'taxonomy_term', true);
    expect(terms.contents.map((t: Body) => t.name)).toEqual(content().catalogue.categories.map((c) => c.name));
    for (const t of terms.contents as Body[]) await valid(app, `/openreferral/taxonomy_terms/${t.id}`, 'taxonomy_term');
    const sals = await valid(app, '/openreferral/service_at_locations', 'service_at_location_list', true);
    expect(sals.total_items).toBe(ALL_SERVICES.filter((s) => s.location).length);
    for (const sal of sals.contents as Body[]) await valid(app, `/openreferral/service_at_locations/${sal.id}`, 'service_at_location');
  }, 120_000);

  it("attaches Waymark's categories to each service as terms of one taxonomy", async () => {
    const food = ALL_SERVICES.find((s) => s.categories.includes('food'))!;
    const { body } = await get(app, `/openreferral/services/${hsdsId.service(food.id)}`);
    const terms = body!.attributes.map((a: Body) => a.taxonomy_term);
    expect(terms.map((t: Body) => t.code)).toEqual(food.categories);
    expect(new Set(terms.map((t: Body) => t.taxonomy_id))).toEqual(new Set([hsdsId.taxonomy()]));
  });

  it('gives the location with its address and postcode, and leaves out an address without a postcode', async () => {
    const { body } = await get(app, `/openreferral/services/${hsdsId.service(TIMED.id)}`);
    const loc = body!.service_at_locations[0].location;
    expect(loc.name).toBe(TIMED.location!.name);
    expect(loc.addresses[0]).toMatchObject({ address_1: TIMED.location!.address, postal_code: TIMED.location!.postcode, country: 'GB' });
    expect(body!.service_at_locations[0].schedules.length).toBeGreaterThan(0);

    const other = (await get(app, `/openreferral/services/${hsdsId.service(NO_POSTCODE.id)}`)).body!;
    expect(other.service_at_locations[0].location.name).toBe(NO_POSTCODE.location!.name);
    expect(other.service_at_locations[0].location.addresses).toBeUndefined();
  });

  it('answers 404 with a JSON error for an unknown id, on every kind of record', async () => {
    for (const kind of ['services', 'organizations', 'taxonomies', 'taxonomy_terms', 'service_at_locations']) {
      const { res, body } = await get(app, `/openreferral/${kind}/${uuidV5('nothing')}`);
      expect(res.statusCode, kind).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(body!.error).toMatch(/no .* with that id/);
    }
  });
});

describe('ids', () => {
  it('computes UUID v5 as RFC 9562 does', () => {
    // RFC 9562 appendix A.4: v5 of "www.example.com" in the DNS namespace.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives the same ids from two separate instances', async () => {
    const a = await makeApp({ now: WINTER });
    const b = await makeApp({ now: WINTER });
    const one = (await get(a.app, `/openreferral/services/${hsdsId.service(TIMED.id)}`)).body;
    const two = (await get(b.app, `/openreferral/services/${hsdsId.service(TIMED.id)}`)).body;
    expect(one!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(two).toEqual(one);
    await a.app.close();
    await b.app.close();
  });
});

describe('status, closures and schedules', () => {
  const FRIDAY_TIMES = { freq: 'WEEKLY' as const, byday: ['FR' as const], opens_at: '10:00', closes_at: '14:00', note: null };

  it('publishes a closed service as defunct and a temporarily closed one as temporarily closed, never active', async () => {
    const c = withServices((c) => {
      svc(c, TIMED.id).status = 'closed';
      svc(c, NO_POSTCODE.id).holiday_schedules = [{ closed: true, start_date: '2026-12-01', end_date: '2026-12-10', opens_at: null, closes_at: null, note: 'Building works' }];
      (svc(c, ALL_SERVICES[0].id) as { status: string }).status = 'temporarily_closed';
    });
    const { app } = await makeApp({ now: WINTER, catalogue: c });
    expect((await valid(app, `/openreferral/services/${hsdsId.service(TIMED.id)}`, 'service')).status).toBe('defunct');
    const works = await valid(app, `/openreferral/services/${hsdsId.service(NO_POSTCODE.id)}`, 'service');
    expect(works.status).toBe('temporarily closed');
    expect(works.alert).toBe('Closed from 2026-12-01 to 2026-12-10.');
    expect((await get(app, `/openreferral/services/${hsdsId.service(ALL_SERVICES[0].id)}`)).body!.status).toBe('temporarily closed');
    await app.close();
  });

  it('announces a closure still to come in alert while the service stays active', async () => {
    const c = withServices((c) => {
      svc(c, TIMED.id).holiday_schedules = [
        { closed: true, start_date: '2026-12-24', end_date: '2026-12-26', opens_at: null, closes_at: null, note: null },
        { closed: true, start_date: '2026-11-01', end_date: '2026-11-02', opens_at: null, closes_at: null, note: 'past' },
      ];
    });
    const { app } = await makeApp({ now: WINTER, catalogue: c });
    const body = await valid(app, `/openreferral/services/${hsdsId.service(TIMED.id)}`, 'service');
    expect(body.status).toBe('active');
    expect(body.alert).toBe('Closed from 2026-12-24 to 2026-12-26.');
    await app.close();
  });

  it('gives London times with the offset in force, valid until the clocks change (GMT in December, BST in June)', async () => {
    const c = withServices((c) => {
      svc(c, TIMED.id).schedules = [FRIDAY_TIMES];
    });
    const winter = await makeApp({ now: WINTER, catalogue: c });
    const w = await valid(winter.app, `/openreferral/services/${hsdsId.service(TIMED.id)}`, 'service');
    expect(w.schedules).toEqual([
      expect.objectContaining({ freq: 'WEEKLY', byday: 'FR', opens_at: '10:00+00:00', closes_at: '14:00+00:00', timezone: 0, valid_from: '2026-10-25', valid_to: '2027-03-27' }),
    ]);
    const summer = await makeApp({ now: SUMMER, catalogue: c });
    const s = await valid(summer.app, `/openreferral/services/${hsdsId.service(TIMED.id)}`, 'service');
    expect(s.schedules).toEqual([
      expect.objectContaining({ byday: 'FR', opens_at: '10:00+01:00', closes_at: '14:00+01:00', timezone: 1, valid_from: '2027-03-28', valid_to: '2027-10-30' }),
    ]);
    expect(s.schedules[0].id).not.toBe(w.schedules[0].id);
    await winter.app.close();
    await summer.app.close();
  });

  it('publishes weekly days without times when the times are unknown, and 24/7 lines as every day', async () => {
    const c = withServices((c) => {
      svc(c, TIMED.id).schedules = [{ ...FRIDAY_TIMES, opens_at: null, closes_at: null, note: 'Friday mornings' }];
    });
    const { app } = await makeApp({ now: WINTER, catalogue: c });
    const body = await valid(app, `/openreferral/services/${hsdsId.service(TIMED.id)}`, 'service');
    expect(body.schedules).toEqual([expect.objectContaining({ byday: 'FR' })]);
    expect(body.schedules[0].opens_at).toBeUndefined();
    // A schedule's note is for staff: never published.
    expect(JSON.stringify(body)).not.toContain('Friday mornings');
    const always = ALL_SERVICES.find((s) => s.always_open)!;
    const line = await valid(app, `/openreferral/services/${hsdsId.service(always.id)}`, 'service');
    expect(line.schedules).toEqual([expect.objectContaining({ byday: 'MO,TU,WE,TH,FR,SA,SU', description: 'Open 24 hours a day, every day' })]);
    await app.close();
  });
});

describe('pages and filters', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await makeApp({ now: WINTER }));
  });
  afterAll(() => app.close());

  it('pages through the services with per_page', async () => {
    const p2 = (await get(app, '/openreferral/services?per_page=5&page=2')).body!;
    expect(p2).toMatchObject({ total_items: ALL_SERVICES.length, total_pages: Math.ceil(ALL_SERVICES.length / 5), page_number: 2, size: 5, first_page: false, last_page: false, empty: false });
    expect(p2.contents).toHaveLength(5);
    const past = (await get(app, '/openreferral/services?per_page=5&page=99')).body!;
    expect(past).toMatchObject({ empty: true, last_page: true, contents: [] });
    const all = (await get(app, '/openreferral/services')).body!;
    expect(all.size).toBe(50);
  });

  it('refuses bad query values with a 400 naming the parameter', async () => {
    for (const [query, name] of [
      ['per_page=201', 'per_page'],
      ['per_page=0', 'per_page'],
      ['page=0', 'page'],
      ['page=two', 'page'],
      ['taxonomy_term_id=food', 'taxonomy_term_id'],
      ['organization_id=clear', 'organization_id'],
      ['modified_after=yesterday', 'modified_after'],
    ]) {
      const { res, body } = await get(app, `/openreferral/services?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(body!.error, query).toMatch(new RegExp(`^${name}:`));
    }
  });

  it('filters by search, taxonomy term and organization', async () => {
    const search = (await get(app, '/openreferral/services?search=SURGERY')).body!;
    const expected = ALL_SERVICES.filter((s) => `${s.name} ${s.description}`.toLowerCase().includes('surgery'));
    expect(expected.length).toBeGreaterThan(0);
    expect(search.contents.map((x: Body) => x.name).sort()).toEqual(expected.map((s) => s.name).sort());

    const food = (await get(app, `/openreferral/services?taxonomy_term_id=${hsdsId.taxonomyTerm('food')}`)).body!;
    expect(food.contents.map((x: Body) => x.name).sort()).toEqual(ALL_SERVICES.filter((s) => s.categories.includes('food')).map((s) => s.name).sort());

    const org = TIMED.organization_id;
    const byOrg = (await get(app, `/openreferral/services?organization_id=${hsdsId.organization(org)}`)).body!;
    expect(byOrg.contents.map((x: Body) => x.name).sort()).toEqual(ALL_SERVICES.filter((s) => s.organization_id === org).map((s) => s.name).sort());
  });

  it('filters by modified_after when it knows when services changed', async () => {
    const changed = new Map([[TIMED.id, new Date('2026-12-02T09:00:00Z')]]);
    const old = new Date('2026-11-01T09:00:00Z');
    const known = await makeApp({ now: WINTER });
    const feed = await buildApp({
      bot: known.bot,
      deliveries: known.store,
      logger: pino({ level: 'silent' }),
      twilioAuthToken: null,
      publicBaseUrl: null,
      clock: WINTER,
      openReferralSource: () => ({ catalogue: content().catalogue, lastModified: (id) => changed.get(id) ?? old }),
    });
    const body = (await get(feed, '/openreferral/services?modified_after=2026-12-01')).body!;
    expect(body.contents.map((x: Body) => x.name)).toEqual([TIMED.name]);
    expect(body.contents[0].last_modified).toBe('2026-12-02T09:00:00.000Z');
    expect(schemaErrors('service_list', body, true)).toEqual([]);
    await feed.close();
    await known.app.close();
  });
});

describe('for harvesters and browsers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await makeApp({ now: WINTER }));
  });
  afterAll(() => app.close());

  it('answers 304 when the ETag still matches', async () => {
    const first = await get(app, '/openreferral/services');
    const etag = first.res.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.inject({ method: 'GET', url: '/openreferral/services', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const other = await get(app, '/openreferral/services?per_page=3');
    expect(other.res.headers.etag).not.toBe(etag);
  });

  it('is open to any origin for GET, and only under /openreferral', async () => {
    const res = await app.inject({ method: 'GET', url: '/openreferral/services', headers: { origin: 'https://council.example.gov.uk' } });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const pre = await app.inject({ method: 'OPTIONS', url: '/openreferral/services', headers: { origin: 'https://council.example.gov.uk', 'access-control-request-method': 'GET' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toMatch(/^GET, ?HEAD$/);
    const health = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://council.example.gov.uk' } });
    expect(health.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('never carries texter data, provenance or why a fact is unknown', async () => {
    const texter = '+447700900123';
    await app.inject(signed({ From: texter, Body: 'FOOD', MessageSid: 'SM' + '7'.repeat(32) }));
    const bodies: string[] = [];
    for (const url of ['/openreferral/services?per_page=200', '/openreferral/service_at_locations?per_page=200', '/openreferral/organizations?per_page=200']) {
      bodies.push((await app.inject({ method: 'GET', url })).body);
    }
    for (const s of ALL_SERVICES) bodies.push((await app.inject({ method: 'GET', url: `/openreferral/services/${hsdsId.service(s.id)}` })).body);
    const all = bodies.join('\n');
    expect(all).not.toContain('7700900123');
    expect(all).not.toContain('FOOD');
    for (const s of ALL_SERVICES) for (const reason of Object.values(s.unknown)) expect(all).not.toContain(reason);
    for (const src of Object.values(content().catalogue.sources)) expect(all).not.toContain(src.title);
    for (const s of ALL_SERVICES) for (const r of s.schedules ?? []) if (r.note) expect(all).not.toContain(r.note);
    expect(all).not.toMatch(/provenance|checked|sources/);
  });
});
