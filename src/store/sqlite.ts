import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Store, TurnRecord } from './store.ts';

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
];

export class SchemaTooNewError extends Error {}

export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  // WAL: readers never block the writer, and the reminders command can run
  // beside the server. synchronous=NORMAL in WAL mode keeps every committed
  // transaction through a crash of the process (SIGKILL included); only a
  // power cut can lose the last few, which a person would re-send.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Another process holding the write lock (reminders CLI) makes us wait, not fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
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

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string) {
    this.db = openDatabase(file);
    const db = this.db;
    this.stmts = {
      getSession: db.prepare<[string], { data: string }>('SELECT data FROM sessions WHERE subject = ?'),
      getProcessed: db.prepare<[string], { replies: string }>('SELECT replies FROM processed WHERE message_id = ?'),
      insertProcessed: db.prepare(
        'INSERT INTO processed (message_id, subject, replies, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      upsertSession: db.prepare(
        `INSERT INTO sessions (subject, data, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(subject) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
      ),
      deleteSession: db.prepare('DELETE FROM sessions WHERE subject = ?'),
      deleteProcessed: db.prepare('DELETE FROM processed WHERE subject = ?'),
    };
  }

  static open(dataDir: string): SqliteStore {
    return new SqliteStore(path.join(dataDir, 'waymark.db'));
  }

  async getSession(subject: string): Promise<unknown | null> {
    const row = this.stmts.getSession.get(subject);
    return row ? JSON.parse(row.data) : null;
  }

  async getProcessed(messageId: string): Promise<string[] | null> {
    const row = this.stmts.getProcessed.get(messageId);
    return row ? (JSON.parse(row.replies) as string[]) : null;
  }

  private readonly saveTx = (t: TurnRecord): boolean => {
    const at = t.at.getTime();
    if (t.messageId) {
      const res = this.stmts.insertProcessed.run(t.messageId, t.subject, JSON.stringify(t.replies), at);
      if (res.changes === 0) return false;
    }
    this.stmts.upsertSession.run(t.subject, JSON.stringify(t.session), at);
    return true;
  };

  async saveTurn(turn: TurnRecord): Promise<boolean> {
    return this.db.transaction(this.saveTx).immediate(turn);
  }

  async forget(subject: string): Promise<void> {
    this.db.transaction(() => {
      this.stmts.deleteSession.run(subject);
      this.stmts.deleteProcessed.run(subject);
    }).immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
