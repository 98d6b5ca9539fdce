// The service form: a service's editable facts as form values, and back,
// checked field by field so that each error can be shown beside its field.
// Pure: no I/O, the date is an argument.
import type { Catalogue, FactField, Provenance, RegularSchedule, Service, Weekday } from '../catalogue/types.ts';
import { WEEKDAYS as WEEKDAY_ORDER } from '../catalogue/types.ts';

export const STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'temporarily_closed', label: 'Temporarily closed' },
  { value: 'closed', label: 'Closed' },
] as const;

export const DAY_NAMES: Record<Weekday, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};

export interface TimeRow {
  day: string;
  opens: string;
  closes: string;
  note: string;
  remove: boolean;
}

export interface FormValues {
  name: string;
  phone: string;
  address: string;
  postcode: string;
  website: string;
  status: string;
  rows: TimeRow[];
  /** Source note: where the new facts came from. */
  note: string;
}

/** Blank rows offered for adding opening times without JavaScript. */
export const BLANK_ROWS = 3;
const MAX_ROWS = 60;

export function rowsOf(schedules: RegularSchedule[] | null): TimeRow[] {
  const rows: TimeRow[] = [];
  for (const s of schedules ?? []) {
    for (const d of s.byday) rows.push({ day: d, opens: s.opens_at ?? '', closes: s.closes_at ?? '', note: s.note ?? '', remove: false });
  }
  return rows;
}

