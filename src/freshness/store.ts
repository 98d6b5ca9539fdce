// What keeping facts fresh stores: verification contacts (numbers encrypted
// like reminder numbers, found by the keyed hash), requests to providers and
// their answers, and an outbox of their texts with the reminders' guarantees
// (a unique key per text; claim, prepare, send, record; recovery after a
// crash). Tables of their own (freshness_*), versioned in freshness_schema,
// in the Store's own database: the SQLite file or the PostgreSQL pool.
import { AddressCipher } from '../store/address-cipher.ts';
import { PostgresStore } from '../store/postgres.ts';
import { SqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import type { Subjects } from '../store/subject.ts';
import { PostgresSql, SqliteSql, type Row, type Sql } from './db.ts';

export type ContactStatus = 'active' | 'opted_out' | 'invalid';

export interface Contact {
  id: number;
  serviceId: string;
  name: string;
  /** The number, decrypted: never logged, never shown unmasked. */
  address: string;
  status: ContactStatus;
  createdAt: Date;
}

/**
 * open: waiting for the provider; confirmed: they said YES; changes: they
 * said something else (on Needs attention); unanswered: no answer in 28
 * days; stopped: they opted out; not_sent: the text could not go;
 * cancelled: the contact was removed.
 */
export type RequestStatus = 'open' | 'confirmed' | 'changes' | 'unanswered' | 'stopped' | 'not_sent' | 'cancelled';

export interface VerificationRequest {
  id: number;
  serviceId: string;
  contactId: number;
  contactName: string;
  openedAt: Date;
  /** The London date it was opened (asked on). */
  openedDate: string;
  status: RequestStatus;
  /** When the request text went (null until it has). */
  sentAt: Date | null;
  reminded: boolean;
  /** The provider's words, when they were not YES: about the service, not a person. */
  answerText: string | null;
  answeredAt: Date | null;
  /** When staff dealt with it (Mark confirmed), and who. */
  handledAt: Date | null;
  handledBy: string | null;
}

export type VerifyKind = 'request' | 'reminder';
export type VerifyOutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface VerifyOutboxRow {
  id: number;
  key: string;
  requestId: number;
  kind: VerifyKind;
  /** London date it is for: a text not sent that day is not sent. */
  sendDate: string;
  status: VerifyOutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  claimedAt: Date | null;
  body: string | null;
  twilioSid: string | null;
  errorCode: string | null;
}

/** A claimed row with what sending it needs. */
export interface ClaimedVerify extends VerifyOutboxRow {
  serviceId: string;
  contactId: number;
  address: string;
  contactStatus: ContactStatus;
  requestStatus: RequestStatus;
}

const MIGRATIONS = (d: 'sqlite' | 'postgres'): string[] => {
  const id = d === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  const ms = d === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return [
    `CREATE TABLE freshness_contacts (
       id ${id},
       service_id TEXT NOT NULL,
       name TEXT NOT NULL,
       address TEXT NOT NULL,
       subject TEXT NOT NULL,
       status TEXT NOT NULL DEFAULT 'active',
       created_at ${ms} NOT NULL
     );
     CREATE INDEX freshness_contacts_service ON freshness_contacts (service_id);
     CREATE INDEX freshness_contacts_subject ON freshness_contacts (subject);
     CREATE TABLE freshness_requests (
       id ${id},
       service_id TEXT NOT NULL,
       contact_id ${ms} NOT NULL,
       contact_name TEXT NOT NULL,
       subject TEXT NOT NULL,
       opened_at ${ms} NOT NULL,
       opened_date TEXT NOT NULL,
       status TEXT NOT NULL,
       sent_at ${ms},
       reminded INTEGER NOT NULL DEFAULT 0,
       answer_text TEXT,
       answered_at ${ms},
       answer_sid TEXT UNIQUE,
       answer_reply TEXT,
       handled_at ${ms},
       handled_by TEXT,
       closed_at ${ms}
     );
     CREATE UNIQUE INDEX freshness_requests_one_open ON freshness_requests (service_id) WHERE status = 'open';
     CREATE INDEX freshness_requests_subject ON freshness_requests (subject, status);
     CREATE TABLE freshness_outbox (
       id ${id},
       key TEXT NOT NULL UNIQUE,
       request_id ${ms} NOT NULL,
       kind TEXT NOT NULL,
       send_date TEXT NOT NULL,
       status TEXT NOT NULL DEFAULT 'pending',
       attempts INTEGER NOT NULL DEFAULT 0,
       next_attempt_at ${ms} NOT NULL,
       claimed_at ${ms},
       claimed_by TEXT,
       body TEXT,
       twilio_sid TEXT,
       error_code TEXT,
       updated_at ${ms} NOT NULL
     );
     CREATE INDEX freshness_outbox_due ON freshness_outbox (status, next_attempt_at);`,
  ];
};

const num = (v: unknown): number => Number(v);
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));

