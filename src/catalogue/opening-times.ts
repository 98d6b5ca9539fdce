// When a service is open: a day's openings, the status "now", a weekly
// summary and the coming dates. Pure functions: `now` is always an argument,
// and every comparison is made in London wall-clock time.

import { WEEKDAYS, type Service, type Weekday } from './types.ts';
import {
  addDays,
  londonParts,
  toMinutes,
  weekdayOf,
  type LocalDate,
} from '../time/london.ts';

export interface Slot {
  opens_at: string | null;
  closes_at: string | null;
  note: string | null;
}

export interface DayOpenings {
  /** A holiday_schedule closes the service on this date. */
  closed: boolean;
  holidayNote: string | null;
  slots: Slot[];
}

export interface DayOccurrence extends DayOpenings {
  date: LocalDate;
  weekday: Weekday;
}

export type OpeningStatus =
  | { kind: 'always' }
  | { kind: 'unknown' }
  | { kind: 'open_now'; until: string | null }
  | { kind: 'opens_today'; at: string }
  | { kind: 'today_times_unknown' }
  | { kind: 'next'; date: LocalDate; weekday: Weekday; at: string | null; daysAhead: number }
  | { kind: 'closed_until_further_notice' };

export interface WeeklyEntry {
  days: Weekday[];
  opens_at: string | null;
  closes_at: string | null;
  note: string | null;
}

/** How far ahead openingStatus looks for the next opening. */
export const LOOKAHEAD_DAYS = 14;

function bySlotStart(a: Slot, b: Slot): number {
  if (a.opens_at === b.opens_at) return 0;
  if (a.opens_at === null) return 1;
  if (b.opens_at === null) return -1;
  return toMinutes(a.opens_at) - toMinutes(b.opens_at);
}

/** Slots from the regular weekly schedule on this weekday, earliest first. */
function regularSlots(service: Service, weekday: Weekday): Slot[] {
  const slots: Slot[] = [];
  for (const s of service.schedules ?? []) {
    if (s.byday.includes(weekday)) {
      slots.push({ opens_at: s.opens_at, closes_at: s.closes_at, note: s.note });
    }
  }
  return slots.sort(bySlotStart);
}

/**
 * The openings on one London date.
 * - A holiday_schedule covering the date with closed=true closes it (slots []).
 * - Otherwise holiday_schedules covering the date with closed=false and a
 *   time replace the regular slots for that date. One with closed=false and
 *   no times at all only contributes its note (regular hours stand).
 * holidayNote is the note of the covering holiday_schedule (a closing one
 * first), or null.
 */
export function dayOpenings(service: Service, date: LocalDate): DayOpenings {
  const holidays = service.holiday_schedules.filter(
    (h) => h.start_date <= date && date <= h.end_date,
  );
  const closing = holidays.find((h) => h.closed);
  if (closing) {
    const note = closing.note ?? holidays.find((h) => h.note !== null)?.note ?? null;
    return { closed: true, holidayNote: note, slots: [] };
  }
  const holidayNote = holidays.find((h) => h.note !== null)?.note ?? null;
  const replacements = holidays.filter((h) => h.opens_at !== null || h.closes_at !== null);
  if (replacements.length > 0) {
    const slots = replacements
      .map((h) => ({ opens_at: h.opens_at, closes_at: h.closes_at, note: h.note }))
      .sort(bySlotStart);
    return { closed: false, holidayNote, slots };
  }
  return { closed: false, holidayNote, slots: regularSlots(service, weekdayOf(date)) };
}

/** A slot that runs past midnight (e.g. 20:00–08:00); 'HH:MM'–'00:00' ends at midnight. */
function isOvernight(slot: Slot): boolean {
  return (
    slot.opens_at !== null &&
    slot.closes_at !== null &&
    toMinutes(slot.closes_at) < toMinutes(slot.opens_at)
  );
}

