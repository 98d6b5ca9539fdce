import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { PurgeCut, SaveOutcome, Store, StoreLogger, TurnRecord, TurnStart } from './store.ts';
import { GroupCommit, type Waiting } from './group-commit.ts';
import type { ClaimedRow, DueItem, OutboxRow, PersonReminders, SubscriptionContact, SubscriptionRow, Timing } from '../core/domain.ts';
import type { Channel } from '../core/inbound.ts';
import { AddressCipher } from './address-cipher.ts';
import { SchemaTooNewError } from './errors.ts';
import { BUSY_GIVE_UP_MS, DatabaseBusyError, isBusy, whileBusy } from './sqlite-busy.ts';

export { BUSY_GIVE_UP_MS, DatabaseBusyError, whileBusy };

export { SchemaTooNewError };
import { REPORT_SQLITE_MIGRATION, SqliteCounters } from '../report/store-sqlite.ts';

interface OutboxDbRow {
  id: number;
  key: string;
  subscription_id: number | null;
  subject: string;
  service_id: string;
  timing: string;
  occurrence_date: string;
  kind: string;
  send_at: number;
  status: string;
  attempts: number;
  claimed_at: number | null;
  body: string | null;
  twilio_sid: string | null;
  error_code: string | null;
  delivery_status: string | null;
}
/** Null throughout when the contact is gone (claims use a left join). */
interface ClaimedDbRow extends OutboxDbRow {
  address_enc: string | null;
  channel: string | null;
  lang: string | null;
  last_inbound_at: number | null;
  opted_out: number | null;
}

function toOutbox(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id,
    key: r.key,
    subscriptionId: r.subscription_id,
    subject: r.subject,
    serviceId: r.service_id,
    timing: r.timing as Timing,
    occurrenceDate: r.occurrence_date,
    kind: r.kind as OutboxRow['kind'],
    sendAt: new Date(r.send_at),
    status: r.status as OutboxRow['status'],
    attempts: r.attempts,
    claimedAt: r.claimed_at === null ? null : new Date(r.claimed_at),
    body: r.body,
    twilioSid: r.twilio_sid,
    errorCode: r.error_code,
    deliveryStatus: r.delivery_status,
  };
}

const MIGRATIONS: string[] = [
  `CREATE TABLE sessions (
     subject TEXT PRIMARY KEY,
     data TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE processed (
     message_id TEXT PRIMARY KEY,
     subject TEXT NOT NULL,
     replies TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX processed_subject ON processed(subject);
   CREATE INDEX processed_created ON processed(created_at);`,
  // Reminders. A contact row exists only while the person has reminders or
  // has opted out; the number in it is encrypted (AddressCipher).
  `CREATE TABLE contacts (
     subject TEXT PRIMARY KEY,
     address_enc TEXT,
     channel TEXT NOT NULL,
     lang TEXT NOT NULL,
     last_inbound_at INTEGER,
     opted_out INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE subscriptions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     subject TEXT NOT NULL REFERENCES contacts(subject) ON DELETE CASCADE,
     service_id TEXT NOT NULL,
     timing TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     UNIQUE (subject, service_id)
   );
   CREATE TABLE outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     key TEXT NOT NULL UNIQUE,
     subscription_id INTEGER,
     subject TEXT NOT NULL,
     service_id TEXT NOT NULL,
     timing TEXT NOT NULL,
     occurrence_date TEXT NOT NULL,
     kind TEXT NOT NULL,
     send_at INTEGER NOT NULL,
     status TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     claimed_at INTEGER,
     claimed_by TEXT,
     body TEXT,
     twilio_sid TEXT,
     error_code TEXT,
     delivery_status TEXT,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX outbox_ready ON outbox(status, next_attempt_at);
   CREATE INDEX outbox_subject ON outbox(subject);
   CREATE INDEX outbox_sid ON outbox(twilio_sid);`,
  `CREATE INDEX sessions_updated ON sessions(updated_at);
   CREATE INDEX outbox_updated ON outbox(updated_at);`,
  // Optimistic concurrency for sessions (several instances on one database).
  `ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;`,
  // The needs report's counters (src/report).
  REPORT_SQLITE_MIGRATION,
  // Every message writes a session and a processed row, and each index on
  // them is one more B-tree page written per turn (about 6 µs each in the
  // bench). These three serve only the hourly purge and FORGET, which now
  // scan instead: a day of message ids and the sessions, a few milliseconds,
  // once an hour, against every message paying for them.
  `DROP INDEX processed_subject;
   DROP INDEX processed_created;
   DROP INDEX sessions_updated;`,
];