export class FreshnessStore {
  private readonly cipher: AddressCipher;
  constructor(
    private readonly sql: Sql,
    secret: Buffer,
    private readonly subjects: Subjects,
  ) {
    this.cipher = new AddressCipher(secret);
  }

  /** Beside the Store, in its database (migrated here). */
  static async open(store: Store, secret: Buffer, subjects: Subjects): Promise<FreshnessStore> {
    let sql: Sql;
    if (store instanceof SqliteStore) sql = new SqliteSql(store.db);
    else if (store instanceof PostgresStore) sql = new PostgresSql(store.pool);
    else throw new Error('keeping facts fresh needs the SQLite or PostgreSQL store');
    await migrateFreshness(sql);
    return new FreshnessStore(sql, secret, subjects);
  }

  /** Counts this process's changes to contacts (add, remove), so caches of them know to reload. */
  contactChanges = 0;

  // ---- contacts ----

  /** The keyed hashes of every contact's number (any status). */
  async contactSubjects(): Promise<Set<string>> {
    return new Set((await this.sql.all('SELECT DISTINCT subject FROM freshness_contacts')).map((r) => String(r.subject)));
  }

  async addContact(serviceId: string, name: string, address: string, now: Date): Promise<Contact> {
    const id = await this.sql.insertId(
      'INSERT INTO freshness_contacts (service_id, name, address, subject, status, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      [serviceId, name, this.cipher.encrypt(address), this.subjects.subject(address), 'active', now.getTime()],
    );
    this.contactChanges++;
    return { id: id!, serviceId, name, address, status: 'active', createdAt: now };
  }

  async contacts(serviceId?: string): Promise<Contact[]> {
    const rows = serviceId
      ? await this.sql.all('SELECT * FROM freshness_contacts WHERE service_id = ? ORDER BY id', [serviceId])
      : await this.sql.all('SELECT * FROM freshness_contacts ORDER BY service_id, id');
    return rows.map((r) => this.toContact(r));
  }

  /** Removes a contact; a request open to it is cancelled. */
  async removeContact(id: number, now: Date): Promise<boolean> {
    return this.sql.tx(async (q) => {
      const n = await q.run('DELETE FROM freshness_contacts WHERE id = ?', [id]);
      if (n === 0) return false;
      this.contactChanges++;
      await q.run(`UPDATE freshness_requests SET status = 'cancelled', closed_at = ? WHERE contact_id = ? AND status = 'open'`, [now.getTime(), id]);
      await q.run(
        `UPDATE freshness_outbox SET status = 'skipped', error_code = 'contact_removed', updated_at = ?
          WHERE status = 'pending' AND request_id IN (SELECT id FROM freshness_requests WHERE contact_id = ?)`,
        [now.getTime(), id],
      );
      return true;
    });
  }

  /** An opt-out word from this number (or Twilio's 21610): no verification texts to it, its open request stops. */
  async optOut(subject: string, now: Date): Promise<number> {
    return this.sql.tx(async (q) => {
      const n = await q.run(`UPDATE freshness_contacts SET status = 'opted_out' WHERE subject = ? AND status <> 'opted_out'`, [subject]);
      await q.run(`UPDATE freshness_requests SET status = 'stopped', closed_at = ? WHERE subject = ? AND status = 'open'`, [now.getTime(), subject]);
      return n;
    });
  }

  /** START / UNSTOP from a contact's number: texts to it may go again. */
  async optIn(subject: string): Promise<number> {
    return this.sql.run(`UPDATE freshness_contacts SET status = 'active' WHERE subject = ? AND status = 'opted_out'`, [subject]);
  }

