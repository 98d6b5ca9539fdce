// The Store contract against PostgreSQL (DATABASE_URL), plus what only
// PostgreSQL has: versioned migrations under an advisory lock.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { POSTGRES_SCHEMA_VERSION, PostgresStore, SchemaTooNewError, makePool, migratePostgres } from '../../src/store/postgres.ts';
import { SECRET } from '../helpers.ts';
import { describeStore } from './store-contract.ts';

async function pgClient(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}
import { describePostgres, freshSchema, openPostgresHarness } from './pg-harness.ts';

describePostgres('PostgreSQL', (base) => {
  describeStore('PostgreSQL', () => openPostgresHarness(base));

  describe('PostgreSQL group commit (waymark_turns)', () => {
    it('sends the turns of one pass of the event loop in one round trip; a turn the database refuses fails alone', async () => {
      const h = await openPostgresHarness(base);
      const store = h.store as unknown as PostgresStore;
      try {
        const at = new Date('2026-12-07T08:00:00Z');
        const turn = (subject: string, timing: string) => ({
          subject,
          messageId: `SMgroup${subject.padEnd(26, '0')}`,
          session: { who: subject },
          expectedVersion: 0,
          replies: [`hello ${subject}`],
          at,
          effects: [{ type: 'subscribe' as const, service: 'hub', timing: timing as 'morning' }],
          contact: { address: '+447700900111', channel: 'sms' as const, lang: 'en' },
        });
        const before = { ...store.turnStats };
        const results = await Promise.allSettled(['g1', 'g2', 'g3', 'g4'].map((s) => store.saveTurn(turn(s, s === 'g3' ? 'noon' : 'morning'))));
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
        // The CHECK on timing refused g3 inside the database: its own error, its own rollback.
        expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/timing|check/i);
        expect(store.turnStats.roundTrips - before.roundTrips).toBe(1);
        expect(store.turnStats.turns - before.turns).toBe(3);
        const client = await pgClient(h.url);
        try {
          const { rows } = await client.query<{ subject: string }>('SELECT subject FROM sessions UNION ALL SELECT subject FROM processed UNION ALL SELECT subject FROM subscriptions ORDER BY 1');
          expect(rows.map((r) => r.subject)).toEqual(['g1', 'g1', 'g1', 'g2', 'g2', 'g2', 'g4', 'g4', 'g4']);
        } finally {
          await client.end();
        }
      } finally {
        await h.cleanup();
      }
    });
  });

  describe('PostgreSQL claim (FOR UPDATE SKIP LOCKED)', () => {
    it('passes over rows another dispatcher is claiming, without waiting for it', async () => {
      const h = await openPostgresHarness(base);
      const store = h.store as unknown as PostgresStore;
      const other = await pgClient(h.url);
      try {
        const now = new Date('2026-12-07T08:00:00Z');
        const subject = 'skip-locked';
        await store.saveTurn({
          subject,
          messageId: null,
          session: {},
          expectedVersion: 0,
          replies: [],
          at: now,
          effects: ['a', 'b', 'c', 'd'].map((service) => ({ type: 'subscribe' as const, service, timing: 'morning' as const })),
          contact: { address: '+447700900111', channel: 'sms', lang: 'en' },
        });
        const subs = await store.activeSubscriptions();
        await store.enqueue(
          subs.map((s, i) => ({ key: `${s.id}:2026-12-07`, subscriptionId: s.id, serviceId: s.serviceId, occurrenceDate: '2026-12-07', sendAt: new Date(now.getTime() - (10 - i) * 1000), kind: 'reminder' as const })),
          now,
        );
        // Another dispatcher, mid-claim: it holds the first two pending rows.
        await other.query('BEGIN');
        const held = await other.query<{ id: string }>("SELECT id FROM outbox WHERE status = 'pending' ORDER BY send_at, id LIMIT 2 FOR UPDATE");
        const heldIds = held.rows.map((r) => Number(r.id));
        const started = Date.now();
        const timeout = new Promise<'waited'>((r) => setTimeout(() => r('waited'), 3000).unref());
        const got = await Promise.race([store.claim(10, now, 'me'), timeout]);
        expect(got, 'claim waited for the other transaction').not.toBe('waited');
        expect(Date.now() - started).toBeLessThan(3000);
        const ids = (got as Awaited<ReturnType<typeof store.claim>>).map((r) => r.id);
        expect(ids).toHaveLength(2);
        for (const id of heldIds) expect(ids).not.toContain(id);
        await other.query('ROLLBACK');
        expect((await store.claim(10, now, 'me')).map((r) => r.id).sort()).toEqual([...heldIds].sort());
      } finally {
        await other.end();
        await h.cleanup();
      }
    });

    it('eight claimers on two instances, in small batches, never take one row twice', async () => {
      const h = await openPostgresHarness(base);
      try {
        const stores = [h.store, await h.another()];
        const now = new Date('2026-12-07T08:00:00Z');
        const pool = (h.store as unknown as PostgresStore).pool;
        // 300 pending rows, made directly.
        await pool.query(
          `INSERT INTO contacts (subject, address_enc, channel, lang) SELECT 'p' || g, NULL, 'sms', 'en' FROM generate_series(1, 300) g`,
        );
        await pool.query(`INSERT INTO subscriptions (subject, service_id, timing, created_at) SELECT 'p' || g, 'hub', 'morning', $1 FROM generate_series(1, 300) g`, [now]);
        const subs = await h.store.activeSubscriptions();
        expect(await h.store.enqueue(subs.map((s) => ({ key: `${s.id}:2026-12-07`, subscriptionId: s.id, serviceId: 'hub', occurrenceDate: '2026-12-07', sendAt: now, kind: 'reminder' as const })), now)).toBe(300);
        const taken: number[][] = [];
        await Promise.all(
          Array.from({ length: 8 }, async (_, i) => {
            const mine: number[] = [];
            taken.push(mine);
            for (;;) {
              const rows = await stores[i % 2].claim(3, now, `w${i}`);
              if (rows.length === 0) break;
              mine.push(...rows.map((r) => r.id));
            }
          }),
        );
        const all = taken.flat();
        expect(all).toHaveLength(300);
        expect(new Set(all).size).toBe(300);
        expect(taken.filter((t) => t.length > 0).length).toBeGreaterThan(1);
        const { rows } = await pool.query("SELECT count(*)::int AS n FROM outbox WHERE status = 'sending' AND attempts = 1");
        expect(rows[0].n).toBe(300);
      } finally {
        await h.cleanup();
      }
    });
  });

  describe('PostgreSQL migrations', () => {
    it('are versioned in schema_migrations, applied once, and a second start finds nothing to do', async () => {
      const { url, drop } = await freshSchema(base);
      try {
        const pool = makePool(url, 2);
        try {
          expect(await migratePostgres(pool)).toEqual({ from: 0, to: POSTGRES_SCHEMA_VERSION });
          expect(await migratePostgres(pool)).toEqual({ from: POSTGRES_SCHEMA_VERSION, to: POSTGRES_SCHEMA_VERSION });
          const { rows } = await pool.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
          expect(rows.map((r) => r.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
          expect(rows[0].applied_at).toBeInstanceOf(Date);
        } finally {
          await pool.end();
        }
      } finally {
        await drop();
      }
    });

    it('five instances starting at once migrate exactly once (advisory lock), and all work', async () => {
      const { url, drop } = await freshSchema(base);
      const stores: PostgresStore[] = [];
      try {
        stores.push(...(await Promise.all(Array.from({ length: 5 }, () => PostgresStore.open(url, SECRET, { poolSize: 2 })))));
        expect(stores.map((s) => s.migrated.from).sort()).toEqual([0, 1, 1, 1, 1].map((x) => x * POSTGRES_SCHEMA_VERSION));
        for (const s of stores) expect(await s.schemaVersion()).toBe(POSTGRES_SCHEMA_VERSION);
        const { rows } = await stores[0].pool.query('SELECT count(*)::int AS n FROM schema_migrations');
        expect(rows[0].n).toBe(POSTGRES_SCHEMA_VERSION);
      } finally {
        for (const s of stores) await s.close();
        await drop();
      }
    });

    it('refuse a database whose schema is newer than this code knows', async () => {
      const { url, drop } = await freshSchema(base);
      try {
        const first = await PostgresStore.open(url, SECRET);
        await first.pool.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [POSTGRES_SCHEMA_VERSION + 1]);
        await first.close();
        const err = await PostgresStore.open(url, SECRET).catch((e: Error) => e);
        expect(err).toBeInstanceOf(SchemaTooNewError);
        expect((err as Error).message).toBe(
          `database schema version ${POSTGRES_SCHEMA_VERSION + 1} is newer than this code knows (${POSTGRES_SCHEMA_VERSION}): upgrade Waymark`,
        );
      } finally {
        await drop();
      }
    });

    it('a database that cannot be reached is a clear error without the password', async () => {
      const u = new URL(base);
      u.password = 'not-the-password-xyzzy';
      const err = (await PostgresStore.open(u.toString(), SECRET).catch((e: Error) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(new RegExp(`^PostgreSQL at ${u.hostname}`));
      expect(err.message).not.toContain('xyzzy');
    });

    it('timestamps are timestamptz and ids bigint (for people reading the database)', async () => {
      const h = await openPostgresHarness(base);
      try {
        const { rows } = await (h.store as unknown as PostgresStore).pool.query<{ table_name: string; column_name: string; data_type: string }>(
          `SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = $1 AND (column_name LIKE '%\\_at' OR column_name = 'id') ORDER BY 1, 2`,
          [h.schema],
        );
        for (const r of rows) {
          expect(r.data_type, `${r.table_name}.${r.column_name}`).toBe(r.column_name === 'id' ? 'bigint' : 'timestamp with time zone');
        }
        expect(rows.length).toBeGreaterThan(8);
      } finally {
        await h.cleanup();
      }
    });
  });
});
