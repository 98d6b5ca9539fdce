// London's offset from UTC by date, and the run of dates that share it (GMT
// from late October to late March, BST the rest of the year), for HSDS
// schedules: HSDS wants opens_at/closes_at with an offset ("10:00+01:00"),
// while Waymark's times are London wall-clock times all year.
import { addDays, londonToInstant, type LocalDate } from '../time/london.ts';

/** Minutes London is ahead of UTC at noon on `date` (0 for GMT, 60 for BST). */
export function londonOffsetMinutes(date: LocalDate): number {
  const noonUtc = Date.parse(`${date}T12:00:00Z`);
  return Math.round((noonUtc - londonToInstant(date, '12:00').getTime()) / 60_000);
}

const periods = new Map<LocalDate, { from: LocalDate; to: LocalDate; minutes: number }>();

/** The first and last dates around `date` with the same London offset (at noon). */
export function offsetPeriod(date: LocalDate): { from: LocalDate; to: LocalDate; minutes: number } {
  let p = periods.get(date);
  if (!p) {
    if (periods.size > 1000) periods.clear();
    p = findPeriod(date);
    periods.set(date, p);
  }
  return p;
}

function findPeriod(date: LocalDate): { from: LocalDate; to: LocalDate; minutes: number } {
  const minutes = londonOffsetMinutes(date);
  let from = date;
  while (londonOffsetMinutes(addDays(from, -1)) === minutes) from = addDays(from, -1);
  let to = date;
  while (londonOffsetMinutes(addDays(to, 1)) === minutes) to = addDays(to, 1);
  return { from, to, minutes };
}

/** "+00:00", "+01:00". */
export function offsetSuffix(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