  async markInvalid(contactId: number): Promise<void> {
    await this.sql.run(`UPDATE freshness_contacts SET status = 'invalid' WHERE id = ?`, [contactId]);
  }

  // ---- requests ----

  /**
   * Opens a request to this contact and, in the same transaction, its text's
   * outbox row (key verify:<request>). Null when the service already has an
   * open request (the unique index): never two at once.
   */
  async openRequest(serviceId: string, contact: Contact, localDate: string, now: Date): Promise<number | null> {
    return this.sql.tx(async (q) => {
      const open = await q.all(`SELECT id FROM freshness_requests WHERE service_id = ? AND status = 'open'`, [serviceId]);
      if (open.length) return null;
      const id = await q.insertId(
        `INSERT INTO freshness_requests (service_id, contact_id, contact_name, subject, opened_at, opened_date, status)
         VALUES (?, ?, ?, ?, ?, ?, 'open') ON CONFLICT DO NOTHING RETURNING id`,
        [serviceId, contact.id, contact.name, this.subjects.subject(contact.address), now.getTime(), localDate],
      );
      if (id === null) return null;
      await this.enqueue(q, `verify:${id}`, id, 'request', localDate, now);
      return id;
    });
  }

  /** The reminder text of an open, sent, not yet reminded request (key verify:<request>:reminder). False if not. */
  async remind(requestId: number, localDate: string, now: Date): Promise<boolean> {
    return this.sql.tx(async (q) => {
      const n = await q.run(`UPDATE freshness_requests SET reminded = 1 WHERE id = ? AND status = 'open' AND reminded = 0 AND sent_at IS NOT NULL`, [requestId]);
      if (n === 0) return false;
      return this.enqueue(q, `verify:${requestId}:reminder`, requestId, 'reminder', localDate, now);
    });
  }

  private async enqueue(q: Sql, key: string, requestId: number, kind: VerifyKind, localDate: string, now: Date): Promise<boolean> {
    const id = await q.insertId(
      `INSERT INTO freshness_outbox (key, request_id, kind, send_date, next_attempt_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`,
      [key, requestId, kind, localDate, now.getTime(), now.getTime()],
    );
    return id !== null;
  }

  /** Open requests not answered since before `openedBefore`: unanswered (the desk lists them). */
  async expire(openedBefore: Date, now: Date): Promise<number> {
    return this.sql.run(`UPDATE freshness_requests SET status = 'unanswered', closed_at = ? WHERE status = 'open' AND opened_at <= ?`, [
      now.getTime(),
      openedBefore.getTime(),
    ]);
  }

