// The PostgreSQL column (DATABASE_URL): a schema of its own for each run,
// dropped at the end; the server's processes, to measure their CPU; and the
// dispatcher's store on PostgreSQL.
import fs from 'node:fs';
import pg from 'pg';
import { describeUrl, PostgresStore } from '../src/store/postgres.ts';
import { closers, lateClosers, log, procStat } from './children.ts';
import type { BenchStore } from './reminders.ts';
import { PG_POOL_SIZE, RUN_TAG } from './settings.ts';

export interface PgBench {
  /** host:port/database, for the report: never the user or password. */
  where: string;
  version: string;
  /** The schemas of the runs (created empty, dropped at the end). */
  hookSchema: string;
  dispatchSchema: string;
  /** DATABASE_URL with every connection's search_path set to that run's schema. */
  hookUrl: string;
  dispatchUrl: string;
  /** The server's postmaster if it runs on this machine (its processes' CPU is then measured), else null. */
  postmaster: number | null;
}

/** `url` with `options=-c search_path=<schema>` (added to any options it has). */
export function urlForSchema(url: string, schema: string): string {
  const u = new URL(url);
  const options = [u.searchParams.get('options'), `-c search_path=${schema}`].filter(Boolean).join(' ');
  u.searchParams.delete('options');
  const param = `options=${encodeURIComponent(options)}`;
  u.search = u.search ? `${u.search}&${param}` : `?${param}`;
  return u.toString();
}

/** The postmaster and its children (backends, WAL writer, checkpointer, …); [] if not on this machine. */
export function pgServerPids(postmaster: number | null): number[] {
  if (postmaster === null) return [];
  const pids = [postmaster];
  for (const name of fs.readdirSync('/proc')) {
    if (/^\d+$/.test(name) && procStat(Number(name))?.ppid === postmaster) pids.push(Number(name));
  }
  return pids;
}

/** Connects, creates the two empty schemas, and arranges for them to be dropped at the end. */
export async function pgSetup(url: string): Promise<PgBench> {
  const where = describeUrl(url);
  const admin = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000 });
  admin.on('error', () => undefined);
  const hookSchema = `bench_${RUN_TAG}_hook`;
  const dispatchSchema = `bench_${RUN_TAG}_dispatch`;
  let info: { version: string; pid: number };
  try {
    info = (await admin.query<{ version: string; pid: number }>("SELECT current_setting('server_version') AS version, pg_backend_pid() AS pid")).rows[0];
  } catch (e) {
    await admin.end().catch(() => undefined);
    throw new Error(`PostgreSQL at ${where}: ${(e as Error).message}`, { cause: e });
  }
  lateClosers.push(async () => {
    try {
      // After the children have stopped and the stores are closed; a lock still held by something else fails after 10 s.
      await admin.query(`SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS ${hookSchema} CASCADE; DROP SCHEMA IF EXISTS ${dispatchSchema} CASCADE`);
    } catch (e) {
      log(`PostgreSQL: could not drop the schemas ${hookSchema} and ${dispatchSchema} (drop them by hand): ${(e as Error).message}`);
    } finally {
      await admin.end().catch(() => undefined);
    }
  });
  try {
    for (const schema of [hookSchema, dispatchSchema]) await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (e) {
    throw new Error(`PostgreSQL at ${where}: creating the bench's schemas (the user needs CREATE on the database): ${(e as Error).message}`, { cause: e });
  }
  // Our backend's parent is the postmaster, if the server runs here (else /proc has no such postgres process).
  const me = procStat(info.pid);
  const postmaster = me?.comm === 'postgres' && procStat(me.ppid)?.comm === 'postgres' ? me.ppid : null;
  return {
    where,
    version: info.version,
    hookSchema,
    dispatchSchema,
    hookUrl: urlForSchema(url, hookSchema),
    dispatchUrl: urlForSchema(url, dispatchSchema),
    postmaster,
  };
}

export async function postgresBenchStore(url: string, secret: Buffer): Promise<BenchStore> {
  const store = await PostgresStore.open(url, secret, { poolSize: PG_POOL_SIZE });
  closers.push(() => store.close());
  return {
    store,
    async seed(rows, lang, at) {
      const c = await store.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(
          `INSERT INTO contacts (subject, address_enc, channel, lang, last_inbound_at, opted_out)
           SELECT subject, address_enc, 'sms', $3, $4, false FROM unnest($1::text[], $2::text[]) AS t(subject, address_enc)`,
          [rows.map((r) => r.subject), rows.map((r) => r.addressEnc), lang, at],
        );
        await c.query(
          `INSERT INTO subscriptions (subject, service_id, timing, created_at)
           SELECT subject, service_id, 'morning', $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(subject, service_id, n) ORDER BY n`,
          [rows.map((r) => r.subject), rows.map((r) => r.serviceId), at],
        );
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    async outboxStatus() {
      const out: Record<string, number> = {};
      const { rows } = await store.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM outbox GROUP BY status');
      for (const r of rows) out[r.status] = r.n;
      return out;
    },
    async distinctSids() {
      return (await store.pool.query<{ n: number }>('SELECT count(DISTINCT twilio_sid)::int AS n FROM outbox')).rows[0].n;
    },
  };
}
