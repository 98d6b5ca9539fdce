// Waymark's catalogue as HSDS 3.0 records: pure functions, no I/O, no clock
// (`today` is an argument). Unknown facts are left out, never sent as null;
// a nested record whose required field is unknown is left out whole (an
// address without a postcode). Only the catalogue's public facts are mapped:
// never provenance, doubts, unknown-reasons or anything about texters.
import { CITY_NAMES, type Catalogue, type CityId, type HolidaySchedule, type Organization, type RegularSchedule, type Service } from '../catalogue/types.ts';
import { weekdayOf, addDays, type LocalDate } from '../time/london.ts';
import { hsdsId } from './ids.ts';
import { londonOffsetMinutes, offsetPeriod, offsetSuffix } from './london-offset.ts';

export type Json = Record<string, unknown>;

/** What the feed reads: the catalogue, and when each service last changed if known. */
export interface FeedSnapshot {
  catalogue: Catalogue;
  /** When a service (or anything about it) last changed; undefined = not known. */
  lastModified?: (serviceId: string) => Date | undefined;
}

/** Both cities are unitary authorities in the ceremonial county of Hampshire. */
export const COUNTY = 'Hampshire';
export const TAXONOMY_NAME = 'Waymark categories';
export const ALWAYS_OPEN_DESCRIPTION = 'Open 24 hours a day, every day';
const ALL_DAYS = 'MO,TU,WE,TH,FR,SA,SU';

/** Only defined, non-null, non-empty values: HSDS types admit no null. */
function clean<T extends Json>(o: T): T {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) delete o[k];
  }
  return o;
}

/** Services the feed publishes: every service but drafts not yet published by a person. */
export function publishedServices(c: Catalogue): Service[] {
  return c.services.filter((s) => !(s as { draft?: boolean }).draft);
}

/** Organizations the feed publishes: those with at least one published service. */
export function publishedOrganizations(c: Catalogue): Organization[] {
  const used = new Set(publishedServices(c).map((s) => s.organization_id));
  return c.organizations.filter((o) => used.has(o.id));
}

/** The HSDS status: closed services are defunct; temporarily closed ones (or closed today) say so; never active then. */
export function hsdsStatus(s: Service, today: LocalDate): string {
  const status = s.status as string;
  if (status === 'closed') return 'defunct';
  if (status === 'temporarily_closed') return 'temporarily closed';
  if (currentClosures(s, today).some((h) => h.start_date <= today)) return 'temporarily closed';
  return 'active';
}

/** Closures that have not ended yet (today or later). */
function currentClosures(s: Service, today: LocalDate): HolidaySchedule[] {
  return s.holiday_schedules.filter((h) => h.closed && h.end_date >= today);
}

/**
 * One alert line per closure not yet over: "Closed from 2026-12-24 to 2026-12-26."
 * Its note is left out: schedule and closure notes are staff's own words (never sent to texters either).
 */
export function closureLine(h: HolidaySchedule): string {
  return `Closed from ${h.start_date} to ${h.end_date}.`;
}

function alert(s: Service, today: LocalDate): string | undefined {
  const lines = currentClosures(s, today).map(closureLine);
  return lines.length ? lines.join('\n') : undefined;
}

function orgDescription(org: Organization, c: Catalogue): string {
  const names = publishedServices(c)
    .filter((s) => s.organization_id === org.id)
    .map((s) => s.name);
  return `Services listed by Waymark: ${names.join('; ')}.`;
}

export function organizationRecord(org: Organization, c: Catalogue): Json {
  return clean({
    id: hsdsId.organization(org.id),
    name: org.name,
    description: orgDescription(org, c),
    website: org.url ?? undefined,
  });
}

export function taxonomyRecord(): Json {
  return {
    id: hsdsId.taxonomy(),
    name: TAXONOMY_NAME,
    description: "The categories of Waymark's menus: what a person texting Waymark can ask for in Southampton and Portsmouth.",
  };
}

export function termRecord(cat: { id: string; name: string }): Json {
  return {
    id: hsdsId.taxonomyTerm(cat.id),
    code: cat.id,
    name: cat.name,
    description: `Services Waymark lists under "${cat.name}".`,
    taxonomy: TAXONOMY_NAME,
    taxonomy_id: hsdsId.taxonomy(),
  };
}