  async requests(opts: { serviceId?: string; status?: RequestStatus[] } = {}): Promise<VerificationRequest[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.serviceId) {
      where.push('service_id = ?');
      params.push(opts.serviceId);
    }
    if (opts.status?.length) {
      where.push(`status IN (${opts.status.map(() => '?').join(', ')})`);
      params.push(...opts.status);
    }
    const rows = await this.sql.all(`SELECT * FROM freshness_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`, params);
    return rows.map(toRequest);
  }

  /** The request a text from this number answers: open, and its text sent. */
  async openRequestFrom(subject: string): Promise<VerificationRequest | null> {
    const rows = await this.sql.all(`SELECT * FROM freshness_requests WHERE subject = ? AND status = 'open' AND sent_at IS NOT NULL ORDER BY id LIMIT 1`, [subject]);
    return rows[0] ? toRequest(rows[0]) : null;
  }

  /** The reply already given to this message (a repeated delivery), if it was an answer. */
  async answerReply(messageId: string): Promise<string | null> {
    const rows = await this.sql.all('SELECT answer_reply FROM freshness_requests WHERE answer_sid = ?', [messageId]);
    return rows[0] ? String(rows[0].answer_reply) : null;
  }

  /** Records the answer if the request is still open. False if it was not (answered meanwhile). */
  async answer(requestId: number, a: { confirmed: boolean; text: string | null; messageId: string | null; reply: string; now: Date }): Promise<boolean> {
    const n = await this.sql.run(
      `UPDATE freshness_requests SET status = ?, answer_text = ?, answered_at = ?, answer_sid = ?, answer_reply = ?, closed_at = ?
        WHERE id = ? AND status = 'open'`,
      [a.confirmed ? 'confirmed' : 'changes', a.text, a.now.getTime(), a.messageId, a.reply, a.now.getTime(), requestId],
    );
    return n === 1;
  }

  /** Staff dealt with the service (Mark confirmed): its waiting replies and unanswered requests leave Needs attention. */
  async markHandled(serviceId: string, who: string, now: Date): Promise<number> {
    return this.sql.run(
      `UPDATE freshness_requests SET handled_at = ?, handled_by = ? WHERE service_id = ? AND handled_at IS NULL AND status IN ('changes', 'unanswered', 'not_sent', 'stopped')`,
      [now.getTime(), who, serviceId],
    );
  }

  // ---- the outbox ----

  async outboxRows(): Promise<VerifyOutboxRow[]> {
    return (await this.sql.all('SELECT * FROM freshness_outbox ORDER BY id')).map(toOutbox);
  }

  /** Takes up to `limit` pending rows due by `now`, marking them 'sending' for this worker. */
  async claim(limit: number, now: Date, worker: string): Promise<ClaimedVerify[]> {
    const ids = await this.sql.tx(async (q) => {
      const lock = q.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
      const rows = await q.all(`SELECT id FROM freshness_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ? ${lock}`, [now.getTime(), limit]);
      const ids = rows.map((r) => num(r.id));
      for (const id of ids) {
        await q.run(`UPDATE freshness_outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?, claimed_by = ?, updated_at = ? WHERE id = ?`, [
          now.getTime(),
          worker,
          now.getTime(),
          id,
        ]);
      }
      return ids;
    });
    return this.claimed(ids);
  }

  /** Rows left 'sending' since before `olderThan`: a dead sender's. */
  async staleClaims(olderThan: Date): Promise<ClaimedVerify[]> {
    const rows = await this.sql.all(`SELECT id FROM freshness_outbox WHERE status = 'sending' AND claimed_at < ? ORDER BY id`, [olderThan.getTime()]);
    return this.claimed(rows.map((r) => num(r.id)));
  }

  private async claimed(ids: number[]): Promise<ClaimedVerify[]> {
    const out: ClaimedVerify[] = [];
    for (const id of ids) {
      const rows = await this.sql.all(
        `SELECT o.*, r.service_id, r.contact_id, r.status AS request_status, c.address, c.status AS contact_status
           FROM freshness_outbox o
           JOIN freshness_requests r ON r.id = o.request_id
           LEFT JOIN freshness_contacts c ON c.id = r.contact_id
          WHERE o.id = ?`,
        [id],
      );
      const r = rows[0];
      if (!r) continue;
      out.push({
        ...toOutbox(r),
        serviceId: String(r.service_id),
        contactId: num(r.contact_id),
        address: r.address ? this.cipher.decrypt(String(r.address)) : '',
        contactStatus: (r.contact_status as ContactStatus | null) ?? 'invalid',
        requestStatus: r.request_status as RequestStatus,
      });
    }
    return out;
  }

  /** Stores the exact text before it goes. False if the row is no longer this worker's claim. */
  async prepare(id: number, body: string, worker: string): Promise<boolean> {
    return (await this.sql.run(`UPDATE freshness_outbox SET body = ? WHERE id = ? AND status = 'sending' AND claimed_by = ?`, [body, id, worker])) === 1;
  }

  async markSent(id: number, sid: string, now: Date): Promise<void> {
    await this.sql.tx(async (q) => {
      await q.run(`UPDATE freshness_outbox SET status = 'sent', twilio_sid = ?, updated_at = ? WHERE id = ?`, [sid, now.getTime(), id]);
      await q.run(
        `UPDATE freshness_requests SET sent_at = ? WHERE sent_at IS NULL AND id = (SELECT request_id FROM freshness_outbox WHERE id = ? AND kind = 'request')`,
        [now.getTime(), id],
      );
    });
  }

  async markRetry(id: number, next: Date, code: string | null, now: Date): Promise<void> {
    await this.sql.run(`UPDATE freshness_outbox SET status = 'pending', next_attempt_at = ?, error_code = ?, claimed_at = NULL, claimed_by = NULL, updated_at = ? WHERE id = ?`, [
      next.getTime(),
      code,
      now.getTime(),
      id,
    ]);
  }

  /** Failed or skipped for good; a request whose own text did not go is closed as not_sent (it may be asked again). */
  async markDone(id: number, status: 'failed' | 'skipped', code: string | null, now: Date): Promise<void> {
    await this.sql.tx(async (q) => {
      await q.run(`UPDATE freshness_outbox SET status = ?, error_code = ?, updated_at = ? WHERE id = ?`, [status, code, now.getTime(), id]);
      await q.run(
        `UPDATE freshness_requests SET status = 'not_sent', closed_at = ? WHERE status = 'open' AND id = (SELECT request_id FROM freshness_outbox WHERE id = ? AND kind = 'request')`,
        [now.getTime(), id],
      );
    });
  }

  /** Back to pending: the claim holder died before sending. */
  async release(id: number): Promise<void> {
    await this.sql.run(`UPDATE freshness_outbox SET status = 'pending', claimed_at = NULL, claimed_by = NULL, body = NULL WHERE id = ? AND status = 'sending'`, [id]);
  }

  /** SIDs already recorded (recovery never takes one message for two rows). */
  async recordedSids(): Promise<Set<string>> {
    const rows = await this.sql.all('SELECT twilio_sid FROM freshness_outbox WHERE twilio_sid IS NOT NULL');
    return new Set(rows.map((r) => String(r.twilio_sid)));
  }

  private toContact(r: Row): Contact {
    return {
      id: num(r.id),
      serviceId: String(r.service_id),
      name: String(r.name),
      address: this.cipher.decrypt(String(r.address)),
      status: r.status as ContactStatus,
      createdAt: date(r.created_at)!,
    };
  }
}

