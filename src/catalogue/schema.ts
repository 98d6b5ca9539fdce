// Schema and cross-checks for data/services.json.
//
// validateCatalogue() returns every problem it can find, each as one line that
// a member of staff can act on without reading code:
//
//   data/services.json: services[4].schedules[0].opens_at: expected "HH:MM", got "10am" [service "amc-dropin"]
//
// i.e. `${file}: ${path}: ${message}`, where the message says what was
// expected and what was found, and ends with the service id when there is one.

import { z } from 'zod';
import { isOfferedIn } from './offered.ts';
import { CITY_IDS as CITIES, WEEKDAYS, type Catalogue, type CityId, type FactField, type Service } from './types.ts';

export { CITIES };
export const FACT_FIELDS: readonly FactField[] = [
  'description',
  'eligibility',
  'access',
  'location',
  'phones',
  'url',
  'schedules',
  'status',
];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const PHONE = /^\+?[0-9]+( [0-9]+)*$/;
const URL_RE = /^https?:\/\/[^\s]+$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** YYYY, YYYY-MM or YYYY-MM-DD (a page's own date). */
function isPartialDate(s: string): boolean {
  if (/^\d{4}$/.test(s)) return true;
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m) return Number(m[2]) >= 1 && Number(m[2]) <= 12;
  return isRealDate(s);
}

const nonEmpty = (what = 'a non-empty string') => z.string().min(1, { error: `expected ${what}` });
const time = z.string().regex(HHMM, { error: 'expected "HH:MM"' });
const date = z.string().refine(isRealDate, { error: 'expected a real date "YYYY-MM-DD"' });
const id = z.string().regex(ID, { error: 'expected a lowercase kebab-case id' });
const url = z.string().regex(URL_RE, { error: 'expected a web address starting with https://' });

const SourceSchema = z.strictObject({
  title: nonEmpty(),
  url: url.nullable(),
  published: z
    .string()
    .refine(isPartialDate, { error: 'expected a date "YYYY", "YYYY-MM" or "YYYY-MM-DD"' })
    .nullable(),
  circa: z.string().regex(/^\d{4}$/, { error: 'expected a year "YYYY"' }).optional(),
});

const OrganizationSchema = z.strictObject({
  id,
  name: nonEmpty(),
  url: url.nullable(),
});

const CategorySchema = z.strictObject({
  id,
  name: nonEmpty(),
});

const CityIdSchema = z.enum(CITIES);
const WeekdaySchema = z.enum(WEEKDAYS);

const LocationSchema = z.strictObject({
  name: nonEmpty(),
  address: nonEmpty(),
  city: CityIdSchema,
  postcode: z
    .string()
    .regex(/^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$/, { error: 'expected a postcode like "SO14 1LT"' })
    .nullable(),
});

const PhoneSchema = z.strictObject({
  number: z.string().regex(PHONE, { error: 'expected a phone number of digits and spaces' }),
  note: nonEmpty().nullable(),
});

const RegularScheduleSchema = z.strictObject({
  freq: z.literal('WEEKLY'),
  byday: z.array(WeekdaySchema).min(1, { error: 'expected at least one day' }),
  opens_at: time.nullable(),
  closes_at: time.nullable(),
  note: nonEmpty().nullable(),
});

const HolidayScheduleSchema = z.strictObject({
  closed: z.boolean(),
  start_date: date,
  end_date: date,
  opens_at: time.nullable(),
  closes_at: time.nullable(),
  note: nonEmpty().nullable(),
});

const ProvenanceSchema = z.strictObject({
  sources: z.array(nonEmpty('a source id')).min(1, { error: 'expected at least one source id' }),
  checked: date,
});

const unknownNote = nonEmpty('a note saying why it is unknown').optional();

const DoubtSchema = z.strictObject({
  text: nonEmpty('a few words for the person'),
  sources: ProvenanceSchema.shape.sources,
  checked: date,
});

