// London local time, without a time library.
//
// Everything here is pure: the current time is always an argument. The only
// source of time-zone rules is Intl (Node ships full ICU), asked once per UTC
// hour and cached, so londonParts() is cheap enough to call in a tight loop.

import { WEEKDAYS, type Weekday } from '../catalogue/types.ts';

/** A London calendar date, 'YYYY-MM-DD'. */
export type LocalDate = string;
/** A London wall-clock time, 'HH:MM'. */
export type LocalTime = string;

export interface LondonParts {
  date: LocalDate;
  time: LocalTime;
  /** Wall-clock minutes since local midnight (hours × 60 + minutes). */
  minutes: number;
  weekday: Weekday;
}

export const TIME_ZONE = 'Europe/London';

/** Indexed by Date#getUTCDay() (0 = Sunday). */
const WEEKDAYS_BY_JS_DAY: readonly Weekday[] = [WEEKDAYS[6], ...WEEKDAYS.slice(0, 6)];

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

let formatter: Intl.DateTimeFormat | null = null;
function londonFormatter(): Intl.DateTimeFormat {
  if (formatter === null) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
      era: 'short', // so years before 1 CE are not silently folded
    });
  }
  return formatter;
}

// London's offset only ever changes on a whole UTC hour (01:00Z since 1996,
// and on the hour before that), so it is cached per UTC hour.
const offsetCache = new Map<number, number>();
const OFFSET_CACHE_LIMIT = 50_000;

/** The London offset from UTC, in ms, at the instant `ms` (epoch ms). */
let lastHour = NaN;
let lastOffset = 0;
function offsetAt(ms: number): number {
  const hour = Math.floor(ms / MS_PER_HOUR);
  if (hour === lastHour) return lastOffset;
  const cached = offsetCache.get(hour);
  if (cached !== undefined) {
    lastHour = hour;
    lastOffset = cached;
    return cached;
  }

  const start = hour * MS_PER_HOUR;
  let year = 0;
  let month = 1;
  let day = 1;
  let h = 0;
  let m = 0;
  let s = 0;
  let bc = false;
  for (const part of londonFormatter().formatToParts(new Date(start))) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        h = Number(part.value);
        break;
      case 'minute':
        m = Number(part.value);
        break;
      case 'second':
        s = Number(part.value);
        break;
      case 'era':
        bc = part.value.startsWith('B');
        break;
    }
  }
  if (bc) year = 1 - year;
  const wall = utcMs(year, month, day, h, m, s);
  const offset = wall - start;
  if (offsetCache.size >= OFFSET_CACHE_LIMIT) offsetCache.clear();
  offsetCache.set(hour, offset);
  lastHour = hour;
  lastOffset = offset;
  return offset;
}

/** Date.UTC without its 0–99 → 1900–1999 year mapping. */
function utcMs(year: number, month: number, day: number, h = 0, m = 0, s = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, m, s, 0);
  return d.getTime();
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatYear(y: number): string {
  if (y >= 0 && y <= 9999) return String(y).padStart(4, '0');
  return (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0');
}

/** The date, time and weekday London clocks show at `at`. */
export function londonParts(at: Date): LondonParts {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new Error('londonParts: invalid Date');
  const wall = new Date(ms + offsetAt(ms));
  const h = wall.getUTCHours();
  const m = wall.getUTCMinutes();
  return {
    date: `${formatYear(wall.getUTCFullYear())}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())}`,
    time: `${pad2(h)}:${pad2(m)}`,
    minutes: h * 60 + m,
    weekday: WEEKDAYS_BY_JS_DAY[wall.getUTCDay()],
  };
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

function parseDate(date: LocalDate): [number, number, number] {
  const match = DATE_RE.exec(date);
  if (match) {
    const y = Number(match[1]);
    const mo = Number(match[2]);
    const d = Number(match[3]);
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)) return [y, mo, d];
  }
  throw new Error(`invalid date "${date}": expected YYYY-MM-DD`);
}

