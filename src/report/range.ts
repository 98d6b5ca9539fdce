// The weeks a report covers: from the week of one date to the week of
// another (both Mondays, London time); by default the last 12 weeks.
import { addDays } from '../time/london.ts';
import { mondayOf, parseDay, weekOf } from './week.ts';

export const DEFAULT_WEEKS = 12;
export const MAX_WEEKS = 156;

export type Range = { from: string; to: string };

export function defaultRange(now: Date): Range {
  const to = weekOf(now);
  return { from: addDays(to, -7 * (DEFAULT_WEEKS - 1)), to };
}

/** The range asked for, or the problem with it (words for people). */
export function parseRange(q: { from?: string | null; to?: string | null }, now: Date): { range: Range } | { error: string } {
  const fromIn = q.from?.trim() || null;
  const toIn = q.to?.trim() || null;
  const fromDay = fromIn === null ? null : parseDay(fromIn);
  if (fromIn !== null && !fromDay) return { error: `"From" must be a date like 2026-11-30, not "${fromIn}"` };
  const toDay = toIn === null ? null : parseDay(toIn);
  if (toIn !== null && !toDay) return { error: `"To" must be a date like 2026-11-30, not "${toIn}"` };
  const to = toDay ? mondayOf(toDay) : fromDay ? addDays(mondayOf(fromDay), 7 * (DEFAULT_WEEKS - 1)) : weekOf(now);
  const from = fromDay ? mondayOf(fromDay) : addDays(to, -7 * (DEFAULT_WEEKS - 1));
  if (from > to) return { error: '"From" is after "To"' };
  const weeks = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / (7 * 86_400_000)) + 1;
  if (weeks > MAX_WEEKS) return { error: `At most ${MAX_WEEKS} weeks at a time (asked for ${weeks})` };
  return { range: { from, to } };
}
