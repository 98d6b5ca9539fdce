// Which providers to ask, and when: pure functions of (catalogue, contacts,
// requests, now), in London time.
import type { Catalogue, Service } from '../catalogue/types.ts';
import { addDays, londonParts } from '../time/london.ts';
import { isFresh } from './line.ts';
import type { Contact, VerificationRequest } from './store.ts';

/** Requests go at 10:00 London time on a weekday; a server that was down may still send until 13:00, never later. */
export const ASK_AT = '10:00';
export const ASK_UNTIL = '13:00';
/** No answer in this many days: one reminder. */
export const REMIND_AFTER_DAYS = 14;
/** No answer in this many days: unconfirmed, on the desk. */
export const UNANSWERED_AFTER_DAYS = 28;
/** VERIFY_AFTER_DAYS's default. */
export const DEFAULT_VERIFY_AFTER_DAYS = 90;

export function inAskingWindow(now: Date): boolean {
  const p = londonParts(now);
  return !['SA', 'SU'].includes(p.weekday) && p.time >= ASK_AT && p.time < ASK_UNTIL;
}

/** The contact a request goes to: the first added that can still be texted. */
export function contactFor(service: Service, contacts: Contact[]): Contact | null {
  return contacts.filter((c) => c.serviceId === service.id && c.status === 'active').sort((a, b) => a.id - b.id)[0] ?? null;
}

/**
 * Services to ask now: not closed, with a contact, not confirmed within
 * `verifyAfterDays`, with no request open, and not asked within
 * `verifyAfterDays` (a request that could not be sent, or went to a removed
 * contact, does not count). Only in the asking window.
 */
export function dueRequests(
  catalogue: Catalogue,
  contacts: Contact[],
  requests: VerificationRequest[],
  now: Date,
  verifyAfterDays: number,
): Array<{ service: Service; contact: Contact }> {
  if (!inAskingWindow(now)) return [];
  const today = londonParts(now).date;
  const out: Array<{ service: Service; contact: Contact }> = [];
  for (const service of catalogue.services) {
    if (service.status === 'closed' || isFresh(service, now, verifyAfterDays)) continue;
    const contact = contactFor(service, contacts);
    if (!contact) continue;
    const asked = requests.some(
      (r) => r.serviceId === service.id && (r.status === 'open' || (r.status !== 'not_sent' && r.status !== 'cancelled' && addDays(r.openedDate, verifyAfterDays) > today)),
    );
    if (!asked) out.push({ service, contact });
  }
  return out;
}

/** Open requests whose text went, unanswered for 14 days and not yet reminded. Only in the asking window. */
export function dueReminders(requests: VerificationRequest[], now: Date): VerificationRequest[] {
  if (!inAskingWindow(now)) return [];
  const today = londonParts(now).date;
  return requests.filter((r) => r.status === 'open' && r.sentAt !== null && !r.reminded && addDays(r.openedDate, REMIND_AFTER_DAYS) <= today);
}
