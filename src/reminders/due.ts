// Which reminders are due at a given moment. Pure: `now` is an argument.
//
// A subscription asks for a reminder before each drop-in of one service with
// a weekly schedule: in the MORNING of the day (08:00 London) or the EVENING
// before (18:00 London). An occurrence is a London date whose weekday is in
// one of the service's regular_schedules. If a holiday_schedule closes that
// date, a 'closed_notice' is due instead of the reminder, under the same key,
// so that exactly one of the two can ever be sent for an occurrence.
//
// Performance: the send times that can fall in the window are the same for
// every service (at most a few dates around `now`), so they are computed once
// per call; each (service, timing) group is then resolved once, and the loop
// over subscriptions only compares numbers and builds the items.

import type { Catalogue, Service, Weekday } from '../catalogue/types.ts';
import { remindable } from '../catalogue/offered.ts';
import { dayOpenings } from '../catalogue/opening-times.ts';
import { addDays, londonParts, londonToInstant, weekdayOf, type LocalDate } from '../time/london.ts';
import type { DueItem, SubscriptionRow, Timing } from '../core/domain.ts';

// The types are the shared domain's; re-exported for the callers of due().
export type { DueItem, SubscriptionRow, Timing };

/** London time on the day of the drop-in. */
export const MORNING = '08:00';
/** London time on the evening before the drop-in. */
export const EVENING = '18:00';
/** A reminder more than 3 hours late is not sent. */
export const LATE_LIMIT_MS = 3 * 3600_000;

/** The instant a reminder for the drop-in on `occurrenceDate` is due. */
export function sendTimeFor(occurrenceDate: LocalDate, timing: Timing): Date {
  return timing === 'morning'
    ? londonToInstant(occurrenceDate, MORNING)
    : londonToInstant(addDays(occurrenceDate, -1), EVENING);
}

/** An occurrence whose send time falls in the window, before looking at any service. */
interface Candidate {
  date: LocalDate;
  weekday: Weekday;
  sendAtMs: number;
}

/** A candidate that applies to one service. */
interface GroupOccurrence {
  date: LocalDate;
  sendAtMs: number;
  kind: DueItem['kind'];
}

const MS_PER_DAY = 86_400_000;

/**
 * Occurrence dates, for one timing, whose send time lies in
 * (now - lateLimitMs, now]. A send time is on the London date of the
 * occurrence (morning) or the day before (evening), so only the London dates
 * from that of `now - lateLimitMs` to that of `now` can hold one.
 */
function candidatesFor(timing: Timing, nowMs: number, lateLimitMs: number): Candidate[] {
  const first = londonParts(new Date(nowMs - lateLimitMs)).date;
  const last = londonParts(new Date(nowMs)).date;
  const result: Candidate[] = [];
  // London days are 23–25 hours long: bound the walk generously.
  const maxDays = Math.ceil(lateLimitMs / MS_PER_DAY) + 2;
  let sendDate = first;
  for (let i = 0; i <= maxDays; i++) {
    const date = timing === 'morning' ? sendDate : addDays(sendDate, 1);
    const sendAtMs = sendTimeFor(date, timing).getTime();
    if (nowMs - lateLimitMs < sendAtMs && sendAtMs <= nowMs) {
      result.push({ date, weekday: weekdayOf(date), sendAtMs });
    }
    if (sendDate === last) break;
    sendDate = addDays(sendDate, 1);
  }
  return result;
}

const serviceIndexes = new WeakMap<Catalogue, Map<string, Service>>();

function serviceIndex(catalogue: Catalogue): Map<string, Service> {
  let index = serviceIndexes.get(catalogue);
  if (index === undefined) {
    index = new Map(catalogue.services.map((s) => [s.id, s]));
    serviceIndexes.set(catalogue, index);
  }
  return index;
}

function occurrencesFor(service: Service, candidates: Candidate[]): GroupOccurrence[] {
  const result: GroupOccurrence[] = [];
  for (const c of candidates) {
    if (!service.schedules!.some((s) => s.byday.includes(c.weekday))) continue;
    const closed = service.status === 'temporarily_closed' || dayOpenings(service, c.date).closed;
    result.push({ date: c.date, sendAtMs: c.sendAtMs, kind: closed ? 'closed_notice' : 'reminder' });
  }
  return result;
}

/**
 * The reminders due at `now`: for every subscription, each occurrence of its
 * service whose send time is in (now - lateLimitMs, now] and not before the
 * subscription was created. Subscriptions to a missing, closed,
 * professionals-only or unscheduled service give nothing.
 */
export function due(
  catalogue: Catalogue,
  subs: SubscriptionRow[],
  now: Date,
  lateLimitMs: number = LATE_LIMIT_MS,
): DueItem[] {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new Error('due: invalid Date');
  const services = serviceIndex(catalogue);
  const candidates: Record<Timing, Candidate[]> = {
    morning: candidatesFor('morning', nowMs, lateLimitMs),
    evening: candidatesFor('evening', nowMs, lateLimitMs),
  };
  const items: DueItem[] = [];
  if (candidates.morning.length === 0 && candidates.evening.length === 0) return items;

  const groups: Record<Timing, Map<string, GroupOccurrence[]>> = {
    morning: new Map(),
    evening: new Map(),
  };
  for (const sub of subs) {
    const timing = sub.timing;
    if (timing !== 'morning' && timing !== 'evening') continue; // an unknown timing from storage
    const cache = groups[timing];
    let occurrences = cache.get(sub.serviceId);
    if (occurrences === undefined) {
      const service = services.get(sub.serviceId);
      // A temporarily closed service still has its subscribers: they get the "closed" notice instead.
      const asIfOpen = service?.status === 'temporarily_closed' ? { ...service, status: 'active' as const } : service;
      occurrences = remindable(asIfOpen) && service ? occurrencesFor(service, candidates[timing]) : [];
      cache.set(sub.serviceId, occurrences);
    }
    if (occurrences.length === 0) continue;
    const createdMs = sub.createdAt.getTime();
    for (const o of occurrences) {
      if (!(o.sendAtMs >= createdMs)) continue; // (an invalid createdAt counts as not yet)
      items.push({
        key: `${sub.id}:${o.date}`,
        subscriptionId: sub.id,
        serviceId: sub.serviceId,
        occurrenceDate: o.date,
        sendAt: new Date(o.sendAtMs),
        kind: o.kind,
      });
    }
  }
  return items;
}
