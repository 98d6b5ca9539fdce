// The Open Referral feed: Waymark's catalogue as a read-only HSDS 3.0 API
// under /openreferral, for councils, social prescribers and other charities'
// tools. Public data: CORS open for GET, ETag so a harvester polls cheaply.
// It reads the catalogue through `source()` on every request (the live
// catalogue's snapshot is in memory), so an edit shows at once.
import cors from '@fastify/cors';
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Service } from '../catalogue/types.ts';
import { londonParts, parseWhen } from '../time/london.ts';
import { hsdsId, UUID_RE } from './ids.ts';
import {
  organizationFullRecord,
  organizationRecord,
  publishedOrganizations,
  publishedServices,
  serviceAtLocationFullRecord,
  serviceAtLocationListRecord,
  serviceListRecord,
  serviceRecord,
  taxonomyRecord,
  termRecord,
  type FeedSnapshot,
  type Json,
} from './map.ts';

export interface OpenReferralOptions {
  /** The catalogue as it is now (the live catalogue once the store holds it). */
  source: () => FeedSnapshot | Promise<FeedSnapshot>;
  clock: () => Date;
}

export const HSDS_META = {
  version: '3.0',
  profile: 'https://github.com/openreferral/specification/tree/v3.0',
  openapi_url: 'https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json',
} as const;

export const PER_PAGE_DEFAULT = 50;
export const PER_PAGE_MAX = 200;

class BadQuery extends Error {}

type Query = Record<string, string | string[] | undefined>;

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw new BadQuery(`${name}: give it once`);
  return v;
}

function wholeNumber(q: Query, name: string, dflt: number, max?: number): number {
  const v = one(q, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1 || (max !== undefined && Number(v) > max)) {
    throw new BadQuery(`${name}: expected a whole number from 1${max !== undefined ? ` to ${max}` : ''}`);
  }
  return Number(v);
}

function uuid(q: Query, name: string): string | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  if (!UUID_RE.test(v)) throw new BadQuery(`${name}: expected a UUID`);
  return v.toLowerCase();
}

function instant(q: Query, name: string): Date | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  try {
    return parseWhen(v);
  } catch (e) {
    throw new BadQuery(`${name}: expected an ISO 8601 date or date-time, e.g. 2026-12-01 or 2026-12-01T09:00:00Z`, { cause: e });
  }
}

/** An HSDS Page of `items` (page numbers from 1; a page past the end is empty). */
function page(items: Json[], q: Query): Json {
  const pageNumber = wholeNumber(q, 'page', 1);
  const size = wholeNumber(q, 'per_page', PER_PAGE_DEFAULT, PER_PAGE_MAX);
  const totalPages = Math.ceil(items.length / size);
  const contents = items.slice((pageNumber - 1) * size, pageNumber * size);
  return {
    total_items: items.length,
    total_pages: totalPages,
    page_number: pageNumber,
    size,
    first_page: pageNumber === 1,
    last_page: pageNumber >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}

function matchesSearch(text: string | undefined, fields: (string | null | undefined)[]): boolean {
  if (text === undefined || text.trim() === '') return true;
  const needle = text.trim().toLocaleLowerCase('en-GB');
  return fields.some((f) => typeof f === 'string' && f.toLocaleLowerCase('en-GB').includes(needle));
}

/** The services a query selects: search (name, description), taxonomy_term_id, organization_id, modified_after. */
function selectServices(snap: FeedSnapshot, q: Query): Service[] {
  const search = one(q, 'search');
  const term = uuid(q, 'taxonomy_term_id');
  const org = uuid(q, 'organization_id');
  const after = instant(q, 'modified_after');
  return publishedServices(snap.catalogue).filter((s) => {
    if (!matchesSearch(search, [s.name, s.description])) return false;
    if (term !== undefined && !s.categories.some((c) => hsdsId.taxonomyTerm(c) === term)) return false;
    if (org !== undefined && hsdsId.organization(s.organization_id) !== org) return false;
    if (after !== undefined) {
      // A service whose last change is not known is kept: a harvester must never miss a change.
      const m = snap.lastModified?.(s.id);
      if (m !== undefined && m.getTime() < after.getTime()) return false;
    }
    return true;
  });
}

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return reply.code(404).type('application/json').send({ error: `no ${what} with that id` });
}