/** Minutes since midnight of 'HH:MM' (00:00–24:00; 24:00 = 1440, end of day). */
export function toMinutes(time: LocalTime): number {
  const match = TIME_RE.exec(time);
  if (match) {
    const h = Number(match[1]);
    const m = Number(match[2]);
    if (m <= 59 && (h <= 23 || (h === 24 && m === 0))) return h * 60 + m;
  }
  throw new Error(`invalid time of day "${time}": expected HH:MM`);
}

/** Negative if a is earlier in the day than b, 0 if equal, positive if later. */
export function compareTime(a: LocalTime, b: LocalTime): number {
  return Math.sign(toMinutes(a) - toMinutes(b));
}

export function addDays(date: LocalDate, n: number): LocalDate {
  const [y, mo, d] = parseDate(date);
  const t = new Date(utcMs(y, mo, d) + n * MS_PER_DAY);
  return `${formatYear(t.getUTCFullYear())}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

export function weekdayOf(date: LocalDate): Weekday {
  const [y, mo, d] = parseDate(date);
  return WEEKDAYS_BY_JS_DAY[new Date(utcMs(y, mo, d)).getUTCDay()];
}

/**
 * The instant at which London clocks show `date` `time`.
 * In the spring-forward gap (a time that never happens) this is the moment
 * the clocks jump, i.e. the first valid time after it (01:30 → 02:00 BST).
 * In the autumn overlap (a time that happens twice) it is the first, BST,
 * occurrence.
 */
export function londonToInstant(date: LocalDate, time: LocalTime): Date {
  const [y, mo, d] = parseDate(date);
  const minutes = toMinutes(time);
  const wall = utcMs(y, mo, d) + minutes * MS_PER_MINUTE;

  // The offsets in force a little before and a little after: any
  // transition near this wall time lies between them.
  const before = offsetAt(wall - 3 * MS_PER_HOUR);
  const after = offsetAt(wall + 3 * MS_PER_HOUR);
  const candidates = before === after ? [before] : [before, after];
  let best: number | null = null;
  for (const offset of candidates) {
    const t = wall - offset;
    if (offsetAt(t) === offset && (best === null || t < best)) best = t;
  }
  if (best !== null) return new Date(best);

  // A gap: the wall time is skipped. Find the instant of the jump, which
  // lies in (wall - larger offset, wall - smaller offset].
  let lo = wall - Math.max(before, after);
  let hi = wall - Math.min(before, after);
  const jumpedTo = offsetAt(hi);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid) === jumpedTo) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

const WHEN_RE =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Parse a command-line time. With Z or an offset it is that instant; without
 * one it is London local time (via londonToInstant); a bare date is London
 * midnight.
 */
export function parseWhen(s: string): Date {
  const fail = (cause?: unknown): never => {
    throw new Error(
      `invalid time "${s}": expected ISO 8601 such as 2026-12-03T08:00 (London time) or 2026-12-03T08:00:00Z`,
      { cause },
    );
  };
  const match = WHEN_RE.exec(s.trim());
  if (!match) return fail();
  const [, date, hh, mm, ss, frac, zone] = match;
  let y: number, mo: number, d: number;
  try {
    [y, mo, d] = parseDate(date);
  } catch (e) {
    return fail(e);
  }
  if (hh === undefined) return londonToInstant(date, '00:00');

  const h = Number(hh);
  const m = Number(mm);
  const sec = ss === undefined ? 0 : Number(ss);
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  if (h > 23 || m > 59 || sec > 59) return fail();

  if (zone === undefined) {
    return new Date(londonToInstant(date, `${hh}:${mm}`).getTime() + sec * 1000 + ms);
  }
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return fail();
    offsetMinutes = sign * (oh * 60 + om);
  }
  return new Date(utcMs(y, mo, d, h, m, sec) + ms - offsetMinutes * MS_PER_MINUTE);
}