/**
 * Whether the service is open at `now`, or when it next opens.
 * Checks, in order: always open → no schedule (unknown) → today (open now,
 * opens later today, runs today at unknown times; a slot that has already
 * closed doesn't count; a holiday closure skips today) → the next date with
 * a slot within LOOKAHEAD_DAYS, skipping holiday closures → closed until
 * further notice.
 *
 * Slots are in London wall-clock time. A slot whose closing time is earlier
 * than its opening time runs overnight into the next day.
 */
export function openingStatus(service: Service, now: Date): OpeningStatus {
  if (service.always_open) return { kind: 'always' };
  if (service.schedules === null || service.schedules.length === 0) return { kind: 'unknown' };

  const { date, minutes: n } = londonParts(now);

  // Last night's overnight slot may still be running.
  const yesterday = dayOpenings(service, addDays(date, -1));
  for (const slot of yesterday.slots) {
    if (isOvernight(slot) && n < toMinutes(slot.closes_at!)) {
      return { kind: 'open_now', until: slot.closes_at };
    }
  }

  const today = dayOpenings(service, date);
  if (!today.closed && today.slots.length > 0) {
    let opensLater: string | null = null;
    let unknownTimes = false;
    for (const slot of today.slots) {
      const o = slot.opens_at === null ? null : toMinutes(slot.opens_at);
      const c = slot.closes_at === null ? null : toMinutes(slot.closes_at);
      if (o !== null) {
        const closesToday = c === null || c > o ? c : 24 * 60; // overnight: open to midnight
        if (n < o) {
          if (opensLater === null) opensLater = slot.opens_at; // slots are sorted
        } else if (closesToday === null || n < closesToday) {
          return { kind: 'open_now', until: slot.closes_at };
        }
      } else if (c === null || n < c) {
        unknownTimes = true; // runs today, start unknown, not known to be over
      }
    }
    if (opensLater !== null) return { kind: 'opens_today', at: opensLater };
    if (unknownTimes) return { kind: 'today_times_unknown' };
  }

  for (let daysAhead = 1; daysAhead <= LOOKAHEAD_DAYS; daysAhead++) {
    const day = addDays(date, daysAhead);
    const openings = dayOpenings(service, day);
    if (!openings.closed && openings.slots.length > 0) {
      return {
        kind: 'next',
        date: day,
        weekday: weekdayOf(day),
        at: openings.slots[0].opens_at, // earliest known opening (null last)
        daysAhead,
      };
    }
  }
  return { kind: 'closed_until_further_notice' };
}

/**
 * The regular weekly schedule, grouped: days with identical times (and note)
 * merged, days in MO..SU order. Entries ordered by their first day, then
 * opening time.
 */
export function weeklySummary(service: Service): WeeklyEntry[] {
  const groups = new Map<string, WeeklyEntry>();
  for (const s of service.schedules ?? []) {
    const key = JSON.stringify([s.opens_at, s.closes_at, s.note]);
    let entry = groups.get(key);
    if (!entry) {
      entry = { days: [], opens_at: s.opens_at, closes_at: s.closes_at, note: s.note };
      groups.set(key, entry);
    }
    for (const d of s.byday) if (!entry.days.includes(d)) entry.days.push(d);
  }
  const order = (d: Weekday) => WEEKDAYS.indexOf(d);
  const entries = [...groups.values()].filter((e) => e.days.length > 0);
  for (const e of entries) e.days.sort((a, b) => order(a) - order(b));
  return entries.sort((a, b) => order(a.days[0]) - order(b.days[0]) || bySlotStart(a, b));
}

/**
 * The dates from the London date of `from`, for `days` days, on which the
 * service runs: every date where the regular schedule has a slot (including
 * dates a holiday closes, with closed: true), plus any date where a holiday
 * schedule adds opening hours on a day it doesn't normally run.
 */
export function nextOccurrences(service: Service, from: Date, days: number): DayOccurrence[] {
  const start = londonParts(from).date;
  const result: DayOccurrence[] = [];
  for (let i = 0; i < days; i++) {
    const date = addDays(start, i);
    const weekday = weekdayOf(date);
    const openings = dayOpenings(service, date);
    if (regularSlots(service, weekday).length > 0 || openings.slots.length > 0) {
      result.push({ date, weekday, ...openings });
    }
  }
  return result;
}