export const openReferralFeed: FastifyPluginAsync<OpenReferralOptions> = async (app, opts) => {
  await app.register(cors, { origin: '*', methods: ['GET', 'HEAD'] });

  const today = () => londonParts(opts.clock()).date;

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof BadQuery) return reply.code(400).type('application/json').send({ error: err.message });
    req.log.error({ err, route: req.routeOptions.url }, 'request failed');
    return reply.code(500).type('application/json').send({ error: 'internal error' });
  });

  // Cache validators: a strong ETag over the body; If-None-Match answers 304.
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    const etag = `"${createHash('sha1').update(payload).digest('base64url')}"`;
    reply.header('etag', etag);
    reply.header('cache-control', 'public, max-age=60');
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
      reply.code(304);
      return '';
    }
    return payload;
  });

  app.get('/', async () => HSDS_META);

  app.get('/services', async (req) => {
    const snap = await opts.source();
    const d = today();
    return page(
      selectServices(snap, req.query as Query).map((s) => serviceListRecord(s, snap, d)),
      req.query as Query,
    );
  });

  app.get<{ Params: { id: string } }>('/services/:id', async (req, reply) => {
    const snap = await opts.source();
    const s = publishedServices(snap.catalogue).find((x) => hsdsId.service(x.id) === req.params.id.toLowerCase());
    return s ? serviceRecord(s, snap, today()) : notFound(reply, 'service');
  });

  app.get('/organizations', async (req) => {
    const snap = await opts.source();
    const search = one(req.query as Query, 'search');
    const orgs = publishedOrganizations(snap.catalogue).filter((o) => matchesSearch(search, [o.name]));
    return page(
      orgs.map((o) => organizationRecord(o, snap.catalogue)),
      req.query as Query,
    );
  });

  app.get<{ Params: { id: string } }>('/organizations/:id', async (req, reply) => {
    const snap = await opts.source();
    const org = publishedOrganizations(snap.catalogue).find((o) => hsdsId.organization(o.id) === req.params.id.toLowerCase());
    return org ? organizationFullRecord(org, snap, today()) : notFound(reply, 'organization');
  });

  app.get('/taxonomies', async (req) => {
    const search = one(req.query as Query, 'search');
    const t = taxonomyRecord();
    return page(matchesSearch(search, [t.name as string, t.description as string]) ? [t] : [], req.query as Query);
  });

  app.get<{ Params: { id: string } }>('/taxonomies/:id', async (req, reply) =>
    req.params.id.toLowerCase() === hsdsId.taxonomy() ? taxonomyRecord() : notFound(reply, 'taxonomy'),
  );

  app.get('/taxonomy_terms', async (req) => {
    const snap = await opts.source();
    const search = one(req.query as Query, 'search');
    const terms = snap.catalogue.categories.filter((c) => matchesSearch(search, [c.name])).map(termRecord);
    return page(terms, req.query as Query);
  });

  app.get<{ Params: { id: string } }>('/taxonomy_terms/:id', async (req, reply) => {
    const cat = (await opts.source()).catalogue.categories.find((c) => hsdsId.taxonomyTerm(c.id) === req.params.id.toLowerCase());
    return cat ? termRecord(cat) : notFound(reply, 'taxonomy term');
  });

  app.get('/service_at_locations', async (req) => {
    const snap = await opts.source();
    const d = today();
    const items = selectServices(snap, req.query as Query).flatMap((s): Json[] => { const r = serviceAtLocationListRecord(s, snap, d); return r ? [r] : []; });
    return page(items, req.query as Query);
  });

  app.get<{ Params: { id: string } }>('/service_at_locations/:id', async (req, reply) => {
    const snap = await opts.source();
    const s = publishedServices(snap.catalogue).find((x) => hsdsId.serviceAtLocation(x.id) === req.params.id.toLowerCase());
    const rec = s ? serviceAtLocationFullRecord(s, snap, today()) : undefined;
    return rec ?? notFound(reply, 'service_at_location');
  });

  app.setNotFoundHandler((_req, reply) => reply.code(404).type('application/json').send({ error: 'not found' }));
};