export function formFromService(s: Service): FormValues {
  return {
    name: s.name,
    phone: s.phones?.[0]?.number ?? '',
    address: s.location?.address ?? '',
    postcode: s.location?.postcode ?? '',
    website: s.url ?? '',
    status: s.status,
    rows: rowsOf(s.schedules),
    note: '',
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/** The form as posted (field names as in the template). */
export function parseForm(body: Record<string, unknown>): FormValues {
  const rows: TimeRow[] = [];
  const count = Math.min(MAX_ROWS, Math.max(0, Number.parseInt(str(body.rows), 10) || 0));
  for (let i = 0; i < count; i++) {
    rows.push({
      day: str(body[`day-${i}`]).trim(),
      opens: str(body[`opens-${i}`]).trim(),
      closes: str(body[`closes-${i}`]).trim(),
      note: str(body[`rownote-${i}`]).trim(),
      remove: str(body[`remove-${i}`]) !== '',
    });
  }
  return {
    name: str(body.name).trim(),
    phone: str(body.phone).trim(),
    address: str(body.address).trim(),
    postcode: str(body.postcode).trim(),
    website: str(body.website).trim(),
    status: str(body.status).trim(),
    rows,
    note: str(body.note).trim(),
  };
}

/** "9:00" → "09:00"; null when it is not a 24-hour time. */
export function normaliseTime(t: string): string | null {
  const m = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/.exec(t);
  return m ? `${m[1].padStart(2, '0')}:${m[2]}` : null;
}

/** "so141lt" → "SO14 1LT"; null when it is not a UK postcode. */
export function normalisePostcode(p: string): string | null {
  const compact = p.replace(/\s+/g, '').toUpperCase();
  const m = /^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$/.exec(compact);
  return m ? `${m[1]} ${m[2]}` : null;
}

const FACTS: FactField[] = ['location', 'phones', 'url', 'schedules', 'status'];

export type Errors = Record<string, string>;

/**
 * The service with the form's values, or the errors by field. Facts that
 * changed name `sourceId` (the editor's source note) and today's date; a fact
 * cleared becomes unknown, with the note saying why.
 */
export function applyForm(
  service: Service,
  v: FormValues,
  ctx: { today: string; sourceId: string },
): { ok: true; service: Service; changed: boolean } | { ok: false; errors: Errors } {
  const errors: Errors = {};
  const next: Service = structuredClone(service);

  if (!v.name) errors.name = 'Enter the name of the service';
  else if (v.name.length > 120) errors.name = 'Keep the name under 120 characters';
  else next.name = v.name;

  const phone = v.phone.replace(/\s+/g, ' ');
  if (!phone) next.phones = null;
  else if (!/^\+?[0-9]+( [0-9]+)*$/.test(phone) || phone.replace(/\D/g, '').length < 3 || phone.length > 25) {
    errors.phone = 'Enter a phone number of digits and spaces, like 023 8000 0000';
  } else if (service.phones?.length) {
    next.phones = structuredClone(service.phones);
    next.phones[0].number = phone;
  } else next.phones = [{ number: phone, note: null }];

  let postcode: string | null = null;
  if (v.postcode) {
    postcode = normalisePostcode(v.postcode);
    if (!postcode) errors.postcode = 'Enter a UK postcode, like SO14 1LT';
  }
  if (!v.address) {
    if (v.postcode) errors.address = 'Enter the address, or clear the postcode too';
    else next.location = null;
  } else if (v.address.length > 200) errors.address = 'Keep the address under 200 characters';
  else {
    const city = service.location?.city ?? (service.area === 'national' ? null : service.area);
    if (!city) errors.address = 'This is a national service: it has no address in a city';
    else next.location = { name: service.location?.name ?? service.name, address: v.address, city, postcode };
  }

  if (!v.website) next.url = null;
  else {
    const url = /^https?:\/\//i.test(v.website) ? v.website : `https://${v.website}`;
    if (!/^https?:\/\/[^\s/]+\.[^\s]+$/.test(url) || url.length > 300) errors.website = 'Enter a web address, like https://example.org';
    else next.url = url;
  }

  const status = STATUSES.find((s) => s.value === v.status);
  if (!status) errors.status = 'Choose active, temporarily closed or closed';
  else next.status = status.value;

  const rows: Array<{ day: Weekday; opens: string | null; closes: string | null; note: string | null }> = [];
  v.rows.forEach((r, i) => {
    if (r.remove) return;
    if (!r.day && !r.opens && !r.closes && !r.note) return; // a blank row
    const day = WEEKDAY_ORDER.find((d) => d === r.day);
    if (!day) errors[`day-${i}`] = 'Choose a day of the week';
    const opens = r.opens ? normaliseTime(r.opens) : null;
    const closes = r.closes ? normaliseTime(r.closes) : null;
    if (r.opens && !opens) errors[`opens-${i}`] = 'Enter a time like 09:30 (24-hour clock)';
    if (r.closes && !closes) errors[`closes-${i}`] = 'Enter a time like 14:00 (24-hour clock)';
    if (!r.opens && r.closes) errors[`opens-${i}`] = 'Enter the opening time too';
    if (opens && closes && closes <= opens) errors[`closes-${i}`] = 'The closing time must be after the opening time';
    if (r.note.length > 200) errors[`rownote-${i}`] = 'Keep the note under 200 characters';
    if (day) rows.push({ day, opens, closes, note: r.note || null });
  });
  const before = rowsOf(service.schedules)
    .map((r) => `${r.day} ${r.opens} ${r.closes} ${r.note}`)
    .join('|');
  const after = rows.map((r) => `${r.day} ${r.opens ?? ''} ${r.closes ?? ''} ${r.note ?? ''}`).join('|');
  if (before !== after) next.schedules = service.schedules === null && rows.length === 0 ? null : groupRows(rows);

  if (v.note.length > 300) errors.note = 'Keep the source note under 300 characters';
  const changed = FACTS.some((f) => JSON.stringify(next[f]) !== JSON.stringify(service[f])) || next.name !== service.name;
  if (changed && !v.note && !errors.note) errors.note = 'Say where the new facts came from (a phone call, a poster, their website…)';
  if (Object.keys(errors).length) return { ok: false, errors };

  for (const f of FACTS) {
    if (JSON.stringify(next[f]) === JSON.stringify(service[f])) continue;
    if (next[f] === null) {
      delete next.provenance[f];
      next.unknown[f] = `cleared at the staff desk on ${ctx.today}: ${v.note}`;
    } else {
      next.provenance[f] = { sources: [ctx.sourceId], checked: ctx.today };
      delete next.unknown[f];
    }
    // A doubt about the place or the times is settled by the editor's new fact.
    if ((f === 'location' || f === 'schedules') && next.doubts?.[f]) {
      delete next.doubts[f];
      if (Object.keys(next.doubts).length === 0) delete next.doubts;
    }
  }
  return { ok: true, service: next, changed };
}

/** Rows with the same times and note become one schedule with several days, in week order. */
function groupRows(rows: Array<{ day: Weekday; opens: string | null; closes: string | null; note: string | null }>): RegularSchedule[] {
  const out: RegularSchedule[] = [];
  for (const r of rows) {
    const same = out.find((s) => s.opens_at === r.opens && s.closes_at === r.closes && s.note === r.note);
    if (same) {
      if (!same.byday.includes(r.day)) same.byday.push(r.day);
    } else out.push({ freq: 'WEEKLY', byday: [r.day], opens_at: r.opens, closes_at: r.closes, note: r.note });
  }
  for (const s of out) s.byday.sort((a, b) => WEEKDAY_ORDER.indexOf(a) - WEEKDAY_ORDER.indexOf(b));
  return out;
}

/** The source for the editor's note: "desk-2026-12-02-1", titled with the note (made if new). */
export function addDeskSource(catalogue: Catalogue, today: string, note: string): string {
  const title = `Staff desk, ${today}: ${note}`;
  let n = 1;
  for (; catalogue.sources[`desk-${today}-${n}`]; n++) {
    if (catalogue.sources[`desk-${today}-${n}`].title === title) return `desk-${today}-${n}`; // the same note, the same day: one source
  }
  const id = `desk-${today}-${n}`;
  catalogue.sources[id] = { title, url: null, published: today };
  return id;
}

/**
 * Confirm unchanged: every known fact (and every category claim) checked
 * today, with the desk's source for today among its sources, so that the bot
 * no longer calls it old; doubts about the place and times are settled.
 */
export function confirmService(service: Service, today: string, sourceId: string): Service {
  const next = structuredClone(service);
  const touch = (p: Provenance | undefined) => {
    if (!p) return;
    p.checked = today;
    if (!p.sources.includes(sourceId)) p.sources.push(sourceId);
  };
  const { categories, ...facts } = next.provenance;
  for (const p of Object.values(facts)) touch(p);
  for (const p of Object.values(categories ?? {})) touch(p);
  delete next.doubts;
  return next;
}

/** The oldest "checked" date among the service's facts: every fact was confirmed on or after it. */
export function lastConfirmed(service: Service): string | null {
  const { categories: _categories, ...facts } = service.provenance;
  const dates = Object.values(facts)
    .map((p) => p?.checked)
    .filter((d): d is string => Boolean(d))
    .sort();
  return dates[0] ?? null;
}

export function statusLabel(status: string): string {
  return STATUSES.find((s) => s.value === status)?.label ?? status;
}
