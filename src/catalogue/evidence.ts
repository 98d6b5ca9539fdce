// How old the evidence for a fact is. Until facts are confirmed with the
// organisations (issue 13), the only age we know is that of the pages: a fact
// whose newest page is over a year old is said to be that old.
//
// A page's date is taken at its latest possible day ("2016" = 31 Dec 2016),
// and a fact with any undated page among its sources has no known age (that
// page may be new): we only call a fact old when it surely is.
import { addDays, londonParts, type LocalDate } from '../time/london.ts';
import type { Catalogue, Provenance, Service, Source } from './types.ts';

/** Days after its newest page that a fact counts as old. */
export const OLD_AFTER_DAYS = 365;

/** The last day a source's date can mean, or null when the page has no known date. */
export function sourceDate(src: Source): LocalDate | null {
  const d = src.published ?? src.circa ?? null;
  if (d === null) return null;
  if (/^\d{4}$/.test(d)) return `${d}-12-31`;
  const m = /^(\d{4})-(\d{2})$/.exec(d);
  if (m) {
    const next = Number(m[2]) === 12 ? `${Number(m[1]) + 1}-01-01` : `${m[1]}-${String(Number(m[2]) + 1).padStart(2, '0')}-01`;
    return addDays(next, -1);
  }
  return d;
}

/** The date of the newest of these sources, or null when one of them is undated (or none is named). */
export function newestEvidence(cat: Catalogue, p: Provenance | undefined): LocalDate | null {
  if (!p || p.sources.length === 0) return null;
  let newest: LocalDate | null = null;
  for (const id of p.sources) {
    const src = cat.sources[id];
    const d = src ? sourceDate(src) : null;
    if (d === null) return null;
    if (newest === null || d > newest) newest = d;
  }
  return newest;
}

/** The year of the newest source when it is over a year old at `now`, else null. */
export function oldYear(cat: Catalogue, p: Provenance | undefined, now: Date): string | null {
  const newest = newestEvidence(cat, p);
  if (newest === null) return null;
  const today = londonParts(now).date;
  return addDays(newest, OLD_AFTER_DAYS) < today ? newest.slice(0, 4) : null;
}

export interface OldFacts {
  /** What the service is and offers (its description) rests on pages over a year old: their year. */
  info: string | null;
  /** The weekly times: likewise. */
  times: string | null;
  /** The place: likewise. */
  place: string | null;
  /** Categories with sources of their own (provenance.categories) over a year old. */
  offers: Array<{ category: string; year: string }>;
}

const NONE: OldFacts = { info: null, times: null, place: null, offers: [] };

/**
 * The facts a person acts on (what is offered, when, where) that rest only on
 * pages over a year old. 24-hour lines (999, NHS 111) are not flagged: the
 * call itself is the check.
 */
export function oldFacts(cat: Catalogue, service: Service, now: Date): OldFacts {
  if (service.always_open) return NONE;
  const p = service.provenance;
  return {
    info: oldYear(cat, p.description, now),
    times: (service.schedules?.length ?? 0) > 0 ? oldYear(cat, p.schedules, now) : null,
    place: service.location ? oldYear(cat, p.location, now) : null,
    offers: service.categories.flatMap((category) => {
      const year = oldYear(cat, p.categories?.[category], now);
      return year ? [{ category, year }] : [];
    }),
  };
}
