// "What's open today" in a city: open now first (until when), then later
// today (from when), then those running today at times not confirmed. Pure:
// the time is an argument, London wall-clock time, closures respected.
import { offeredServices } from '../catalogue/offered.ts';
import { openingStatus } from '../catalogue/opening-times.ts';
import type { Catalogue, CityId, Service } from '../catalogue/types.ts';
import { toMinutes } from '../time/london.ts';

export type TodayEntry =
  | { service: Service; kind: 'open_now'; time: string | null }
  | { service: Service; kind: 'later'; time: string }
  | { service: Service; kind: 'unknown_time' };

export interface TodayList {
  entries: TodayEntry[];
  /** When nothing is known to be open today: the soonest next opening, if any. */
  next: { service: Service; weekday: import('../catalogue/types.ts').Weekday; time: string | null } | null;
}

/**
 * Services of the city (in one category, or all) known to be open today.
 * Lines that are always open (999, 111) are left out unless the category is
 * crisis: they are one keyword away and would crowd the list.
 */
export function openToday(catalogue: Catalogue, city: CityId, category: string | null, now: Date): TodayList {
  const ids = new Set<string>();
  const services: Service[] = [];
  for (const c of category ? [category] : catalogue.categories.map((x) => x.id)) {
    for (const s of offeredServices(catalogue, city, c)) {
      if (ids.has(s.id)) continue;
      ids.add(s.id);
      services.push(s);
    }
  }
  const openNow: TodayEntry[] = [];
  const later: Array<TodayEntry & { kind: 'later' }> = [];
  const unknown: TodayEntry[] = [];
  let next: TodayList['next'] = null;
  let nextKey = Infinity;
  for (const service of services) {
    const st = openingStatus(service, now);
    if (st.kind === 'always') {
      if (category === 'crisis') openNow.push({ service, kind: 'open_now', time: null });
    } else if (st.kind === 'open_now') openNow.push({ service, kind: 'open_now', time: st.until });
    else if (st.kind === 'opens_today') later.push({ service, kind: 'later', time: st.at });
    else if (st.kind === 'today_times_unknown') unknown.push({ service, kind: 'unknown_time' });
    else if (st.kind === 'next') {
      const key = st.daysAhead * 24 * 60 + (st.at ? toMinutes(st.at) : 24 * 60 - 1);
      if (key < nextKey) {
        nextKey = key;
        next = { service, weekday: st.weekday, time: st.at };
      }
    }
  }
  later.sort((a, b) => toMinutes(a.time) - toMinutes(b.time));
  const entries = [...openNow, ...later, ...unknown];
  return { entries, next: entries.length ? null : next };
}