interface Links {
  service_id: string;
  location_id?: string;
  service_at_location_id?: string;
}

function links(s: Service): Links {
  return s.location
    ? { service_id: hsdsId.service(s.id), location_id: hsdsId.location(s.id), service_at_location_id: hsdsId.serviceAtLocation(s.id) }
    : { service_id: hsdsId.service(s.id) };
}

/**
 * A weekly opening with times: the London wall-clock times with the offset in
 * force today ("10:00+00:00" in winter, "10:00+01:00" in summer), valid for
 * the run of dates that share that offset (valid_from/valid_to), so no
 * published time is ever wrong; after the clocks change the feed publishes
 * the next run. Without times: the days alone.
 */
function weeklySchedule(s: Service, r: RegularSchedule, i: number, today: LocalDate): Json {
  // r.note is for staff and is never published.
  const base = { ...links(s), freq: 'WEEKLY', byday: r.byday.join(',') };
  if (r.opens_at === null || r.closes_at === null) {
    return clean({ id: hsdsId.schedule(s.id, String(i)), ...base });
  }
  const period = offsetPeriod(today);
  const suffix = offsetSuffix(period.minutes);
  return clean({
    id: hsdsId.schedule(s.id, `${i}:${period.from}`),
    ...base,
    valid_from: period.from,
    valid_to: period.to,
    timezone: period.minutes / 60,
    opens_at: `${r.opens_at}${suffix}`,
    closes_at: `${r.closes_at}${suffix}`,
  });
}

/** Days of the week a date range touches, in order (all seven for a week or more). */
function daysIn(from: LocalDate, to: LocalDate): string {
  const order = ALL_DAYS.split(',');
  const seen = new Set<string>();
  for (let d = from, n = 0; d <= to && n < 7; d = addDays(d, 1), n++) seen.add(weekdayOf(d));
  return order.filter((x) => seen.has(x)).join(',');
}

/** Other hours on some dates (a holiday schedule that is not a closure), not yet over. */
function datedSchedule(s: Service, h: HolidaySchedule, j: number): Json {
  const suffix = offsetSuffix(londonOffsetMinutes(h.start_date));
  const timed = h.opens_at !== null && h.closes_at !== null;
  return clean({
    id: hsdsId.schedule(s.id, `h${j}`),
    ...links(s),
    freq: 'WEEKLY',
    byday: daysIn(h.start_date, h.end_date),
    valid_from: h.start_date,
    valid_to: h.end_date,
    timezone: timed ? londonOffsetMinutes(h.start_date) / 60 : undefined,
    opens_at: timed ? `${h.opens_at}${suffix}` : undefined,
    closes_at: timed ? `${h.closes_at}${suffix}` : undefined,
  });
}

export function scheduleRecords(s: Service, today: LocalDate): Json[] {
  const out: Json[] = [];
  if (s.always_open) {
    out.push({ id: hsdsId.schedule(s.id, 'always'), ...links(s), freq: 'WEEKLY', byday: ALL_DAYS, description: ALWAYS_OPEN_DESCRIPTION });
  }
  (s.schedules ?? []).forEach((r, i) => out.push(weeklySchedule(s, r, i, today)));
  s.holiday_schedules.forEach((h, j) => {
    if (!h.closed && h.end_date >= today) out.push(datedSchedule(s, h, j));
  });
  return out;
}

function phoneRecords(s: Service): Json[] {
  return (s.phones ?? []).map((p, i) =>
    clean({ id: hsdsId.phone(s.id, i), service_id: hsdsId.service(s.id), number: p.number, description: p.note ?? undefined }),
  );
}

/** The location, with its address only when every required part of it is known (a postcode above all). */
function locationRecord(s: Service): Json | undefined {
  const loc = s.location;
  if (!loc) return undefined;
  const id = hsdsId.location(s.id);
  const addresses = loc.postcode
    ? [
        {
          id: hsdsId.address(s.id),
          location_id: id,
          address_1: loc.address,
          city: CITY_NAMES[loc.city],
          state_province: COUNTY,
          postal_code: loc.postcode,
          country: 'GB',
          address_type: 'physical',
        },
      ]
    : undefined;
  return clean({ id, location_type: 'physical', name: loc.name, addresses });
}

