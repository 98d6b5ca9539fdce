// How fresh a service's facts are, for the line that ends its details:
// "Checked: Dec 2026" when the organisation confirmed them within FRESH_DAYS,
// else "Not confirmed since 2019: phone first". Pure: the clock is passed in.
import { sourceDate } from '../catalogue/evidence.ts';
import type { Catalogue, Provenance, Service } from '../catalogue/types.ts';
import { addDays, londonParts, type LocalDate } from '../time/london.ts';

/** FRESH_DAYS's default: a confirmation older than this is not shown as "Checked". */
export const DEFAULT_FRESH_DAYS = 90;

export type Freshness =
  /** Confirmed with the organisation within FRESH_DAYS, on `date` (London). */
  | { confirmed: true; date: LocalDate }
  /** Never confirmed, or too long ago: `year` of the newest evidence (null if none is known). */
  | { confirmed: false; year: string | null };

/** Confirmed within `freshDays` of today (London dates, so right across the clock changes)? */
export function isFresh(service: Service, now: Date, freshDays: number): boolean {
  const d = service.assured_date;
  return d !== undefined && addDays(d, freshDays) >= londonParts(now).date;
}

/**
 * The year of the newest evidence for what a person acts on (what the
 * service is, when, where: the facts src/catalogue/evidence.ts dates): a
 * page's own date (or `circa`), or for an undated page the day a person saw
 * it say so (`checked`, never after today). A confirmation too old to count
 * is evidence of its own year.
 */
export function newestEvidenceYear(cat: Catalogue, service: Service, now: Date): string | null {
  const today = londonParts(now).date;
  const p = service.provenance;
  const facts = [p.description, p.schedules, p.location].filter((x): x is Provenance => Boolean(x));
  let newest: LocalDate | null = service.assured_date ?? null;
  for (const f of facts) {
    for (const id of f.sources) {
      const src = cat.sources[id];
      let d = (src ? sourceDate(src) : null) ?? f.checked;
      if (d > f.checked) d = f.checked; // "2025" means by 31 Dec 2025 at the latest, and no later than it was seen
      if (d > today) d = today;
      if (newest === null || d > newest) newest = d;
    }
  }
  return newest === null ? null : newest.slice(0, 4);
}

export function freshness(cat: Catalogue, service: Service, now: Date, freshDays: number): Freshness {
  if (isFresh(service, now, freshDays)) return { confirmed: true, date: service.assured_date! };
  return { confirmed: false, year: newestEvidenceYear(cat, service, now) };
}

/** What freshnessText needs from the language: its templates. */
export interface FreshTexts {
  t(name: string, vars?: Record<string, string | number>): string;
}

/** The month's short name in this language (templates.months_short: twelve names separated by "|"). */
export function monthShort(tx: FreshTexts, month: number): string {
  const names = tx.t('months_short').split('|');
  return names[month - 1]?.trim() || String(month);
}

/** The line itself, in the person's language. */
export function freshnessText(tx: FreshTexts, f: Freshness, service: Service): string {
  if (f.confirmed) return tx.t('fresh_checked', { month: monthShort(tx, Number(f.date.slice(5, 7))), year: f.date.slice(0, 4) });
  const advice = tx.t(service.phones?.length ? 'advice_phone' : 'advice_ask');
  return f.year ? tx.t('fresh_not_since', { year: f.year, advice }) : tx.t('fresh_never', { advice });
}
