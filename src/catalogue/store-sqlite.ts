// The CatalogueStore on SQLite: the same database file as the SqliteStore
// (the outbox is shared), with its own migrations, versioned in the table
// desk_schema so that they never collide with the Store's own.
import type Database from 'better-sqlite3';
import type { Catalogue } from './types.ts';
import {
  countStatuses,
  staffMessageKey,
  type AuditEntry,
  type CatalogueStore,
  type MessageCounts,
  type Revision,
  type RevisionInput,
  type StaffAccount,
  type StaffMessage,
  type StaffRole,
  type StaffSession,
} from './store-types.ts';

const MIGRATIONS: string[] = [
  `CREATE TABLE catalogue_doc (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     version INTEGER NOT NULL,
     data TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE catalogue_revisions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     who TEXT NOT NULL,
     service_id TEXT,
     action TEXT NOT NULL,
     fields TEXT NOT NULL,
     old TEXT NOT NULL,
     new TEXT NOT NULL,
     note TEXT,
     revert_of INTEGER,
     version INTEGER NOT NULL
   );
   CREATE INDEX catalogue_revisions_service ON catalogue_revisions (service_id, id);
   CREATE TABLE staff_accounts (
     email TEXT PRIMARY KEY,
     role TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
     password_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE staff_sessions (
     token_hash TEXT PRIMARY KEY,
     email TEXT NOT NULL REFERENCES staff_accounts (email) ON DELETE CASCADE,
     created_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL
   );
   CREATE TABLE staff_login_failures (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     email TEXT,
     address TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX staff_login_failures_email ON staff_login_failures (email, at);
   CREATE INDEX staff_login_failures_address ON staff_login_failures (address, at);
   CREATE TABLE staff_lockouts (
     email TEXT PRIMARY KEY,
     until INTEGER NOT NULL
   );
   CREATE TABLE staff_audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     who TEXT NOT NULL,
     action TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE TABLE staff_messages (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     service_id TEXT NOT NULL,
     body TEXT NOT NULL,
     who TEXT NOT NULL,
     at INTEGER NOT NULL,
     recipients INTEGER NOT NULL
   );
   CREATE INDEX staff_messages_service ON staff_messages (service_id, id);`,
];

