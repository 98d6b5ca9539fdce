// The storage seams: one small async interface for each thing held. SQLite
// is the embedded default and PostgreSQL the engine for several instances;
// each class implements all of them (one database), and every caller takes
// only the interface it needs. Async from the start, even though
// better-sqlite3 is synchronous, so that callers never need to change.
// A store for another thing (the catalogue and its revisions) sits beside
// these the same way.
import type { Channel } from '../core/inbound.ts';
import type { ClaimedRow, DueItem, Effect, OutboxRow, PersonReminders, SubscriptionContact, SubscriptionRow } from '../core/domain.ts';
import type { ReportCount } from '../report/types.ts';

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
  /** What the message adds to the needs report (src/report), in the same transaction. */
  count?: ReportCount | null;
  /**
   * The person's reminders the turn was computed from (as startTurn gave
   * them). A store that hands them out from memory (PostgreSQL) says
   * 'conflict' when they changed since; SQLite reads them just before.
   */
  reminders?: PersonReminders;
}

/** What a turn starts from. */
export interface TurnStart {
  /** The replies already sent, when this MessageSid was handled before (then nothing else is read). */
  repeated: string[] | null;
  session: { data: unknown; version: number } | null;
  reminders: PersonReminders;
}

export type SaveOutcome = 'saved' | 'duplicate' | 'conflict';

/** Sessions and turns: what the webhook reads and writes for every message. */
export interface SessionStore {
  /**
   * The session and the reminders a turn starts from, and whether the
   * message was handled before. SQLite reads them in one go; PostgreSQL
   * answers from what its own last turn for the person left (no round
   * trip), and saveTurn's single statement says 'conflict' (and refreshes
   * it) when that is stale, or 'duplicate' when the MessageSid was handled.
   */
  startTurn(subject: string, messageId: string | null): Promise<TurnStart>;
  getSession(subject: string): Promise<{ data: unknown; version: number } | null>;
  /** The replies already sent for this message, if it was handled before. */
  getProcessed(messageId: string): Promise<string[] | null>;
  /**
   * Saves the session, the replies and the effects in one transaction.
   * 'duplicate': messageId was handled already (nothing written);
   * 'conflict': the session changed since it was read (another instance
   * handled a message of the same person): nothing written, step again.
   */
  saveTurn(turn: TurnRecord): Promise<SaveOutcome>;
  /** Erase everything held about this person: session, processed ids, subscriptions, outbox, contact. */
  forget(subject: string): Promise<void>;
}

/** A person's own reminders: the truth the engine is given before each turn. */
export interface PersonReminderStore {
  remindersOf(subject: string): Promise<PersonReminders>;
}

/** Subscriptions, as the scheduler and the dispatcher use them. */
export interface SubscriptionStore extends PersonReminderStore {
  /** Subscriptions of people who have not opted out. */
  activeSubscriptions(): Promise<SubscriptionRow[]>;
  /** Who each subscription would go to (for `npm run reminders due`). */
  subscriptionContacts(ids: number[]): Promise<Map<number, SubscriptionContact>>;
  /** Twilio says the number opted out (21610): stop everything to it. */
  markOptedOut(subject: string): Promise<void>;
  /** Twilio says the number is not a mobile: drop the subscription. */
  dropSubscription(subscriptionId: number): Promise<void>;
}

/** Delivery updates from Twilio (the status callback). */
export interface DeliveryStore {
  /** False if no outbox row has that sid. */
  recordDelivery(twilioSid: string, status: string, errorCode: string | null, now: Date): Promise<boolean>;
}

/** The reminder outbox: exactly-once sending (see README, "Exactly once"). */
export interface OutboxStore extends DeliveryStore {
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
  outboxRows(): Promise<OutboxRow[]>;
}

/** What the dispatcher needs: subscriptions and the outbox. */
export type ReminderStore = SubscriptionStore & OutboxStore;

export interface PurgeCut {
  sessionsBefore: Date;
  processedBefore: Date;
  outboxBefore: Date;
  /** The needs report's people hashes of weeks before this Monday (its open week). */
  reportWeeksBefore?: string;
}

/** Retention: what is deleted when it is old. */
export interface RetentionStore {
  /**
   * Sessions idle since before `sessionsBefore` (unless the person has
   * reminders), processed-message ids older than `processedBefore`, and
   * finished outbox rows older than `outboxBefore`, and the needs report's
   * people hashes of weeks before `reportWeeksBefore`. Returns what was deleted.
   */
  purge(cut: PurgeCut): Promise<{ sessions: number; processed: number; outbox: number }>;
}

/** Where a store reports trouble it survives (a lost connection, a failed checkpoint): a pino logger fits. */
export interface StoreLogger {
  warn(obj: object, msg: string): void;
}

export interface Closable {
  /** Finishes what is in flight and closes the connections; safe to call twice. */
  close(): Promise<void>;
}

/** One database, all of the above: what openStore() returns and the server hands out piece by piece. */
export interface Store extends SessionStore, SubscriptionStore, OutboxStore, RetentionStore, Closable {}