const ServiceSchema = z.strictObject({
  id,
  organization_id: nonEmpty('an organization id'),
  name: nonEmpty(),
  status: z.enum(['active', 'temporarily_closed', 'closed']),
  draft: z.literal(true).optional(),
  audience: z.enum(['public', 'professionals']),
  area: z.enum([...CITIES, 'national']),
  // At least one, except for a draft (checked in checkService).
  categories: z.array(nonEmpty('a category id')),
  description: nonEmpty(),
  eligibility: nonEmpty().nullable(),
  access: z
    .array(z.enum(['drop_in', 'self_refer', 'gp_referral', 'registration', 'phone', 'appointment']))
    .min(1, { error: 'expected at least one access method (or null)' })
    .nullable(),
  access_note: nonEmpty().nullable(),
  location: LocationSchema.nullable(),
  phones: z.array(PhoneSchema).min(1, { error: 'expected at least one phone (or null)' }).nullable(),
  url: url.nullable(),
  always_open: z.boolean(),
  schedules: z.array(RegularScheduleSchema).nullable(),
  holiday_schedules: z.array(HolidayScheduleSchema),
  unknown: z.strictObject({
    description: unknownNote,
    eligibility: unknownNote,
    access: unknownNote,
    location: unknownNote,
    phones: unknownNote,
    url: unknownNote,
    schedules: unknownNote,
    status: unknownNote,
  }),
  translations: z
    .record(
      z.string().regex(/^[a-z]{2,3}$/, { error: 'expected a language code such as "fa"' }),
      z.strictObject({
        name: nonEmpty().optional(),
        description: nonEmpty().optional(),
        eligibility: nonEmpty().optional(),
        access_note: nonEmpty().optional(),
        doubt_location: nonEmpty().optional(),
        doubt_schedules: nonEmpty().optional(),
      }),
    )
    .optional(),
  doubts: z
    .strictObject({
      location: DoubtSchema.optional(),
      schedules: DoubtSchema.optional(),
    })
    .optional(),
  provenance: z.strictObject({
    description: ProvenanceSchema.optional(),
    eligibility: ProvenanceSchema.optional(),
    access: ProvenanceSchema.optional(),
    location: ProvenanceSchema.optional(),
    phones: ProvenanceSchema.optional(),
    url: ProvenanceSchema.optional(),
    schedules: ProvenanceSchema.optional(),
    status: ProvenanceSchema.optional(),
    categories: z.record(z.string(), ProvenanceSchema).optional(),
  }),
  // Confirmed with the organisation (issue 13): absent until it is.
  assured_date: date.optional(),
  assured_how: z.enum(['provider_sms', 'staff_phone', 'staff_visit']).optional(),
  assurer_email: nonEmpty().nullable().optional(),
  assured_note: nonEmpty().nullable().optional(),
});

export const CatalogueSchema = z.strictObject({
  version: z.literal(1),
  sources: z.record(z.string(), SourceSchema),
  organizations: z.array(OrganizationSchema),
  categories: z.array(CategorySchema).min(1, { error: 'expected at least one category' }),
  services: z.array(ServiceSchema),
});

// The schema and types.ts must describe the same shape.
type Parsed = z.infer<typeof CatalogueSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameShape: Same<Parsed, Catalogue> = true;
void _sameShape;

// ---------------------------------------------------------------------------
// Error formatting

type PathKey = string | number;

export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out === '' ? k : `.${k}`;
  }
  return out;
}

/** JSON of a found value, cut to 40 characters. */
export function got(value: unknown): string {
  let s: string;
  if (value === undefined) s = 'nothing';
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch (e) {
      s = `${String(value)} (not JSON: ${e instanceof Error ? e.message : String(e)})`;
    }
  }
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Levenshtein distance, for "did you mean" on typo'd field names. */
function distance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

function suggest(key: string, known: string[]): string {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const dd = k.startsWith(key) || key.startsWith(k) ? 1 : distance(key, k);
    if (dd < bestD) {
      bestD = dd;
      best = k;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/** Keys the schema allows at an object path (for "did you mean"). */
function knownKeysAt(path: readonly PathKey[]): string[] {
  let schema: z.ZodType = CatalogueSchema;
  for (const k of path) {
    let s: unknown = schema;
    // unwrap nullable / optional
    while (s instanceof z.ZodNullable || s instanceof z.ZodOptional) s = s.unwrap();
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(k)];
    else if (s instanceof z.ZodArray) s = s.element;
    else if (s instanceof z.ZodRecord) s = s.valueType;
    else return [];
    if (!s) return [];
    schema = s as z.ZodType;
  }
  let s: unknown = schema;
  while (s instanceof z.ZodNullable || s instanceof z.ZodOptional) s = s.unwrap();
  return s instanceof z.ZodObject ? Object.keys(s.shape as object) : [];
}

class Reporter {
  readonly errors: string[] = [];
  constructor(
    private readonly file: string,
    private readonly root: unknown,
  ) {}

  add(path: readonly PathKey[], message: string): void {
    const where = path.length ? `${this.file}: ${formatPath(path)}: ` : `${this.file}: `;
    this.errors.push(where + message + this.suffix(path));
  }

  private suffix(path: readonly PathKey[]): string {
    if (path[0] === 'services' && typeof path[1] === 'number') {
      const sid = at(this.root, ['services', path[1], 'id']);
      if (typeof sid === 'string' && sid !== '') return ` [service ${JSON.stringify(sid)}]`;
    }
    if (path[0] === 'categories' && typeof path[1] === 'number') {
      const cid = at(this.root, ['categories', path[1], 'id']);
      if (typeof cid === 'string' && cid !== '') return ` [category ${JSON.stringify(cid)}]`;
    }
    return '';
  }
}

function reportIssue(r: Reporter, root: unknown, issue: z.core.$ZodIssue): void {
  const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
  const value = at(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(path);
      for (const key of issue.keys) r.add(path, `unexpected field ${JSON.stringify(key)}${suggest(key, known)}`);
      return;
    }
    case 'invalid_type':
      if (value === undefined) r.add(path, 'required');
      else r.add(path, `expected ${issue.expected}, got ${got(value)}`);
      return;
    case 'invalid_value': {
      const vals = issue.values.map((v) => JSON.stringify(v));
      const exp = vals.length === 1 ? vals[0] : `one of ${vals.join(', ')}`;
      r.add(path, value === undefined ? 'required' : `expected ${exp}, got ${got(value)}`);
      return;
    }
    default: {
      const msg = issue.message.startsWith('expected') ? issue.message : `expected valid value (${issue.message})`;
      r.add(path, `${msg}, got ${got(value)}`);
    }
  }
}