function migrateDesk(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS desk_schema (version INTEGER NOT NULL)');
  db.transaction(() => {
    let row = db.prepare<[], { version: number }>('SELECT version FROM desk_schema').get();
    if (!row) {
      db.prepare('INSERT INTO desk_schema (version) VALUES (0)').run();
      row = { version: 0 };
    }
    if (row.version > MIGRATIONS.length) {
      throw new Error(`desk schema version ${row.version} is newer than this code knows (${MIGRATIONS.length}): upgrade Waymark`);
    }
    for (let v = row.version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    db.prepare('UPDATE desk_schema SET version = ?').run(MIGRATIONS.length);
  }).immediate();
}

interface RevisionRow {
  id: number;
  at: number;
  who: string;
  service_id: string | null;
  action: string;
  fields: string;
  old: string;
  new: string;
  note: string | null;
  revert_of: number | null;
  version: number;
}

function toRevision(r: RevisionRow): Revision {
  return {
    id: r.id,
    at: new Date(r.at),
    who: r.who,
    serviceId: r.service_id,
    action: r.action as Revision['action'],
    fields: JSON.parse(r.fields) as string[],
    old: JSON.parse(r.old) as Record<string, unknown>,
    new: JSON.parse(r.new) as Record<string, unknown>,
    note: r.note,
    revertOf: r.revert_of,
    version: r.version,
  };
}

interface AccountRow {
  email: string;
  role: string;
  password_hash: string;
  created_at: number;
}

const toAccount = (r: AccountRow): StaffAccount => ({
  email: r.email,
  role: r.role as StaffRole,
  passwordHash: r.password_hash,
  createdAt: new Date(r.created_at),
});

export class SqliteCatalogueStore implements CatalogueStore {
  /** `db`: the SqliteStore's database (it owns and closes it). */
  constructor(readonly db: Database.Database) {
    migrateDesk(db);
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once. */
  private q<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st as unknown as Database.Statement<P, R>;
  }

  async catalogueVersion(): Promise<number> {
    return this.q<[], { version: number }>('SELECT version FROM catalogue_doc WHERE id = 1').get()?.version ?? 0;
  }

  async loadCatalogue(): Promise<{ version: number; catalogue: Catalogue } | null> {
    const row = this.q<[], { version: number; data: string }>('SELECT version, data FROM catalogue_doc WHERE id = 1').get();
    return row ? { version: row.version, catalogue: JSON.parse(row.data) as Catalogue } : null;
  }

  async saveCatalogue(catalogue: Catalogue, expectedVersion: number, revisions: RevisionInput[], at: Date): Promise<number | 'conflict'> {
    return this.db
      .transaction((): number | 'conflict' => {
        const current = this.q<[], { version: number }>('SELECT version FROM catalogue_doc WHERE id = 1').get()?.version ?? 0;
        if (current !== expectedVersion) return 'conflict';
        const version = current + 1;
        this.q(
          `INSERT INTO catalogue_doc (id, version, data, updated_at) VALUES (1, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data, updated_at = excluded.updated_at`,
        ).run(version, JSON.stringify(catalogue), at.getTime());
        const insert = this.q(
          `INSERT INTO catalogue_revisions (at, who, service_id, action, fields, old, new, note, revert_of, version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const r of revisions) {
          insert.run(at.getTime(), r.who, r.serviceId, r.action, JSON.stringify(r.fields), JSON.stringify(r.old), JSON.stringify(r.new), r.note, r.revertOf ?? null, version);
        }
        return version;
      })
      .immediate();
  }

  async revisions(opts: { limit?: number; serviceId?: string } = {}): Promise<Revision[]> {
    const limit = opts.limit ?? 100;
    const rows = opts.serviceId
      ? this.q<[string, number], RevisionRow>('SELECT * FROM catalogue_revisions WHERE service_id = ? ORDER BY id DESC LIMIT ?').all(opts.serviceId, limit)
      : this.q<[number], RevisionRow>('SELECT * FROM catalogue_revisions ORDER BY id DESC LIMIT ?').all(limit);
    return rows.map(toRevision);
  }

  async revision(id: number): Promise<Revision | null> {
    const row = this.q<[number], RevisionRow>('SELECT * FROM catalogue_revisions WHERE id = ?').get(id);
    return row ? toRevision(row) : null;
  }

  async addStaff(a: StaffAccount): Promise<boolean> {
    return (
      this.q('INSERT INTO staff_accounts (email, role, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .run(a.email, a.role, a.passwordHash, a.createdAt.getTime()).changes === 1
    );
  }

  async getStaff(email: string): Promise<StaffAccount | null> {
    const row = this.q<[string], AccountRow>('SELECT * FROM staff_accounts WHERE email = ?').get(email);
    return row ? toAccount(row) : null;
  }

  async listStaff(): Promise<StaffAccount[]> {
    return this.q<[], AccountRow>('SELECT * FROM staff_accounts ORDER BY email').all().map(toAccount);
  }

  async removeStaff(email: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.q('DELETE FROM staff_sessions WHERE email = ?').run(email);
      return this.q('DELETE FROM staff_accounts WHERE email = ?').run(email).changes === 1;
    }).immediate();
  }

  async setPassword(email: string, passwordHash: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.q('DELETE FROM staff_sessions WHERE email = ?').run(email);
      return this.q('UPDATE staff_accounts SET password_hash = ? WHERE email = ?').run(passwordHash, email).changes === 1;
    }).immediate();
  }

  async createSession(tokenHash: string, email: string, now: Date): Promise<void> {
    this.q('INSERT INTO staff_sessions (token_hash, email, created_at, last_seen_at) VALUES (?, ?, ?, ?)').run(tokenHash, email, now.getTime(), now.getTime());
  }

  async touchSession(tokenHash: string, now: Date, idleMs: number): Promise<StaffSession | null> {
    const row = this.q<[string], { email: string; role: string; created_at: number; last_seen_at: number }>(
      'SELECT s.email, a.role, s.created_at, s.last_seen_at FROM staff_sessions s JOIN staff_accounts a ON a.email = s.email WHERE s.token_hash = ?',
    ).get(tokenHash);
    if (!row) return null;
    if (now.getTime() - row.last_seen_at > idleMs) {
      this.q('DELETE FROM staff_sessions WHERE token_hash = ?').run(tokenHash);
      return null;
    }
    this.q('UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ?').run(now.getTime(), tokenHash);
    return { email: row.email, role: row.role as StaffRole, createdAt: new Date(row.created_at), lastSeenAt: now };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.q('DELETE FROM staff_sessions WHERE token_hash = ?').run(tokenHash);
  }

  async recordLoginFailure(email: string | null, address: string, now: Date): Promise<void> {
    this.q('INSERT INTO staff_login_failures (email, address, at) VALUES (?, ?, ?)').run(email, address, now.getTime());
  }

  async loginFailures(email: string, since: Date): Promise<number> {
    return this.q<[string, number], { n: number }>('SELECT count(*) AS n FROM staff_login_failures WHERE email = ? AND at > ?').get(email, since.getTime())!.n;
  }

  async addressFailures(address: string, since: Date): Promise<number> {
    return this.q<[string, number], { n: number }>('SELECT count(*) AS n FROM staff_login_failures WHERE address = ? AND at > ?').get(address, since.getTime())!.n;
  }

  async lockAccount(email: string, until: Date): Promise<void> {
    this.q('INSERT INTO staff_lockouts (email, until) VALUES (?, ?) ON CONFLICT (email) DO UPDATE SET until = excluded.until').run(email, until.getTime());
  }

  async lockedUntil(email: string): Promise<Date | null> {
    const row = this.q<[string], { until: number }>('SELECT until FROM staff_lockouts WHERE email = ?').get(email);
    return row ? new Date(row.until) : null;
  }

  async clearLoginFailures(email: string): Promise<void> {
    this.db.transaction(() => {
      this.q('DELETE FROM staff_login_failures WHERE email = ?').run(email);
      this.q('DELETE FROM staff_lockouts WHERE email = ?').run(email);
    }).immediate();
  }

  async purgeDesk(before: Date): Promise<void> {
    const t = before.getTime();
    this.db.transaction(() => {
      this.q('DELETE FROM staff_login_failures WHERE at < ?').run(t);
      this.q('DELETE FROM staff_lockouts WHERE until < ?').run(t);
      this.q('DELETE FROM staff_sessions WHERE last_seen_at < ?').run(t);
    }).immediate();
  }

  async audit(who: string, action: string, detail: string, now: Date): Promise<void> {
    this.q('INSERT INTO staff_audit (at, who, action, detail) VALUES (?, ?, ?, ?)').run(now.getTime(), who, action, detail);
  }

  async auditLog(limit = 100): Promise<AuditEntry[]> {
    return this.q<[number], { id: number; at: number; who: string; action: string; detail: string }>('SELECT * FROM staff_audit ORDER BY id DESC LIMIT ?')
      .all(limit)
      .map((r) => ({ ...r, at: new Date(r.at) }));
  }

  async subscriberCount(serviceId: string): Promise<number> {
    return this.q<[string], { n: number }>(
      'SELECT count(*) AS n FROM subscriptions s JOIN contacts c ON c.subject = s.subject WHERE s.service_id = ? AND c.opted_out = 0',
    ).get(serviceId)!.n;
  }

  async createStaffMessage(m: { serviceId: string; body: string; who: string; at: Date; sendAt: Date; validUntil: string }): Promise<StaffMessage> {
    return this.db
      .transaction((): StaffMessage => {
        const t = m.at.getTime();
        const id = Number(
          this.q('INSERT INTO staff_messages (service_id, body, who, at, recipients) VALUES (?, ?, ?, ?, 0)').run(m.serviceId, m.body, m.who, t).lastInsertRowid,
        );
        const subs = this.q<[string], { id: number }>(
          'SELECT s.id FROM subscriptions s JOIN contacts c ON c.subject = s.subject WHERE s.service_id = ? AND c.opted_out = 0 ORDER BY s.id',
        ).all(m.serviceId);
        const insert = this.q(
          `INSERT INTO outbox (key, subscription_id, subject, service_id, timing, occurrence_date, kind, send_at, next_attempt_at, updated_at)
           SELECT ?, s.id, s.subject, s.service_id, s.timing, ?, 'staff_message', ?, ?, ? FROM subscriptions s WHERE s.id = ?
           ON CONFLICT (key) DO NOTHING`,
        );
        let recipients = 0;
        for (const s of subs) recipients += insert.run(staffMessageKey(id, s.id), m.validUntil, m.sendAt.getTime(), m.sendAt.getTime(), t, s.id).changes;
        this.q('UPDATE staff_messages SET recipients = ? WHERE id = ?').run(recipients, id);
        return { id, serviceId: m.serviceId, body: m.body, who: m.who, at: m.at, recipients };
      })
      .immediate();
  }

  async staffMessages(serviceId: string, limit = 10): Promise<Array<StaffMessage & { counts: MessageCounts }>> {
    const rows = this.q<[string, number], { id: number; service_id: string; body: string; who: string; at: number; recipients: number }>(
      'SELECT * FROM staff_messages WHERE service_id = ? ORDER BY id DESC LIMIT ?',
    ).all(serviceId, limit);
    const counts = this.q<[string], { status: string; delivery: string | null; n: number }>(
      "SELECT status, delivery_status AS delivery, count(*) AS n FROM outbox WHERE kind = 'staff_message' AND key LIKE ? GROUP BY status, delivery_status",
    );
    return rows.map((r) => ({
      id: r.id,
      serviceId: r.service_id,
      body: r.body,
      who: r.who,
      at: new Date(r.at),
      recipients: r.recipients,
      counts: countStatuses(counts.all(`staff:${r.id}:%`)),
    }));
  }

  async staffMessageText(id: number): Promise<{ body: string; serviceId: string } | null> {
    const row = this.q<[number], { body: string; service_id: string }>('SELECT body, service_id FROM staff_messages WHERE id = ?').get(id);
    return row ? { body: row.body, serviceId: row.service_id } : null;
  }

  async close(): Promise<void> {
    // The database belongs to the SqliteStore, which closes it.
  }
}
