// HSDS 3.0 services → Waymark draft services: a pure mapping (no I/O, no
// clock; `today` is an argument). It maps what it can and says, per service,
// what it could not (a monthly schedule, a second location, a phone it cannot
// read...). Nothing is guessed: a fact the feed does not give is unknown,
// with the reason; every fact it does give names the imported file as its
// source. Drafts reach nobody until a person publishes them on the desk.
import type { Catalogue, CityId, HolidaySchedule, Location, Organization, Phone, RegularSchedule, Service, Weekday } from '../catalogue/types.ts';
import { addDays, weekdayOf, type LocalDate } from '../time/london.ts';
import { hsdsId } from './ids.ts';
import { londonOffsetMinutes, offsetPeriod } from './london-offset.ts';
import { ALWAYS_OPEN_DESCRIPTION, TAXONOMY_NAME } from './map.ts';
import { CITY_NAMES } from '../catalogue/types.ts';

type Json = Record<string, unknown>;

export interface ImportContext {
  /** The catalogue the drafts will join: for ids, categories and organizations. */
  catalogue: Catalogue;
  today: LocalDate;
  /** The key of the source every imported fact names (added to catalogue.sources by the caller). */
  sourceId: string;
  /** What the feed is called in reasons ("feed.json"). */
  label: string;
}

export interface ServiceReport {
  /** The HSDS service's name (or id when it has no name). */
  name: string;
  /** The draft's Waymark id; absent when the service could not be imported at all. */
  draftId?: string;
  /** What could not be mapped, one line each. */
  notMapped: string[];
}

export interface ImportResult {
  drafts: Service[];
  /** Organizations the drafts need that the catalogue does not have yet. */
  organizations: Organization[];
  report: ServiceReport[];
}

