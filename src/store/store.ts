// The storage seam. SQLite is the embedded default; a PostgreSQL store can
// implement the same interface. Async from the start, even though
// better-sqlite3 is synchronous, so that callers never need to change.
import type { Channel, Effect } from '../conversation/types.ts';
import type { DueItem, SubscriptionRow, Timing } from '../reminders/due.ts';

/** One handled message, stored in a single transaction with its effects. */
export interface TurnRecord {
  /** Keyed hash of the person's number: never the number itself. */
  subject: string;
  /** Twilio's MessageSid; null when there is none (the chat simulator). */
  messageId: string | null;
  session: unknown;
  /** The version of the session the turn was computed from (0: there was none). */
  expectedVersion: number;
  replies: string[];
  at: Date;
  effects: Effect[];
  /** Who to text reminders to; kept (encrypted) only while they have reminders. */
  contact: { address: string; channel: Channel; lang: string };
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface OutboxRow {
  id: number;
  key: string;
  subscriptionId: number | null;
  subject: string;
  serviceId: string;
  timing: Timing;
  occurrenceDate: string;
  /** 'staff_message': a message from the staff desk to a service's subscribers. */
  kind: 'reminder' | 'closed_notice' | 'staff_message';
  sendAt: Date;
  status: OutboxStatus;
  attempts: number;
  claimedAt: Date | null;
  body: string | null;
  twilioSid: string | null;
  errorCode: string | null;
  deliveryStatus: string | null;
}

/** An outbox row with what sending it needs: the number (decrypted) and the person's channel. */
export interface ClaimedRow extends OutboxRow {
  address: string;
  channel: Channel;
  lang: string;
  lastInboundAt: Date | null;
  optedOut: boolean;
}

export interface SubscriptionContact {
  address: string;
  channel: Channel;
  lang: string;
  lastInboundAt: Date | null;
  optedOut: boolean;
}

export interface Store {
  getSession(subject: string): Promise<{ data: unknown; version: number } | null>;
  /** The replies already sent for this message, if it was handled before. */
  getProcessed(messageId: string): Promise<string[] | null>;
  /**
   * Saves the session, the replies and the effects in one transaction.
   * 'duplicate': messageId was handled already (nothing written);
   * 'conflict': the session changed since it was read (another instance
   * handled a message of the same person): nothing written, step again.
   */
  saveTurn(turn: TurnRecord): Promise<'saved' | 'duplicate' | 'conflict'>;
  /** Erase everything held about this person: session, processed ids, subscriptions, outbox, contact. */
  forget(subject: string): Promise<void>;

  /** Subscriptions of people who have not opted out. */
  activeSubscriptions(): Promise<SubscriptionRow[]>;
  /** Adds due items to the outbox; an item already there (same key) is left alone. Returns how many were new. */
  enqueue(items: DueItem[], now: Date): Promise<number>;
  /** Takes up to `limit` pending rows due by `now` for this worker, marking them 'sending'. */
  claim(limit: number, now: Date, worker: string): Promise<ClaimedRow[]>;
  /** Rows left 'sending' since before `olderThan`: a dispatcher died holding them. */
  staleClaims(olderThan: Date): Promise<ClaimedRow[]>;
  /**
   * Records the exact message about to go, before it goes (for recovery).
   * False if the row is no longer this worker's claim: then it must not be sent.
   */
  prepare(id: number, body: string, worker: string): Promise<boolean>;
  markSent(id: number, sid: string, now: Date): Promise<void>;
  markRetry(id: number, nextAttemptAt: Date, code: string | null, now: Date): Promise<void>;
  markFailed(id: number, code: string | null, now: Date): Promise<void>;
  markSkipped(id: number, reason: string, now: Date): Promise<void>;
  /** Back to pending: the claim holder died before sending. */
  release(id: number): Promise<void>;
  /** Twilio says the number opted out (21610): stop everything to it. */
  markOptedOut(subject: string): Promise<void>;
  /** Twilio says the number is not a mobile: drop the subscription. */
  dropSubscription(subscriptionId: number): Promise<void>;
  /** A status callback. False if no outbox row has that sid. */
  recordDelivery(twilioSid: string, status: string, errorCode: string | null, now: Date): Promise<boolean>;
  outboxRows(): Promise<OutboxRow[]>;
  /**
   * Retention: sessions idle since before `sessionsBefore` (unless the person
   * has reminders), processed-message ids older than `processedBefore`, and
   * finished outbox rows older than `outboxBefore`. Returns what was deleted.
   */
  purge(cut: { sessionsBefore: Date; processedBefore: Date; outboxBefore: Date }): Promise<{ sessions: number; processed: number; outbox: number }>;
  /** Who each subscription would go to (for `npm run reminders due`). */
  subscriptionContacts(ids: number[]): Promise<Map<number, SubscriptionContact>>;

  close(): Promise<void>;
}
