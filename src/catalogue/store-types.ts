// The catalogue's own narrow store: the live catalogue and its revisions, and
// what the staff desk keeps (accounts, sessions, sign-in failures, the audit
// log, messages to subscribers). SQLite (store-sqlite.ts) and PostgreSQL
// (store-postgres.ts) implement it; the contract is test/staff/catalogue-store-contract.ts.
//
// Nothing here holds a texter's number or words: a message to subscribers is
// stored as the staff member wrote it, and its recipients are outbox rows
// keyed by the keyed hash, as reminders are.
import type { Catalogue } from './types.ts';

export type RevisionAction = 'seed' | 'import' | 'edit' | 'confirm' | 'closure_add' | 'closure_remove' | 'revert' | 'create' | 'delete' | 'assure';

export interface RevisionInput {
  /** The staff member's email, or "command line (…)" for npm run catalogue. */
  who: string;
  /** The service changed; null for the catalogue's other parts (sources, categories…). */
  serviceId: string | null;
  action: RevisionAction;
  /** Top-level keys changed (of the service, or of the catalogue when serviceId is null). */
  fields: string[];
  /** Their values before (a key absent here was absent before). */
  old: Record<string, unknown>;
  /** Their values after. */
  new: Record<string, unknown>;
  /** Where the new fact came from, as the editor said. */
  note: string | null;
  /** The revision this one reverts, if it is a revert. */
  revertOf?: number | null;
}

export interface Revision extends RevisionInput {
  id: number;
  at: Date;
  /** The catalogue version this revision produced. */
  version: number;
  revertOf: number | null;
}

export type StaffRole = 'admin' | 'editor';

export interface StaffAccount {
  email: string;
  role: StaffRole;
  /** scrypt$N$r$p$salt$hash (see src/staff/password.ts). */
  passwordHash: string;
  createdAt: Date;
}

export interface StaffSession {
  email: string;
  role: StaffRole;
  createdAt: Date;
  lastSeenAt: Date;
}

export interface AuditEntry {
  id: number;
  at: Date;
  who: string;
  action: string;
  /** Short, and never a texter's number or words. */
  detail: string;
}

export interface StaffMessage {
  id: number;
  serviceId: string;
  body: string;
  who: string;
  at: Date;
  /** Outbox rows made for it: one per subscriber who had not opted out. */
  recipients: number;
}

/** How a message to subscribers went: counts only, never who. */
export interface MessageCounts {
  /** Waiting for the dispatcher, or being sent. */
  queued: number;
  sent: number;
  /** Twilio reported it delivered (status callback). */
  delivered: number;
  failed: number;
  /** Not sent: opted out meanwhile, no WhatsApp template outside the 24-hour window… */
  notSent: number;
}

export interface CatalogueStore {
  /** The live catalogue's version: 0 when the store holds none. Cheap: polled every second. */
  catalogueVersion(): Promise<number>;
  loadCatalogue(): Promise<{ version: number; catalogue: Catalogue } | null>;
  /**
   * Replaces the catalogue, if its version is still `expectedVersion`, and
   * appends `revisions`, in one transaction. Returns the new version, or
   * 'conflict' when someone saved in between (nothing written).
   */
  saveCatalogue(catalogue: Catalogue, expectedVersion: number, revisions: RevisionInput[], at: Date): Promise<number | 'conflict'>;
  /** Newest first. */
  revisions(opts?: { limit?: number; serviceId?: string }): Promise<Revision[]>;
  revision(id: number): Promise<Revision | null>;

  addStaff(account: StaffAccount): Promise<boolean>;
  getStaff(email: string): Promise<StaffAccount | null>;
  listStaff(): Promise<StaffAccount[]>;
  /** Also ends their sessions. */
  removeStaff(email: string): Promise<boolean>;
  /** Also ends their sessions. */
  setPassword(email: string, passwordHash: string): Promise<boolean>;

  /** `tokenHash`: SHA-256 of the cookie's token; the token itself is never stored. */
  createSession(tokenHash: string, email: string, now: Date): Promise<void>;
  /** The session if it was used within `idleMs` (and marks it used now), else null (and deletes it). */
  touchSession(tokenHash: string, now: Date, idleMs: number): Promise<StaffSession | null>;
  deleteSession(tokenHash: string): Promise<void>;

  /** A failed sign-in (email lower-cased, or null when the account was locked and not tried). */
  recordLoginFailure(email: string | null, address: string, now: Date): Promise<void>;
  loginFailures(email: string, since: Date): Promise<number>;
  addressFailures(address: string, since: Date): Promise<number>;
  lockAccount(email: string, until: Date): Promise<void>;
  lockedUntil(email: string): Promise<Date | null>;
  /** After a successful sign-in: the account's failures are forgotten. */
  clearLoginFailures(email: string): Promise<void>;
  /** Sign-in failures and ended sessions older than `before`. */
  purgeDesk(before: Date): Promise<void>;

  audit(who: string, action: string, detail: string, now: Date): Promise<void>;
  auditLog(limit?: number): Promise<AuditEntry[]>;

  /** People who would get a message about this service: subscribers who have not opted out. */
  subscriberCount(serviceId: string): Promise<number>;
  /**
   * Stores the message and, in the same transaction, one outbox row for each
   * subscriber of the service who has not opted out (kind 'staff_message',
   * key staff:<message>:<subscription>, so never two for one person).
   */
  createStaffMessage(m: { serviceId: string; body: string; who: string; at: Date; sendAt: Date; validUntil: string }): Promise<StaffMessage>;
  staffMessages(serviceId: string, limit?: number): Promise<Array<StaffMessage & { counts: MessageCounts }>>;
  /** The text of a message, for the dispatcher. */
  staffMessageText(id: number): Promise<{ body: string; serviceId: string } | null>;

  close(): Promise<void>;
}

/** What a subscriber receives: the staff's words after the service's name, so they know what it is about. */
export function staffMessageText(serviceName: string, body: string): string {
  return serviceName ? `${serviceName}: ${body}` : body;
}

/** Outbox key of a message to one subscriber. */
export function staffMessageKey(messageId: number, subscriptionId: number): string {
  return `staff:${messageId}:${subscriptionId}`;
}

/** The message id in a staff-message outbox key, or null. */
export function staffMessageIdOf(key: string): number | null {
  const m = /^staff:(\d+):\d+$/.exec(key);
  return m ? Number(m[1]) : null;
}

/** Outbox status (and Twilio's delivery status) to the counts the desk shows. */
export function countStatuses(rows: Array<{ status: string; delivery: string | null; n: number }>): MessageCounts {
  const c: MessageCounts = { queued: 0, sent: 0, delivered: 0, failed: 0, notSent: 0 };
  for (const r of rows) {
    if (r.status === 'pending' || r.status === 'sending') c.queued += r.n;
    else if (r.status === 'sent') {
      if (r.delivery === 'undelivered' || r.delivery === 'failed') c.failed += r.n;
      else {
        c.sent += r.n;
        if (r.delivery === 'delivered' || r.delivery === 'read') c.delivered += r.n;
      }
    } else if (r.status === 'failed') c.failed += r.n;
    else c.notSent += r.n;
  }
  return c;
}
