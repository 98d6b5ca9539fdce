// The words every part of Waymark shares: what a person asked to be reminded
// of, what is due, what the outbox holds. Types only; the engine, the store
// and the reminders import them from here and not from each other.
import type { Channel } from './inbound.ts';

/** When a reminder goes: 08:00 London on the day, or 18:00 the evening before. */
export type Timing = 'morning' | 'evening';

/** One reminder a person has asked for (a row of the subscriptions table). */
export interface Reminder {
  service: string;
  timing: Timing;
}

/**
 * A person's reminders as the store holds them: the one source of truth,
 * read by the host before each turn and given to the engine.
 */
export interface PersonReminders {
  /** In the order they were asked for (what REMINDERS numbers). */
  list: Reminder[];
  /** The number opted out (STOP, or Twilio's 21610): nothing goes until START. */
  optedOut: boolean;
}

export const NO_REMINDERS: PersonReminders = Object.freeze({ list: [], optedOut: false }) as PersonReminders;

/** A subscription as the scheduler sees it (no person, no number). */
export interface SubscriptionRow {
  id: number;
  serviceId: string;
  timing: Timing;
  createdAt: Date;
}

/** A reminder (or a "closed this week" notice) due at a moment. */
export interface DueItem {
  /** `${subscriptionId}:${occurrenceDate}`: unique per (subscription, occurrence). */
  key: string;
  subscriptionId: number;
  serviceId: string;
  /** YYYY-MM-DD London date of the drop-in. */
  occurrenceDate: string;
  /** The instant the reminder is due. */
  sendAt: Date;
  /** 'staff_message': a message from the staff desk to a service's subscribers. */
  kind: 'reminder' | 'closed_notice' | 'staff_message';
}

/**
 * Work for the host to carry out, in the same transaction as the new session:
 * the engine decides, the store does.
 */
export type Effect =
  | { type: 'subscribe'; service: string; timing: Timing }
  | { type: 'unsubscribe'; service: string | null /* null = all */ }
  | { type: 'opt_out' }
  | { type: 'opt_in' }
  | { type: 'forget' };

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface OutboxRow {
  id: number;
  key: string;
  subscriptionId: number | null;
  subject: string;
  serviceId: string;
  timing: Timing;
  occurrenceDate: string;
  kind: DueItem['kind'];
  sendAt: Date;
  status: OutboxStatus;
  attempts: number;
  claimedAt: Date | null;
  body: string | null;
  twilioSid: string | null;
  errorCode: string | null;
  deliveryStatus: string | null;
}

/** Who a reminder goes to: the number (decrypted), their channel and language. */
export interface SubscriptionContact {
  address: string;
  channel: Channel;
  lang: string;
  lastInboundAt: Date | null;
  optedOut: boolean;
}

/** An outbox row with what sending it needs. */
export interface ClaimedRow extends OutboxRow, SubscriptionContact {}
