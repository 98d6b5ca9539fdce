// ISO weeks in London time: the week of an instant is the Monday that starts it.
import { addDays, londonParts, type LocalDate } from '../time/london.ts';

const OFFSET: Record<string, number> = { MO: 0, TU: 1, WE: 2, TH: 3, FR: 4, SA: 5, SU: 6 };

/** The Monday (London date) of the ISO week `at` falls in. */
export function weekOf(at: Date): LocalDate {
  const p = londonParts(at);
  return addDays(p.date, -OFFSET[p.weekday]);
}

/** The Monday of the week a London date falls in. */
export function mondayOf(date: LocalDate): LocalDate {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((day + 6) % 7));
}

/** A 'YYYY-MM-DD' that is a real date, or null. */
export function parseDay(s: string): LocalDate | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s ? s : null;
}

/** Mondays from `from` to `to`, inclusive (both Mondays). */
export function weeksBetween(from: LocalDate, to: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  for (let w = from; w <= to && out.length < 600; w = addDays(w, 7)) out.push(w);
  return out;
}