const WEEKDAYS: readonly Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const PHONE_RE = /^\+?[0-9]+( [0-9]+)*$/;
const POSTCODE_RE = /^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$/;
const URL_RE = /^https?:\/\/[^\s]+$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)(?::[0-5]\d(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const CLOSURE_RE = /^Closed from (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})(?:: (.+))?\.$/;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

function arr(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

/** The services in a file: one service, an array of them, or a page with `contents`. */
export function hsdsServicesIn(input: unknown): Json[] | null {
  if (Array.isArray(input)) return arr(input);
  if (isObj(input) && Array.isArray(input.contents)) return arr(input.contents);
  if (isObj(input) && (input.name !== undefined || input.id !== undefined)) return [input];
  return null;
}

export function slug(s: string): string {
  const out = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return out.slice(0, 60).replace(/-+$/, '') || 'service';
}

function freeId(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/** "10:00+01:00" read as a London wall-clock time on `date`; notes when that reading changes the time. */
function londonTime(raw: unknown, timezone: unknown, date: LocalDate): { time: string; offsetGiven: boolean } | { error: string } {
  if (typeof raw !== 'string') return { error: 'not a time' };
  const m = TIME_RE.exec(raw.trim());
  if (!m) return { error: `"${raw}" is not a time of day` };
  let minutes = Number(m[1]) * 60 + Number(m[2]);
  let offset: number | null = null;
  if (m[3]) {
    const z = m[3].toUpperCase();
    if (z === 'Z') offset = 0;
    else {
      const sign = z.startsWith('-') ? -1 : 1;
      const digits = z.slice(1).replace(':', '');
      offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    }
  } else if (typeof timezone === 'number' && Number.isFinite(timezone)) offset = Math.round(timezone * 60);
  if (offset === null) return { time: `${m[1]}:${m[2]}`, offsetGiven: false };
  minutes = minutes - offset + londonOffsetMinutes(date);
  if (minutes < 0 || minutes >= 24 * 60) return { error: `"${raw}" falls on another day in London` };
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return { time: `${hh}:${mm}`, offsetGiven: true };
}

function days(byday: unknown): Weekday[] | null {
  if (typeof byday !== 'string' || byday.trim() === '') return null;
  const parts = byday.split(',').map((d) => d.trim().toUpperCase());
  if (!parts.every((d) => (WEEKDAYS as readonly string[]).includes(d))) return null;
  return WEEKDAYS.filter((d) => parts.includes(d));
}

function daysBetween(from: LocalDate, to: LocalDate): Weekday[] {
  const seen = new Set<Weekday>();
  for (let d = from, n = 0; d <= to && n < 7; d = addDays(d, 1), n++) seen.add(weekdayOf(d));
  return WEEKDAYS.filter((d) => seen.has(d));
}

interface Schedules {
  always: boolean;
  weekly: RegularSchedule[];
  dated: HolidaySchedule[];
}

function mapSchedules(list: Json[], today: LocalDate, notMapped: string[]): Schedules {
  const out: Schedules = { always: false, weekly: [], dated: [] };
  list.forEach((s, i) => {
    const what = `schedule ${i + 1}${str(s.byday) ? ` (${str(s.byday)})` : ''}`;
    const skip = (why: string) => notMapped.push(`${what}: ${why}`);
    const byday = days(s.byday);
    if (str(s.description) === ALWAYS_OPEN_DESCRIPTION && byday?.length === 7 && s.opens_at === undefined) {
      out.always = true;
      return;
    }
    if (s.freq !== undefined && s.freq !== 'WEEKLY') return skip(`${String(s.freq)} schedules cannot be kept: Waymark keeps weekly ones`);
    if (s.interval !== undefined && s.interval !== 1) return skip(`every ${String(s.interval)} weeks cannot be kept: Waymark keeps weekly ones`);
    for (const k of ['byweekno', 'bymonthday', 'byyearday', 'count', 'until', 'dtstart'] as const)
      if (s[k] !== undefined) return skip(`${k} cannot be kept`);
    if (!byday) return skip(`days "${String(s.byday ?? '')}" cannot be read (expected MO,TU...)`);
    const from = typeof s.valid_from === 'string' && DATE_RE.test(s.valid_from) ? s.valid_from : null;
    const to = typeof s.valid_to === 'string' && DATE_RE.test(s.valid_to) ? s.valid_to : null;
    const note = str(s.notes) ?? str(s.description);
    const hasTimes = s.opens_at !== undefined || s.closes_at !== undefined;
    if (to !== null && to < today) return skip(`ended on ${to}`);

    // A weekly opening that Waymark itself published: valid for exactly one
    // run of London's offset (GMT or BST), so its times are London's all year.
    const period = from !== null ? offsetPeriod(from) : null;
    const wholePeriod = period !== null && period.from === from && period.to === to;
    if ((from === null && to === null) || wholePeriod) {
      const on = from ?? today;
      let opens: string | null = null;
      let closes: string | null = null;
      if (hasTimes) {
        const o = londonTime(s.opens_at, s.timezone, on);
        const c = londonTime(s.closes_at, s.timezone, on);
        if ('error' in o) return skip(`opens_at ${o.error}`);
        if ('error' in c) return skip(`closes_at ${c.error}`);
        if (c.time <= o.time) return skip(`closes at ${c.time}, not after it opens at ${o.time}`);
        if (!o.offsetGiven) notMapped.push(`${what}: times without a time zone, read as London time`);
        else if (!wholePeriod) notMapped.push(`${what}: times with a fixed offset and no dates, read as London time on ${on} (${o.time}–${c.time}) all year`);
        [opens, closes] = [o.time, c.time];
      }
      out.weekly.push({ freq: 'WEEKLY', byday, opens_at: opens, closes_at: closes, note });
      return;
    }
    if (from === null || to === null) return skip(`valid ${from ? `from ${from}` : `to ${to}`} with no ${from ? 'end' : 'start'}: Waymark keeps all-year weekly times or dated changes with both dates`);
    const all = daysBetween(from, to);
    if (all.some((d) => !byday.includes(d))) return skip(`only on ${byday.join(',')} between ${from} and ${to}: Waymark's dated changes cover every day in their dates`);
    let opens: string | null = null;
    let closes: string | null = null;
    if (hasTimes) {
      const o = londonTime(s.opens_at, s.timezone, from);
      const c = londonTime(s.closes_at, s.timezone, from);
      if ('error' in o) return skip(`opens_at ${o.error}`);
      if ('error' in c) return skip(`closes_at ${c.error}`);
      [opens, closes] = [o.time, c.time];
    }
    out.dated.push({ closed: false, start_date: from, end_date: to, opens_at: opens, closes_at: closes, note });
  });
  return out;
}

/** Closures from `alert`, in the form the feed writes them; other alert text is reported, not kept. */
function closures(alert: unknown, notMapped: string[]): HolidaySchedule[] {
  const text = str(alert);
  if (!text) return [];
  const out: HolidaySchedule[] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const m = CLOSURE_RE.exec(line);
    if (m && m[1] <= m[2]) out.push({ closed: true, start_date: m[1], end_date: m[2], opens_at: null, closes_at: null, note: m[3] ?? null });
    else notMapped.push(`alert "${line.length > 60 ? `${line.slice(0, 57)}...` : line}": not a closure Waymark can read (Closed from YYYY-MM-DD to YYYY-MM-DD)`);
  }
  return out;
}

function cityOf(name: unknown): CityId | null {
  const n = str(name)?.toLowerCase();
  return (Object.keys(CITY_NAMES) as CityId[]).find((c) => CITY_NAMES[c].toLowerCase() === n) ?? null;
}

function mapLocation(sals: Json[], notMapped: string[]): Location | null {
  const locs = sals.map((sal) => sal.location).filter(isObj);
  if (locs.length > 1) notMapped.push(`${locs.length} locations: Waymark keeps one, the first`);
  const loc = locs[0];
  if (!loc) return null;
  const addresses = arr(loc.addresses);
  const addr = addresses.find((a) => a.address_type !== 'postal') ?? addresses[0];
  if (!addr) {
    notMapped.push(`location "${str(loc.name) ?? '?'}": no address`);
    return null;
  }
  const city = cityOf(addr.city);
  if (!city) {
    notMapped.push(`location in "${str(addr.city) ?? '?'}": Waymark covers Southampton and Portsmouth`);
    return null;
  }
  const line = [str(addr.address_1), str(addr.address_2)].filter(Boolean).join(', ');
  if (!line) {
    notMapped.push('location: no street address');
    return null;
  }
  const raw = str(addr.postal_code)?.toUpperCase().replace(/\s+/g, ' ') ?? null;
  const postcode = raw && !raw.includes(' ') && raw.length >= 5 ? `${raw.slice(0, -3)} ${raw.slice(-3)}` : raw;
  if (postcode && !POSTCODE_RE.test(postcode)) notMapped.push(`postcode "${raw}" cannot be read`);
  return { name: str(loc.name) ?? line, address: line, city, postcode: postcode && POSTCODE_RE.test(postcode) ? postcode : null };
}

function mapPhones(list: Json[], notMapped: string[]): Phone[] | null {
  const out: Phone[] = [];
  for (const p of list) {
    const number = str(p.number)?.replace(/[-().]/g, ' ').replace(/\s+/g, ' ').trim();
    if (!number || !PHONE_RE.test(number)) {
      notMapped.push(`phone "${String(p.number ?? '')}" cannot be read`);
      continue;
    }
    if (p.extension !== undefined) notMapped.push(`phone ${number}: extension ${String(p.extension)} not kept`);
    out.push({ number, note: str(p.description) });
  }
  return out.length ? out : null;
}

function categoriesOf(svc: Json, c: Catalogue): string[] {
  const out: string[] = [];
  for (const a of arr(svc.attributes)) {
    const term = isObj(a.taxonomy_term) ? a.taxonomy_term : {};
    const termId = str(a.taxonomy_term_id) ?? str(term.id);
    const ours = term.taxonomy_id === hsdsId.taxonomy() || term.taxonomy === TAXONOMY_NAME;
    const cat = c.categories.find(
      (k) => hsdsId.taxonomyTerm(k.id) === termId || (ours && term.code === k.id) || str(term.name)?.toLowerCase() === k.name.toLowerCase(),
    );
    if (cat && !out.includes(cat.id)) out.push(cat.id);
  }
  return out;
}

function organizationOf(svc: Json, ctx: ImportContext, added: Organization[], taken: Set<string>): Organization | null {
  const org = isObj(svc.organization) ? svc.organization : null;
  const orgId = str(org?.id) ?? str(svc.organization_id);
  const all = [...ctx.catalogue.organizations, ...added];
  const known = all.find((o) => hsdsId.organization(o.id) === orgId) ?? all.find((o) => org && o.name.toLowerCase() === str(org.name)?.toLowerCase());
  if (known) return known;
  const name = str(org?.name);
  if (!name) return null;
  const website = str(org?.website);
  const made: Organization = { id: freeId(slug(name), taken), name, url: website && URL_RE.test(website) ? website : null };
  added.push(made);
  return made;
}

/** Maps every HSDS service in `input` to a Waymark draft, with a report per service. */
export function importHsds(input: unknown, ctx: ImportContext): ImportResult {
  const services = hsdsServicesIn(input);
  if (services === null) throw new Error(`${ctx.label}: expected an HSDS service, an array of them, or a page with "contents"`);
  const catalogue = ctx.catalogue;
  const serviceIds = new Set([...catalogue.services.map((s) => s.id), ...(((catalogue as { drafts?: Service[] }).drafts ?? []).map((s) => s.id))]);
  const orgIds = new Set(catalogue.organizations.map((o) => o.id));
  const organizations: Organization[] = [];
  const drafts: Service[] = [];
  const report: ServiceReport[] = [];
  const why = `not in the HSDS feed ${ctx.label}`;
  const prov = { sources: [ctx.sourceId], checked: ctx.today };

  for (const svc of services) {
    const name = str(svc.name);
    const notMapped: string[] = [];
    const entry: ServiceReport = { name: name ?? str(svc.id) ?? '(no name)', notMapped };
    report.push(entry);
    const description = str(svc.description);
    if (!name || !description) {
      notMapped.push(`not imported: Waymark needs a ${!name ? 'name' : 'description'}`);
      continue;
    }
    const org = organizationOf(svc, ctx, organizations, orgIds);
    if (!org) {
      notMapped.push('not imported: no organization with a name');
      continue;
    }
    const existing = catalogue.services.find((s) => hsdsId.service(s.id) === str(svc.id));
    if (existing) notMapped.push(`the same record as the published service "${existing.id}": imported as a separate draft`);

    const status = svc.status;
    const sals = arr(svc.service_at_locations);
    const seen = new Set<string>();
    const scheduleList = [...arr(svc.schedules), ...sals.flatMap((sal) => arr(sal.schedules))].filter((s) => {
      const key = str(s.id) ?? JSON.stringify(s);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const sch = mapSchedules(scheduleList, ctx.today, notMapped);
    const closed = closures(svc.alert, notMapped);
    const closedNow = closed.some((h) => h.start_date <= ctx.today && h.end_date >= ctx.today);
    let waymarkStatus: Service['status'] = 'active';
    if (status === 'defunct' || status === 'inactive') waymarkStatus = 'closed';
    // Temporarily closed because of a dated closure: the closure says it; otherwise the status does.
    else if (status === 'temporarily closed' && !closedNow) waymarkStatus = 'temporarily_closed';

    const location = mapLocation(sals, notMapped);
    const areaName = arr(svc.service_areas).map((a) => cityOf(a.name)).find((c) => c !== null) ?? null;
    const area = areaName ?? location?.city ?? 'national';
    if (!areaName && !location) notMapped.push('no service area in Southampton or Portsmouth: set to national (anywhere): check');

    const phones = mapPhones(
      [...arr(svc.phones), ...sals.flatMap((sal) => arr(sal.phones))].filter((p, i, all) => all.findIndex((q) => q.number === p.number) === i),
      notMapped,
    );
    const rawUrl = str(svc.url);
    const url = rawUrl && URL_RE.test(rawUrl) ? rawUrl : null;
    if (rawUrl && !url) notMapped.push(`url "${rawUrl}" is not a web address`);
    const categories = categoriesOf(svc, catalogue);
    if (!categories.length) notMapped.push("no Waymark category: choose one on the desk before publishing");
    for (const k of ['languages', 'cost_options', 'required_documents', 'contacts', 'funding', 'program'] as const)
      if ((Array.isArray(svc[k]) && (svc[k] as unknown[]).length) || isObj(svc[k])) notMapped.push(`${k}: not kept by Waymark`);
    if (svc.email !== undefined) notMapped.push('email: not kept by Waymark');

    const schedules = sch.always ? [] : sch.weekly.length ? sch.weekly : null;
    const draft: Service = {
      id: freeId(slug(name), serviceIds),
      organization_id: org.id,
      name,
      status: waymarkStatus,
      draft: true,
      audience: 'public',
      area,
      categories,
      description,
      eligibility: str(svc.eligibility_description),
      access: null,
      access_note: str(svc.application_process),
      location,
      phones,
      url,
      always_open: sch.always,
      schedules,
      holiday_schedules: [...closed, ...sch.dated],
      unknown: {},
      provenance: {},
    };
    const facts = { description, eligibility: draft.eligibility, access: null, location, phones, url, schedules, status: waymarkStatus } as const;
    for (const [field, value] of Object.entries(facts) as [keyof typeof facts, unknown][]) {
      if (value === null)
        draft.unknown[field] =
          field === 'access'
            ? `HSDS has no access method: see how to use it (${ctx.label})`
            : field === 'schedules' && scheduleList.length > 0
              ? `the schedules in the HSDS feed ${ctx.label} could not be kept (see the import report)`
              : why;
      else draft.provenance[field] = { ...prov, sources: [...prov.sources] };
    }
    entry.draftId = draft.id;
    drafts.push(draft);
  }
  return { drafts, organizations, report };
}