// ---------------------------------------------------------------------------
// Cross-checks. They read the raw data defensively so that they still run
// (and report) when some other part of the file has a schema error.

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function checkUniqueIds(r: Reporter, root: Record<string, unknown>, key: string): Set<string> {
  const seen = new Map<string, number>();
  arr(root[key]).forEach((item, i) => {
    const v = isObj(item) ? item.id : undefined;
    if (typeof v !== 'string') return;
    const first = seen.get(v);
    if (first !== undefined) r.add([key, i, 'id'], `expected a unique id, got ${got(v)} (also ${key}[${first}])`);
    else seen.set(v, i);
  });
  return new Set(seen.keys());
}

function checkTimes(r: Reporter, base: PathKey[], s: Record<string, unknown>): void {
  const o = s.opens_at;
  const c = s.closes_at;
  const ok = (t: unknown): t is string => typeof t === 'string' && HHMM.test(t);
  if (ok(o) && ok(c) && c <= o) r.add([...base, 'closes_at'], `expected a time after opens_at ${JSON.stringify(o)}, got ${got(c)}`);
  if ((o === null) !== (c === null) && (o === null || ok(o)) && (c === null || ok(c))) {
    const missing = o === null ? 'opens_at' : 'closes_at';
    r.add([...base, missing], `expected "HH:MM" when ${missing === 'opens_at' ? 'closes_at' : 'opens_at'} is given, got null`);
  }
}

function checkService(
  r: Reporter,
  s: Record<string, unknown>,
  i: number,
  ids: { orgs: Set<string>; cats: Set<string>; sources: Set<string> },
  catList: string,
): void {
  const base: PathKey[] = ['services', i];

  if (typeof s.organization_id === 'string' && s.organization_id !== '' && !ids.orgs.has(s.organization_id))
    r.add([...base, 'organization_id'], `expected an id from organizations, got ${got(s.organization_id)}`);

  arr(s.categories).forEach((c, j) => {
    if (typeof c === 'string' && c !== '' && !ids.cats.has(c))
      r.add([...base, 'categories', j], `expected a category id (${catList}), got ${got(c)}`);
  });
  const cats = arr(s.categories);
  if (Array.isArray(s.categories) && cats.length === 0 && s.draft !== true) r.add([...base, 'categories'], 'expected at least one category id');
  cats.forEach((c, j) => {
    if (cats.indexOf(c) !== j) r.add([...base, 'categories', j], `expected each category once, got ${got(c)} twice`);
  });

  arr(s.schedules).forEach((sc, j) => {
    if (!isObj(sc)) return;
    checkTimes(r, [...base, 'schedules', j], sc);
    const days = arr(sc.byday);
    days.forEach((d, k) => {
      if (days.indexOf(d) !== k) r.add([...base, 'schedules', j, 'byday', k], `expected each day once, got ${got(d)} twice`);
    });
  });
  arr(s.holiday_schedules).forEach((h, j) => {
    if (!isObj(h)) return;
    const hb: PathKey[] = [...base, 'holiday_schedules', j];
    checkTimes(r, hb, h);
    const { start_date: a, end_date: b } = h;
    if (typeof a === 'string' && typeof b === 'string' && isRealDate(a) && isRealDate(b) && b < a)
      r.add([...hb, 'end_date'], `expected a date on or after start_date ${JSON.stringify(a)}, got ${got(b)}`);
  });

  const loc = s.location;
  if (isObj(loc) && (s.area === 'southampton' || s.area === 'portsmouth') && typeof loc.city === 'string' && loc.city !== s.area)
    r.add([...base, 'location', 'city'], `expected ${JSON.stringify(s.area)} (the service area), got ${got(loc.city)}`);

  // Unknown is a value: every null fact says why; every known fact says where from.
  const unknown = isObj(s.unknown) ? s.unknown : null;
  const prov = isObj(s.provenance) ? s.provenance : null;
  for (const f of FACT_FIELDS) {
    if (!(f in s)) continue; // reported as "required" by the schema
    const v = s[f];
    if (v === null) {
      if (unknown && (unknown[f] === undefined || unknown[f] === null))
        r.add([...base, 'unknown', f], `required because ${f} is null: say why it is unknown`);
      if (prov && prov[f] !== undefined) r.add([...base, 'provenance', f], `unexpected because ${f} is null, got ${got(prov[f])}`);
    } else {
      if (prov && prov[f] === undefined) r.add([...base, 'provenance', f], `required because ${f} is known: name its sources`);
      if (unknown && unknown[f] !== undefined)
        r.add([...base, 'unknown', f], `unexpected because ${f} is known, got ${got(unknown[f])}`);
    }
    const p = prov ? prov[f] : undefined;
    if (isObj(p)) checkSourceIds(r, [...base, 'provenance', f], p, ids.sources);
  }

  // Per-category sources: only for categories the service has.
  const byCat = prov && isObj(prov.categories) ? prov.categories : null;
  if (byCat)
    for (const [c, p] of Object.entries(byCat)) {
      if (!cats.includes(c)) r.add([...base, 'provenance', 'categories', c], `expected one of the service's categories (${cats.join(', ')}), got ${got(c)}`);
      if (isObj(p)) checkSourceIds(r, [...base, 'provenance', 'categories', c], p, ids.sources);
    }
  const doubts = isObj(s.doubts) ? s.doubts : null;
  if (doubts)
    for (const [f, d] of Object.entries(doubts)) if (isObj(d)) checkSourceIds(r, [...base, 'doubts', f], d, ids.sources);
}