/** SQLite's own wait for a lock, on the event loop. */
export const BUSY_TIMEOUT_MS = 25;
/** Checkpoints after FORGET tried this many times (0.25 s, 0.5 s, 1 s… apart) while another process is busy. */
const CHECKPOINT_ATTEMPTS = 7;
export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  // Opening and migrating may wait for another process (the reminders
  // command) as long as it takes: nothing is being answered yet.
  db.pragma('busy_timeout = 5000');
  // WAL: readers never block the writer, and the reminders command can run
  // beside the server. synchronous=NORMAL in WAL mode keeps every committed
  // transaction through a crash of the process (SIGKILL included); only a
  // power cut can lose the last few, which a person would re-send.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Deleted rows are overwritten, not left in free pages: FORGET means gone.
  db.pragma('secure_delete = ON');
  migrate(db);
  // From now on SQLite's own wait for a lock blocks the event loop, so every
  // request with it: kept short. The store retries a busy statement
  // asynchronously instead (SqliteStore.busy), letting other requests run.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new SchemaTooNewError(
      `database schema version ${version} is newer than this code knows (${MIGRATIONS.length}): upgrade Waymark`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export interface SqliteOptions {
  /**
   * Checkpoint the write-ahead log on a thread of its own (the server) instead
   * of inside a COMMIT on the event loop: a checkpoint copies the log into the
   * database and waits for the disk twice, and every request waited with it.
   */
  backgroundCheckpoints?: boolean;
}

/**
 * Log pages (4 kB each) past which the thread forces the log to start again
 * (a RESTART checkpoint). A RESTART holds the write lock while it syncs the
 * database file, and every turn waits for it: at 4,000 pages, under the
 * bench's sustained 7,000 messages a second, that was five times a second
 * and made the slowest 1% of answers 12 ms instead of 7. At 20,000 (a log of
 * up to 80 MB on disk) it is about once a second under that load. A quiet
 * server never gets there: passive checkpoints catch up and the next write
 * starts the log again by itself; FORGET empties it (TRUNCATE) either way.
 */
const WAL_RESTART_FRAMES = 20_000;
/** How often the checkpointer thread looks for committed pages to copy. */
const CHECKPOINT_EVERY_MS = 200;

