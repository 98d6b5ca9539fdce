// How long things are kept: sessions until SESSION_TTL_DAYS idle (people with
// reminders keep theirs), message ids only as long as Twilio may redeliver
// (a day), finished reminder rows 30 days (delivery questions), then gone.
import type { RetentionStore } from './store.ts';
import { weekOf } from '../report/week.ts';

const DAY = 24 * 3600_000;

export async function purgeExpired(store: RetentionStore, now: Date, sessionTtlDays: number) {
  return store.purge({
    sessionsBefore: new Date(now.getTime() - sessionTtlDays * DAY),
    processedBefore: new Date(now.getTime() - DAY),
    outboxBefore: new Date(now.getTime() - 30 * DAY),
    // The needs report keeps who was counted only for the open week.
    reportWeeksBefore: weekOf(now),
  });
}