function checkSourceIds(r: Reporter, base: PathKey[], p: Record<string, unknown>, sources: Set<string>): void {
  arr(p.sources).forEach((sid, k) => {
    if (typeof sid === 'string' && sid !== '' && !sources.has(sid))
      r.add([...base, 'sources', k], `expected a source id from sources, got ${got(sid)}`);
  });
}

/** On the raw entry (not yet parsed): isOfferedIn only compares its fields. */
function isOffered(s: unknown, city: CityId, category: string): boolean {
  return isObj(s) && isOfferedIn(s as Pick<Service, 'status' | 'audience' | 'area' | 'draft'>, city) && arr(s.categories).includes(category);
}

// A category with nothing offered anywhere is a dead end in every menu: an
// error. A gap in one city is real (the sources name no GP in Portsmouth) and
// is reported by `npm run check` as a warning: see coverageGaps() in offered.ts.
function checkCoverage(r: Reporter, root: Record<string, unknown>): void {
  const services = arr(root.services);
  arr(root.categories).forEach((c, i) => {
    if (!isObj(c) || typeof c.id !== 'string') return;
    if (!CITIES.some((city) => services.some((s) => isOffered(s, city, c.id as string))))
      r.add(['categories', i], `expected at least one active public service in some city, got none`);
  });
}

function crossCheck(r: Reporter, root: Record<string, unknown>): void {
  checkUniqueIds(r, root, 'services');
  const orgs = checkUniqueIds(r, root, 'organizations');
  const cats = checkUniqueIds(r, root, 'categories');
  const sources = new Set(isObj(root.sources) ? Object.keys(root.sources) : []);
  for (const k of sources) if (!ID.test(k)) r.add(['sources'], `expected lowercase kebab-case source ids, got ${got(k)}`);
  if (isObj(root.sources))
    for (const [k, src] of Object.entries(root.sources))
      if (isObj(src) && typeof src.circa === 'string' && src.published !== null && src.published !== undefined)
        r.add(['sources', k, 'circa'], `unexpected when the page has its own date (published ${got(src.published)}): give one or the other`);
  const catList = [...cats].join(', ');
  arr(root.services).forEach((s, i) => {
    if (isObj(s)) checkService(r, s, i, { orgs, cats, sources }, catList);
  });
  checkCoverage(r, root);
}

// ---------------------------------------------------------------------------

/** Every problem in `data` (an already-parsed JSON value), or [] when valid. */
export function validateCatalogue(data: unknown, file: string): string[] {
  const r = new Reporter(file, data);
  const result = CatalogueSchema.safeParse(data);
  if (!result.success) for (const issue of result.error.issues) reportIssue(r, data, issue);
  if (isObj(data)) crossCheck(r, data);
  return r.errors;
}

/** Parse JSON text; on failure, the one error line for it. */
export function parseJson(text: string, file: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}
