// PostgreSQL for the tests: TEST_DATABASE_URL names a database the tests may
// create schemas in (.ci/run starts one; see README, "Tests"). Each store
// opened here lives in a fresh schema of its own, chosen through the
// connection's search_path, and the schema is dropped afterwards. Without
// TEST_DATABASE_URL the PostgreSQL tests are skipped (REQUIRE_PG=1: failed).
import crypto from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SECRET } from '../helpers.ts';
import { TABLES, type StoreHarness } from './store-contract.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || null;

/** REQUIRE_PG=1 (as .ci/run sets it): a missing TEST_DATABASE_URL fails the run instead of skipping. */
const REQUIRE_PG = process.env.REQUIRE_PG === '1';

/**
 * A file's PostgreSQL tests: `body` gets TEST_DATABASE_URL. Without it they
 * are reported as skipped (start a server and set the variable, see README,
 * "Tests"); under REQUIRE_PG=1 the run fails instead, naming the variable.
 */
export function describePostgres(name: string, body: (base: string) => void): void {
  if (!TEST_DATABASE_URL && REQUIRE_PG) {
    describe(name, () => {
      it('needs TEST_DATABASE_URL (REQUIRE_PG=1)', () => {
        expect.fail(
          'REQUIRE_PG=1 but TEST_DATABASE_URL is not set: start PostgreSQL and set it, e.g.\n' +
            '  TEST_DATABASE_URL=postgres://waymark:secret@127.0.0.1:5432/waymark_test npm test\n' +
            '(the user needs CREATE on that database: the tests make and drop a schema per test).',
        );
      });
    });
    return;
  }
  describe.skipIf(!TEST_DATABASE_URL)(name, () => body(TEST_DATABASE_URL ?? ''));
}

/** TEST_DATABASE_URL with its search_path set to `schema`. */
export function urlWithSchema(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** A fresh schema: its URL, and a function that drops it. */
export async function freshSchema(base: string): Promise<{ schema: string; url: string; drop: () => Promise<void> }> {
  const schema = `wm_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return {
    schema,
    url: urlWithSchema(base, schema),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function openPostgresHarness(base: string, poolSize = 5): Promise<StoreHarness & { url: string; schema: string }> {
  const { schema, url, drop } = await freshSchema(base);
  const store = await PostgresStore.open(url, SECRET, { poolSize });
  const opened: PostgresStore[] = [store];
  return {
    store,
    url,
    schema,
    rowsAbout: async (subject) => {
      const counts = await Promise.all(
        TABLES.map(async (t) => Number((await store.pool.query(`SELECT count(*) AS n FROM ${t} WHERE subject = $1`, [subject])).rows[0].n)),
      );
      return Object.fromEntries(TABLES.map((t, i) => [t, counts[i]])) as Record<(typeof TABLES)[number], number>;
    },
    dump: async () => {
      const parts = [];
      for (const t of TABLES) parts.push(JSON.stringify((await store.pool.query(`SELECT * FROM ${t}`)).rows));
      return parts.join('\n');
    },
    another: async () => {
      const other = await PostgresStore.open(url, SECRET, { poolSize });
      opened.push(other);
      return other;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      await drop();
    },
  };
}