function toRequest(r: Row): VerificationRequest {
  return {
    id: num(r.id),
    serviceId: String(r.service_id),
    contactId: num(r.contact_id),
    contactName: String(r.contact_name),
    openedAt: date(r.opened_at)!,
    openedDate: String(r.opened_date),
    status: r.status as RequestStatus,
    sentAt: date(r.sent_at),
    reminded: num(r.reminded) === 1,
    answerText: (r.answer_text as string | null) ?? null,
    answeredAt: date(r.answered_at),
    handledAt: date(r.handled_at),
    handledBy: (r.handled_by as string | null) ?? null,
  };
}

function toOutbox(r: Row): VerifyOutboxRow {
  return {
    id: num(r.id),
    key: String(r.key),
    requestId: num(r.request_id),
    kind: r.kind as VerifyKind,
    sendDate: String(r.send_date),
    status: r.status as VerifyOutboxStatus,
    attempts: num(r.attempts),
    nextAttemptAt: date(r.next_attempt_at)!,
    claimedAt: date(r.claimed_at),
    body: (r.body as string | null) ?? null,
    twilioSid: (r.twilio_sid as string | null) ?? null,
    errorCode: (r.error_code as string | null) ?? null,
  };
}

const LOCK = 0x66726573; // "fres": the freshness migrations' advisory lock

/** Creates or updates the freshness tables (every start does; so does npm run migrate). */
export async function migrateFreshness(sql: Sql): Promise<void> {
  const steps = MIGRATIONS(sql.dialect);
  await sql.tx(async (q) => {
    if (q.dialect === 'postgres') {
      await q.run('SET LOCAL statement_timeout = 0');
      await q.all('SELECT pg_advisory_xact_lock(?)', [LOCK]);
    }
    await q.run('CREATE TABLE IF NOT EXISTS freshness_schema (version INTEGER NOT NULL)');
    const rows = await q.all('SELECT version FROM freshness_schema');
    let from = rows[0] ? num(rows[0].version) : 0;
    if (!rows[0]) await q.run('INSERT INTO freshness_schema (version) VALUES (0)');
    if (from > steps.length) throw new Error(`freshness schema version ${from} is newer than this code knows (${steps.length}): upgrade Waymark`);
    for (; from < steps.length; from++) {
      for (const stmt of steps[from].split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) await q.run(stmt);
    }
    await q.run('UPDATE freshness_schema SET version = ?', [steps.length]);
  });
}