function serviceAreas(s: Service): Json[] | undefined {
  if (s.area === 'national') return undefined;
  return [{ id: hsdsId.serviceArea(s.id), service_id: hsdsId.service(s.id), name: CITY_NAMES[s.area] }];
}

function attributes(s: Service, c: Catalogue): Json[] {
  return s.categories.flatMap((catId) => {
    const cat = c.categories.find((x) => x.id === catId);
    if (!cat) return [];
    return [
      {
        id: hsdsId.attribute(s.id, catId),
        link_id: hsdsId.service(s.id),
        link_entity: 'service',
        taxonomy_term_id: hsdsId.taxonomyTerm(catId),
        taxonomy_term: termRecord(cat),
      },
    ];
  });
}

/** The service's one-to-one fields (HSDS `service_list`), with its organization. */
export function serviceListRecord(s: Service, snap: FeedSnapshot, today: LocalDate): Json {
  const c = snap.catalogue;
  const org = c.organizations.find((o) => o.id === s.organization_id);
  return clean({
    id: hsdsId.service(s.id),
    organization_id: org ? hsdsId.organization(org.id) : undefined,
    name: s.name,
    description: s.description,
    url: s.url ?? undefined,
    status: hsdsStatus(s, today),
    application_process: s.access_note ?? undefined,
    eligibility_description: s.eligibility ?? undefined,
    // When the organisation confirmed the facts (issue 13), not when a page was checked; absent until then.
    assured_date: s.assured_date,
    alert: alert(s, today),
    last_modified: snap.lastModified?.(s.id)?.toISOString(),
    organization: org ? organizationRecord(org, c) : undefined,
  });
}

export function serviceAtLocationRecord(s: Service, today: LocalDate): Json | undefined {
  const location = locationRecord(s);
  if (!location) return undefined;
  return clean({
    id: hsdsId.serviceAtLocation(s.id),
    service_id: hsdsId.service(s.id),
    location_id: location.id,
    location,
    schedules: scheduleRecords(s, today),
  });
}

/** The fully nested service (HSDS `service`). */
export function serviceRecord(s: Service, snap: FeedSnapshot, today: LocalDate): Json {
  const sal = serviceAtLocationRecord(s, today);
  return clean({
    ...serviceListRecord(s, snap, today),
    phones: phoneRecords(s),
    schedules: scheduleRecords(s, today),
    service_areas: serviceAreas(s),
    service_at_locations: sal ? [sal] : undefined,
    attributes: attributes(s, snap.catalogue),
  });
}

/** A service_at_location in the list shape: the link, its location and the service's one-to-one fields. */
export function serviceAtLocationListRecord(s: Service, snap: FeedSnapshot, today: LocalDate): Json | undefined {
  const sal = serviceAtLocationRecord(s, today);
  if (!sal) return undefined;
  const { addresses: _addresses, ...oneToOne } = sal.location as Json;
  return clean({ id: sal.id, service_id: sal.service_id, location_id: sal.location_id, location: oneToOne, service: serviceListRecord(s, snap, today) });
}

/** The fully nested service_at_location (HSDS compiled `service_at_location`), with its service's one-to-one fields. */
export function serviceAtLocationFullRecord(s: Service, snap: FeedSnapshot, today: LocalDate): Json | undefined {
  const sal = serviceAtLocationRecord(s, today);
  if (!sal) return undefined;
  return { ...sal, service: serviceListRecord(s, snap, today) };
}

/** The fully nested organization (HSDS compiled `organization`) with its services' one-to-one fields. */
export function organizationFullRecord(org: Organization, snap: FeedSnapshot, today: LocalDate): Json {
  const services = publishedServices(snap.catalogue)
    .filter((s) => s.organization_id === org.id)
    .map((s) => {
      const { organization: _o, ...rest } = serviceListRecord(s, snap, today);
      return rest;
    });
  return clean({ ...organizationRecord(org, snap.catalogue), services });
}