// The thread's whole program (plain CommonJS, so that it runs the same from
// TypeScript sources and from built JavaScript). A PASSIVE checkpoint never
// takes the write lock and never waits: writers and readers carry on; what a
// reader still needs is copied next time. The log then starts again from its
// beginning at the next write after a complete checkpoint.
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 20');
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // Under steady writing a passive checkpoint is never complete when the
    // next write starts, so the log would only grow: past restartFrames, a
    // RESTART (it holds off writers for what is left, usually a few pages,
    // and the disk's sync) makes the next write start the log again.
    if (r && r.log > workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch (err) { parentPort.postMessage({ error: String((err && err.message) || err) }); }
}, workerData.every);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  db.close();
  process.exit(0);
});
`;

function startCheckpointer(file: string, db: Database.Database, logger: StoreLogger | null): { worker: Worker; exited: Promise<unknown> } {
  // Commits no longer checkpoint; the thread does, a few times a second.
  db.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3'), every: CHECKPOINT_EVERY_MS, restartFrames: WAL_RESTART_FRAMES },
  });
  worker.on('message', (m: { error?: string }) => {
    if (m.error) logger?.warn({ reason: m.error }, 'SQLite background checkpoint failed: tried again shortly');
  });
  worker.on('error', (err) => {
    // Without the thread the log would only grow: commits checkpoint again.
    logger?.warn({ err }, 'SQLite checkpoint thread stopped: commits checkpoint the log themselves');
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  const exited = new Promise((r) => worker.once('exit', r));
  worker.unref();
  return { worker, exited };
}

/** People whose last turn this process remembers (startTurn's memory): about 1 kB each. */
const KNOWN_MAX = 20_000;

type TxOutcome = { outcome: 'saved' | 'duplicate' | 'conflict'; data?: string; version?: number; reminders?: PersonReminders };

function copyReminders(r: PersonReminders): PersonReminders {
  return { list: r.list.map((x) => ({ ...x })), optedOut: r.optedOut };
}

function sameReminders(a: PersonReminders, b: PersonReminders): boolean {
  if (a.optedOut !== b.optedOut || a.list.length !== b.list.length) return false;
  return a.list.every((r, i) => r.service === b.list[i].service && r.timing === b.list[i].timing);
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly stmts;

  private readonly cipher: AddressCipher | null;
  /** The needs report's counters, written in the turn's transaction. */
  readonly counters: SqliteCounters;

  /** `secret` encrypts the numbers reminders need; without it reminders cannot be stored. */
  constructor(
    file: string,
    secret: Buffer | null = null,
    private readonly logger: StoreLogger | null = null,
    opts: SqliteOptions = {},
  ) {
    this.cipher = secret ? new AddressCipher(secret) : null;
    this.db = openDatabase(file);
    const db = this.db;
    this.counters = new SqliteCounters(db);
    if (opts.backgroundCheckpoints && file !== ':memory:') this.checkpointer = startCheckpointer(file, db, logger);
    this.stmts = {
      getSession: db.prepare<[string], { data: string; version: number }>('SELECT data, version FROM sessions WHERE subject = ?'),
      sessionVersion: db.prepare<[string], { version: number }>('SELECT version FROM sessions WHERE subject = ?'),
      getProcessed: db.prepare<[string], { replies: string }>('SELECT replies FROM processed WHERE message_id = ?'),
      insertProcessed: db.prepare(
        'INSERT INTO processed (message_id, subject, replies, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      upsertSession: db.prepare(
        `INSERT INTO sessions (subject, data, updated_at, version) VALUES (?, ?, ?, 1)
         ON CONFLICT(subject) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, version = sessions.version + 1`,
      ),
      deleteSession: db.prepare('DELETE FROM sessions WHERE subject = ?'),
      deleteProcessed: db.prepare('DELETE FROM processed WHERE subject = ?'),
      deleteProcessedId: db.prepare('DELETE FROM processed WHERE message_id = ?'),
      deleteContact: db.prepare('DELETE FROM contacts WHERE subject = ?'),
      deleteSubs: db.prepare('DELETE FROM subscriptions WHERE subject = ?'),
      deleteSub: db.prepare('DELETE FROM subscriptions WHERE subject = ? AND service_id = ?'),
      deleteOutbox: db.prepare('DELETE FROM outbox WHERE subject = ?'),
      deletePendingOutbox: db.prepare(
        "DELETE FROM outbox WHERE subject = ? AND status = 'pending' AND (? IS NULL OR service_id = ?)",
      ),
      getContact: db.prepare<[string], { subject: string; opted_out: number }>('SELECT subject, opted_out FROM contacts WHERE subject = ?'),
      upsertContact: db.prepare(
        `INSERT INTO contacts (subject, address_enc, channel, lang, last_inbound_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(subject) DO UPDATE SET address_enc = excluded.address_enc, channel = excluded.channel,
           lang = excluded.lang, last_inbound_at = excluded.last_inbound_at`,
      ),
      setOptedOut: db.prepare('UPDATE contacts SET opted_out = ? WHERE subject = ?'),
      upsertSub: db.prepare(
        `INSERT INTO subscriptions (subject, service_id, timing, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(subject, service_id) DO UPDATE SET timing = excluded.timing`,
      ),
      countSubs: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM subscriptions WHERE subject = ?'),
    };
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once (the dispatcher runs these for every message it sends). */
  private q<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st as unknown as Database.Statement<P, R>;
  }

  static open(dataDir: string, secret: Buffer | null = null, logger: StoreLogger | null = null, opts: SqliteOptions = {}): SqliteStore {
    return new SqliteStore(path.join(dataDir, 'waymark.db'), secret, logger, opts);
  }

  /** The thread that copies the write-ahead log into the database (see startCheckpointer). */
  private readonly checkpointer: { worker: Worker; exited: Promise<unknown> } | null = null;

  /** See whileBusy. */
  private busy<T>(fn: () => T): Promise<T> {
    return whileBusy(fn);
  }

  async getSession(subject: string): Promise<{ data: unknown; version: number } | null> {
    const row = await this.busy(() => this.stmts.getSession.get(subject));
    return row ? { data: JSON.parse(row.data), version: row.version } : null;
  }

  /**
   * What this process's last turn of each person left: startTurn answers
   * from here without reading. Only a hint: the turn's transaction checks
   * the session's version and the person's reminders, so a stale entry (the
   * dispatcher dropped a reminder, another process wrote) costs one more
   * step, never a wrong turn. Bounded.
   */
  private readonly known = new Map<string, { data: string; version: number; reminders: PersonReminders }>();

  private remember(subject: string, data: string, version: number, reminders: PersonReminders): void {
    if (this.known.size >= KNOWN_MAX && !this.known.has(subject)) this.known.clear();
    this.known.set(subject, { data, version, reminders });
  }

  /** The repeat check, the session and the reminders in one synchronous read (one pass of the event loop), or from memory. */
  async startTurn(subject: string, messageId: string | null): Promise<TurnStart> {
    return this.busy(() => {
      const st = this.stmts;
      // A read, so that a repeated delivery is answered even while another process holds the write lock.
      const done = messageId ? st.getProcessed.get(messageId) : undefined;
      if (done) return { repeated: JSON.parse(done.replies) as string[], session: null, reminders: { list: [], optedOut: false } };
      const k = this.known.get(subject);
      if (k) return { repeated: null, session: { data: JSON.parse(k.data), version: k.version }, reminders: copyReminders(k.reminders) };
      const row = st.getSession.get(subject);
      return {
        repeated: null,
        session: row ? { data: JSON.parse(row.data), version: row.version } : null,
        reminders: this.readReminders(subject).reminders,
      };
    });
  }

  async getProcessed(messageId: string): Promise<string[] | null> {
    const row = await this.busy(() => this.stmts.getProcessed.get(messageId));
    return row ? (JSON.parse(row.replies) as string[]) : null;
  }

  private readonly forgetTx = (subject: string): void => {
    const st = this.stmts;
    st.deleteOutbox.run(subject);
    st.deleteSubs.run(subject);
    st.deleteContact.run(subject);
    st.deleteSession.run(subject);
    st.deleteProcessed.run(subject);
  };

  /** One turn inside the batch's transaction. Writes nothing unless it says 'saved'. */
  private readonly saveTx = (t: TurnRecord): TxOutcome => {
    const st = this.stmts;
    const at = t.at.getTime();
    const forget = t.effects.some((e) => e.type === 'forget');
    // The repeat check first ('duplicate' before 'conflict'): a MessageSid
    // handled before inserts nothing. FORGET keeps no id, so it only looks.
    if (t.messageId) {
      if (forget ? st.getProcessed.get(t.messageId) : st.insertProcessed.run(t.messageId, t.subject, JSON.stringify(t.replies), at).changes === 0) {
        return { outcome: 'duplicate' };
      }
    }
    const version = st.sessionVersion.get(t.subject)?.version ?? 0;
    const person = this.readReminders(t.subject);
    if (version !== t.expectedVersion || (t.reminders && !sameReminders(t.reminders, person.reminders))) {
      if (t.messageId && !forget) st.deleteProcessedId.run(t.messageId); // nothing written after all
      return { outcome: 'conflict' };
    }
    if (forget) {
      // Nothing about them stays, not even the id of the message that asked.
      this.forgetTx(t.subject);
      return { outcome: 'saved' };
    }
    const data = JSON.stringify(t.session);
    st.upsertSession.run(t.subject, data, at);
    if (t.count) this.counters.count(t.count);
    const { address, channel, lang } = t.contact;
    // Kept up to date for people with reminders: the number and channel they
    // last used, their language, and the time (WhatsApp's 24-hour window).
    if (person.contact || t.effects.some((e) => e.type === 'subscribe')) {
      if (!this.cipher) throw new Error('store opened without a secret: cannot keep numbers for reminders');
      st.upsertContact.run(t.subject, this.cipher.encrypt(address), channel, lang, at);
    }
    let changed = false;
    for (const e of t.effects) {
      switch (e.type) {
        case 'subscribe':
          st.upsertSub.run(t.subject, e.service, e.timing, at);
          changed = true;
          break;
        case 'unsubscribe':
          if (e.service === null) st.deleteSubs.run(t.subject);
          else st.deleteSub.run(t.subject, e.service);
          st.deletePendingOutbox.run(t.subject, e.service, e.service);
          changed = true;
          break;
        case 'opt_out':
          st.setOptedOut.run(1, t.subject);
          changed = true;
          break;
        case 'opt_in':
          st.setOptedOut.run(0, t.subject);
          changed = true;
          break;
      }
    }
    // A contact with no reminders and no opt-out to remember is not kept.
    // Only a dropped reminder or an opt-in can make it so.
    if (t.effects.some((e) => e.type === 'unsubscribe' || e.type === 'opt_in')) {
      const contact = st.getContact.get(t.subject);
      if (contact && !contact.opted_out && st.countSubs.get(t.subject)!.n === 0) st.deleteContact.run(t.subject);
    }
    return { outcome: 'saved', data, version: version + 1, reminders: changed ? this.readReminders(t.subject).reminders : person.reminders };
  };

  // Group commit (group-commit.ts): the turns of one pass of the event loop
  // share one transaction, each straight in it; only when one fails does the
  // batch run again with a savepoint each, so that it fails alone. BEGIN,
  // COMMIT and the log write cost as much as the turns themselves.
  private readonly group = new GroupCommit<TurnRecord, SaveOutcome>((batch) => this.commit(batch));

  saveTurn(turn: TurnRecord): Promise<SaveOutcome> {
    return this.group.add(turn);
  }

  private async commit(batch: Array<Waiting<TurnRecord, SaveOutcome>>): Promise<void> {
    let results: Array<{ ok: TxOutcome } | { err: unknown }>;
    try {
      // Every turn straight in the batch's transaction: no savepoint each.
      const all = this.db.transaction(() => batch.map((b) => ({ ok: this.saveTx(b.item) })));
      results = await this.busy(() => all.immediate());
    } catch (first) {
      if (first instanceof DatabaseBusyError) {
        for (const b of batch) b.reject(first);
        return;
      }
      // A turn failed and the batch rolled back: again, each turn in a
      // savepoint of its own, so that the one failing fails alone.
      const one = this.db.transaction(this.saveTx);
      const each = this.db.transaction(() =>
        batch.map((b) => {
          try {
            return { ok: one(b.item) };
          } catch (err) {
            return { err };
          }
        }),
      );
      try {
        results = await this.busy(() => each.immediate());
      } catch (err) {
        for (const b of batch) b.reject(err);
        return;
      }
    }
    // Committed: what each turn left is what the next turn starts from.
    batch.forEach((b, i) => {
      const r = results[i];
      if (!('ok' in r)) return void this.known.delete(b.item.subject);
      const o = r.ok;
      if (o.outcome === 'saved' && o.data !== undefined) this.remember(b.item.subject, o.data, o.version!, o.reminders!);
      else if (o.outcome !== 'duplicate') this.known.delete(b.item.subject);
    });
    // FORGET: also push the deletion out of the write-ahead log.
    if (batch.some((b, i) => 'ok' in results[i] && b.item.effects.some((e) => e.type === 'forget'))) this.checkpoint();
    batch.forEach((b, i) => {
      const r = results[i];
      if ('ok' in r) b.resolve(r.ok.outcome);
      else b.reject(r.err);
    });
  }

  /**
   * Copies the write-ahead log into the database and empties it, so that
   * deleted rows (FORGET) leave no copy there. Another process reading or
   * writing makes it incomplete: then it is tried again later, off the
   * request path. It never throws: a failure is logged with its reason (the
   * rows are deleted either way; only the log's copy waits for the next
   * checkpoint).
   */
  private checkpoint(attempt = 0): void {
    let busy: boolean;
    try {
      if (!this.db.open) return;
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      busy = r?.busy !== 0;
    } catch (err) {
      this.logger?.warn({ err }, 'SQLite checkpoint after FORGET failed: deleted rows stay in the write-ahead log until the next checkpoint');
      return;
    }
    if (!busy) {
      if (attempt > 0) this.logger?.warn({ attempts: attempt + 1 }, 'SQLite checkpoint after FORGET completed after waiting for another process');
      return;
    }
    if (attempt >= CHECKPOINT_ATTEMPTS - 1) {
      this.logger?.warn(
        { attempts: attempt + 1, reason: 'another process kept the database busy' },
        'SQLite checkpoint after FORGET did not complete: deleted rows stay in the write-ahead log until the next checkpoint',
      );
      return;
    }
    if (attempt === 0) {
      this.logger?.warn({ reason: 'another process is reading or writing' }, 'SQLite checkpoint after FORGET incomplete: trying again shortly');
    }
    setTimeout(() => this.checkpoint(attempt + 1), 250 * 2 ** attempt).unref();
  }

  async forget(subject: string): Promise<void> {
    this.known.delete(subject);
    const tx = this.db.transaction(this.forgetTx);
    await this.busy(() => tx.immediate(subject));
    this.checkpoint();
  }

  async remindersOf(subject: string): Promise<PersonReminders> {
    return this.busy(() => this.readReminders(subject).reminders);
  }

  /** The person's reminders, and whether a contact row exists (it may hold only an opt-out). */
  private readReminders(subject: string): { reminders: PersonReminders; contact: boolean } {
    const query = this.q<[string], { opted_out: number; service_id: string | null; timing: string | null }>(
      `SELECT c.opted_out, s.service_id, s.timing FROM contacts c
       LEFT JOIN subscriptions s ON s.subject = c.subject WHERE c.subject = ? ORDER BY s.id`,
    );
    const rows = query.all(subject);
    return {
      reminders: {
        list: rows.flatMap((r) => (r.service_id === null ? [] : [{ service: r.service_id, timing: r.timing as Timing }])),
        optedOut: rows[0]?.opted_out === 1,
      },
      contact: rows.length > 0,
    };
  }

  async activeSubscriptions(): Promise<SubscriptionRow[]> {
    const query = this.q<[], { id: number; service_id: string; timing: string; created_at: number }>(
      `SELECT s.id, s.service_id, s.timing, s.created_at FROM subscriptions s
       JOIN contacts c ON c.subject = s.subject WHERE c.opted_out = 0`,
    );
    const rows = await this.busy(() => query.all());
    return rows.map((r) => ({ id: r.id, serviceId: r.service_id, timing: r.timing as Timing, createdAt: new Date(r.created_at) }));
  }

  async enqueue(items: DueItem[], now: Date): Promise<number> {
    const insert = this.q(
      `INSERT INTO outbox (key, subscription_id, subject, service_id, timing, occurrence_date, kind, send_at, next_attempt_at, updated_at)
       SELECT ?, s.id, s.subject, s.service_id, s.timing, ?, ?, ?, ?, ? FROM subscriptions s WHERE s.id = ?
       ON CONFLICT(key) DO NOTHING`,
    );
    return this.busy(() => this.db
      .transaction((list: DueItem[]) => {
        let added = 0;
        const t = now.getTime();
        for (const it of list) {
          added += insert.run(it.key, it.occurrenceDate, it.kind, it.sendAt.getTime(), it.sendAt.getTime(), t, it.subscriptionId).changes;
        }
        return added;
      })
      .immediate(items));
  }

  private claimedRows(where: string, params: unknown[]): ClaimedRow[] {
    const rows = this.q<unknown[], ClaimedDbRow>(
        `SELECT o.*, c.address_enc, c.channel, c.lang, c.last_inbound_at, c.opted_out
         FROM outbox o LEFT JOIN contacts c ON c.subject = o.subject WHERE ${where} ORDER BY o.send_at, o.id`,
      )
      .all(...params);
    return rows.map((r) => ({
      ...toOutbox(r),
      address: r.address_enc && this.cipher ? this.cipher.decrypt(r.address_enc) : '',
      // A row whose contact is gone (left join): address '', closed by the dispatcher.
      channel: (r.channel ?? 'sms') as Channel,
      lang: r.lang ?? 'en',
      lastInboundAt: r.last_inbound_at === null ? null : new Date(r.last_inbound_at),
      optedOut: r.opted_out === 1,
    }));
  }

  async claim(limit: number, now: Date, worker: string): Promise<ClaimedRow[]> {
    // One IMMEDIATE transaction takes the write lock first, so two dispatchers
    // (the server's and a cron'd `npm run reminders send`) never take one row.
    return this.busy(() => this.db
      .transaction(() => {
        const t = now.getTime();
        const ids = this.q<[number, number], { id: number }>(
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY send_at, id LIMIT ?",
          )
          .all(t, limit)
          .map((r) => r.id);
        if (ids.length === 0) return [];
        const marks = ids.map(() => '?').join(',');
        this.q(`UPDATE outbox SET status = 'sending', claimed_at = ?, claimed_by = ?, attempts = attempts + 1, updated_at = ? WHERE id IN (${marks})`)
          .run(t, worker, t, ...ids);
        return this.claimedRows(`o.id IN (${marks})`, ids);
      })
      .immediate());
  }

  async staleClaims(olderThan: Date): Promise<ClaimedRow[]> {
    return this.busy(() => this.claimedRows("o.status = 'sending' AND o.claimed_at < ?", [olderThan.getTime()]));
  }

  async prepare(id: number, body: string, worker: string): Promise<boolean> {
    const st = this.q("UPDATE outbox SET body = ? WHERE id = ? AND status = 'sending' AND claimed_by = ?");
    return (await this.busy(() => st.run(body, id, worker))).changes === 1;
  }

  async markSent(id: number, sid: string, now: Date): Promise<void> {
    const st = this.q("UPDATE outbox SET status = 'sent', twilio_sid = ?, error_code = NULL, updated_at = ? WHERE id = ?");
    await this.busy(() => st.run(sid, now.getTime(), id));
  }

  async markRetry(id: number, nextAttemptAt: Date, code: string | null, now: Date): Promise<void> {
    const st = this.q("UPDATE outbox SET status = 'pending', next_attempt_at = ?, error_code = ?, claimed_at = NULL, claimed_by = NULL, updated_at = ? WHERE id = ?");
    await this.busy(() => st.run(nextAttemptAt.getTime(), code, now.getTime(), id));
  }

  async markFailed(id: number, code: string | null, now: Date): Promise<void> {
    const st = this.q("UPDATE outbox SET status = 'failed', error_code = ?, updated_at = ? WHERE id = ?");
    await this.busy(() => st.run(code, now.getTime(), id));
  }

  async markSkipped(id: number, reason: string, now: Date): Promise<void> {
    const st = this.q("UPDATE outbox SET status = 'skipped', error_code = ?, updated_at = ? WHERE id = ?");
    await this.busy(() => st.run(reason, now.getTime(), id));
  }

  async release(id: number): Promise<void> {
    const st = this.q("UPDATE outbox SET status = 'pending', claimed_at = NULL, claimed_by = NULL WHERE id = ? AND status = 'sending'");
    await this.busy(() => st.run(id));
  }

  async markOptedOut(subject: string): Promise<void> {
    const tx = this.db.transaction(() => {
      this.stmts.setOptedOut.run(1, subject);
      this.q("UPDATE outbox SET status = 'skipped', error_code = 'opted_out' WHERE subject = ? AND status = 'pending'").run(subject);
    });
    await this.busy(() => tx.immediate());
  }

  async dropSubscription(subscriptionId: number): Promise<void> {
    // The number goes too once nothing needs it (a contact is kept only for reminders or an opt-out).
    const tx = this.db.transaction(() => {
      const row = this.q<[number], { subject: string }>('SELECT subject FROM subscriptions WHERE id = ?').get(subscriptionId);
      this.q('DELETE FROM subscriptions WHERE id = ?').run(subscriptionId);
      if (row && this.stmts.countSubs.get(row.subject)!.n === 0) {
        this.q('DELETE FROM contacts WHERE subject = ? AND opted_out = 0').run(row.subject);
      }
    });
    await this.busy(() => tx.immediate());
  }

  async recordDelivery(twilioSid: string, status: string, errorCode: string | null, now: Date): Promise<boolean> {
    const st = this.q('UPDATE outbox SET delivery_status = ?, error_code = COALESCE(?, error_code), updated_at = ? WHERE twilio_sid = ?');
    const res = await this.busy(() => st.run(status, errorCode, now.getTime(), twilioSid));
    return res.changes > 0;
  }

  async subscriptionContacts(ids: number[]): Promise<Map<number, SubscriptionContact>> {
    const out = new Map<number, SubscriptionContact>();
    const q = this.q<[number], { address_enc: string | null; channel: string; lang: string; last_inbound_at: number | null; opted_out: number }>(
      'SELECT c.* FROM subscriptions s JOIN contacts c ON c.subject = s.subject WHERE s.id = ?',
    );
    for (const id of ids) {
      const r = await this.busy(() => q.get(id));
      if (!r) continue;
      out.set(id, {
        address: r.address_enc && this.cipher ? this.cipher.decrypt(r.address_enc) : '',
        channel: r.channel as Channel,
        lang: r.lang,
        lastInboundAt: r.last_inbound_at === null ? null : new Date(r.last_inbound_at),
        optedOut: r.opted_out === 1,
      });
    }
    return out;
  }

  async purge(cut: PurgeCut) {
    return this.busy(() => this.db
      .transaction(() => {
        // The needs report's people hashes of weeks that have closed.
        if (cut.reportWeeksBefore) this.counters.closeWeeks(cut.reportWeeksBefore);
        return {
          sessions: this.q('DELETE FROM sessions WHERE updated_at < ? AND subject NOT IN (SELECT subject FROM subscriptions)')
            .run(cut.sessionsBefore.getTime()).changes,
          processed: this.q('DELETE FROM processed WHERE created_at < ?').run(cut.processedBefore.getTime()).changes,
          outbox: this.q("DELETE FROM outbox WHERE status IN ('sent', 'failed', 'skipped') AND updated_at < ?")
            .run(cut.outboxBefore.getTime()).changes,
        };
      })
      .immediate());
  }

  async outboxRows(): Promise<OutboxRow[]> {
    const st = this.q<[], OutboxDbRow>('SELECT * FROM outbox ORDER BY id');
    return (await this.busy(() => st.all())).map(toOutbox);
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    await this.group.drain(); // turns waiting for the next group commit, and those being written
    if (this.checkpointer) {
      this.checkpointer.worker.ref(); // the process waits for it to close its connection
      this.checkpointer.worker.postMessage('close');
      await this.checkpointer.exited;
    }
    if (this.db.open) this.db.close();
  }
}
