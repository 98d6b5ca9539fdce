// The service catalogue, shaped after Open Referral UK (organization, service,
// location, regular_schedule with byday/opens_at/closes_at, holiday_schedule)
// so that an import or export is a mapping, not a rewrite.
//
// Unknown is a value: a fact we could not confirm is `null`, and the entry's
// `unknown` map says why (shown to nobody, read by staff). Every known fact
// names its source in `provenance` with the date it was checked.

/** The cities Waymark serves, in menu order. */
export const CITY_IDS = ['southampton', 'portsmouth'] as const;
export type CityId = (typeof CITY_IDS)[number];
/** The cities' names, as staff and the feed write them. */
export const CITY_NAMES: Record<CityId, string> = { southampton: 'Southampton', portsmouth: 'Portsmouth' };

export function isCityId(s: string | undefined): s is CityId {
  return (CITY_IDS as readonly string[]).includes(s ?? '');
}
/** Where a service can be used from: one city, or anywhere (national lines). */
export type ServiceArea = CityId | 'national';

/** The days of the week, Monday first (Open Referral's byday codes): the one list of them. */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type AccessMethod =
  | 'drop_in' // walk in during opening times
  | 'self_refer' // phone, form or online, no referral needed
  | 'gp_referral' // through a GP or professional
  | 'registration' // register as a patient (GP practices)
  | 'phone' // call or text a line
  | 'appointment';

export interface Source {
  title: string;
  /** Address of the page, or null for the seed document. */
  url: string | null;
  /** Date of the page itself, when it has one (YYYY, YYYY-MM or YYYY-MM-DD). */
  published: string | null;
  /**
   * For an undated page whose content shows roughly when it was written (it
   * cites 2020 figures): that year, "YYYY". Only with `published: null`.
   * A page with neither has no known age.
   */
  circa?: string;
}

export interface Provenance {
  /** Keys into Catalogue.sources. */
  sources: string[];
  /** YYYY-MM-DD: when a person last checked this fact against the sources. */
  checked: string;
}

export interface Organization {
  id: string;
  name: string;
  url: string | null;
}

export interface Location {
  name: string;
  address: string;
  city: CityId;
  postcode: string | null;
}

export interface Phone {
  number: string;
  /** e.g. "Mon–Fri 08:00–18:00", "option 2 for mental health". */
  note: string | null;
}

/** One weekly opening. opens_at/closes_at null = "weekly, times unknown". */
export interface RegularSchedule {
  freq: 'WEEKLY';
  byday: Weekday[];
  opens_at: string | null; // "HH:MM", Europe/London
  closes_at: string | null; // "HH:MM", Europe/London
  note: string | null;
}

/** A date on which the service is closed (or open at other hours). */
export interface HolidaySchedule {
  closed: boolean;
  start_date: string; // YYYY-MM-DD
  end_date: string; // YYYY-MM-DD, inclusive
  opens_at: string | null;
  closes_at: string | null;
  note: string | null;
}

export type FactField =
  | 'description'
  | 'eligibility'
  | 'access'
  | 'location'
  | 'phones'
  | 'url'
  | 'schedules'
  | 'status';

/**
 * Something the catalogue is unsure of about a place or a time, said to the
 * person in a few words ("A Feb 2024 page put it at All Saints Church"),
 * with where that doubt comes from.
 */
export interface Doubt extends Provenance {
  text: string;
}

/** Facts a doubt can be about. */
export type DoubtField = 'location' | 'schedules';

/** Per-field provenance, plus per-category sources where a category's evidence differs from the description's. */
export type ServiceProvenance = Partial<Record<FactField, Provenance>> & {
  /**
   * Category id → where the claim that the service offers it comes from, when
   * that differs from the description's sources (e.g. food parcels seen only
   * in 2019). A category not listed here rests on the description's sources.
   */
  categories?: Record<string, Provenance>;
};

export interface Service {
  id: string;
  organization_id: string;
  name: string;
  /** temporarily_closed: not offered, and its subscribers get a "closed" notice instead of each reminder. */
  status: 'active' | 'temporarily_closed' | 'closed';
  /**
   * A draft (from npm run catalogue -- import-hsds): kept for staff, never
   * offered to texters and never published in the Open Referral feed, until
   * a person publishes it on the desk. It may have no category yet.
   */
  draft?: true;
  /** Professionals-only services are kept for the record and never offered. */
  audience: 'public' | 'professionals';
  area: ServiceArea;
  /** Category ids; the first is the main one. */
  categories: string[];
  description: string;
  /** Who it is for, in plain words; null = not known. */
  eligibility: string | null;
  access: AccessMethod[] | null;
  /** How to use it, in plain words ("Walk in on Friday"). */
  access_note: string | null;
  location: Location | null;
  phones: Phone[] | null;
  url: string | null;
  /** Free: "always open" for 24/7 lines. */
  always_open: boolean;
  schedules: RegularSchedule[] | null;
  holiday_schedules: HolidaySchedule[];
  /**
   * The service's own words in other languages, field by field; a field not
   * given here is shown in English. Keys are flows/lang codes ("fa").
   */
  translations?: Record<string, Partial<Record<TranslatedField, string>>>;
  /** Doubts the person should hear about a place or a time, sent with the details. */
  doubts?: Partial<Record<DoubtField, Doubt>>;
  /** For every null fact above: why it is unknown. */
  unknown: Partial<Record<FactField, string>>;
  /**
   * When the organisation last confirmed these facts (Open Referral's
   * `assured_date`, a London date), separate from the page-check dates in
   * `provenance`. Absent: never confirmed. See src/freshness/.
   */
  assured_date?: string;
  /** How: the provider answered YES by SMS, or staff asked by phone or visit. */
  assured_how?: AssuredHow;
  /** Open Referral's `assurer_email`: the staff member, or null when the provider confirmed by SMS. */
  assurer_email?: string | null;
  /** What the staff member noted, or which contact answered (a name, never a number). */
  assured_note?: string | null;
  /** For every known fact above: where it came from and when it was checked. */
  provenance: ServiceProvenance;
}

export type AssuredHow = 'provider_sms' | 'staff_phone' | 'staff_visit';

/** The service's own words that staff may give per language. */
export type TranslatedField = 'name' | 'description' | 'eligibility' | 'access_note' | 'doubt_location' | 'doubt_schedules';

export interface Category {
  id: string;
  /** Short name shown in menus. */
  name: string;
}

export interface Catalogue {
  version: 1;
  sources: Record<string, Source>;
  organizations: Organization[];
  categories: Category[];
  services: Service[];
}
