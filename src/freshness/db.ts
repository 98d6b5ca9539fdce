// One small SQL seam for the freshness tables, so that one implementation of
// FreshnessStore (store.ts) runs on the SQLite file or the PostgreSQL pool the
// Store already uses. Queries are written with `?` placeholders; times are
// whole milliseconds (INTEGER / BIGINT), so both databases read them alike.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { inTransaction } from '../store/postgres.ts';
import { whileBusy } from '../store/sqlite-busy.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Row = Record<string, unknown>;

export interface Sql {
  readonly dialect: Dialect;
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Rows changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** INSERT … RETURNING id: the new row's id, or null when nothing was inserted (ON CONFLICT DO NOTHING). */
  insertId(sql: string, params?: unknown[]): Promise<number | null>;
  /** `fn` in one transaction (SQLite: BEGIN IMMEDIATE, so writers take turns). */
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
}

export class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  private depth = 0;
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  /** Prepared once. Outside a transaction, retried while another process holds the lock (whileBusy). */
  private exec<T>(sql: string, use: (st: Database.Statement) => T): Promise<T> {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    const prepared = st;
    return this.depth > 0 ? Promise.resolve(use(prepared)) : whileBusy(() => use(prepared));
  }

  all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.exec(sql, (st) => st.all(...params.map(sqliteValue)) as Row[]);
  }

  run(sql: string, params: unknown[] = []): Promise<number> {
    return this.exec(sql, (st) => st.run(...params.map(sqliteValue)).changes);
  }

  insertId(sql: string, params: unknown[] = []): Promise<number | null> {
    return this.exec(sql, (st) => {
      const row = st.get(...params.map(sqliteValue)) as { id: number } | undefined;
      return row ? Number(row.id) : null;
    });
  }

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Transactions on this connection take turns (a second BEGIN would fail).
   * fn awaits nothing but this connection. While another process holds the
   * lock, BEGIN is tried again without blocking the event loop (whileBusy).
   */
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    if (this.depth > 0) return fn(this);
    const run = this.queue.then(() => this.txNow(fn));
    // The next transaction waits for this one, failed or not; its caller gets the failure from `run`.
    this.queue = run.then(
      () => undefined,
      (err: unknown) => err,
    );
    return run;
  }

  private async txNow<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    await whileBusy(() => this.db.exec('BEGIN IMMEDIATE'));
    this.depth++;
    try {
      const out = await fn(this);
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    } finally {
      this.depth--;
    }
  }
}

function sqliteValue(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/** `?` → `$1, $2…` (none of our queries has a `?` inside a string). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

type Queryable = pg.Pool | pg.PoolClient;

export class PostgresSql implements Sql {
  readonly dialect = 'postgres' as const;
  constructor(
    private readonly pool: pg.Pool,
    private readonly client: Queryable = pool,
  ) {}

  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.client.query(numbered(sql), params)).rows as Row[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.client.query(numbered(sql), params)).rowCount ?? 0;
  }

  async insertId(sql: string, params: unknown[] = []): Promise<number | null> {
    const rows = (await this.client.query(numbered(sql), params)).rows as Array<{ id: string | number }>;
    return rows[0] ? Number(rows[0].id) : null;
  }

  async tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    if (this.client !== this.pool) return fn(this);
    return inTransaction(this.pool, (c) => fn(new PostgresSql(this.pool, c)));
  }
}
