// Choosing the store: DATABASE_URL (PostgreSQL) or SQLite by default; the
// configuration of it; and `npm run migrate`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/open.ts';
import { POSTGRES_SCHEMA_VERSION, PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { built } from '../built.ts';
import { ROOT, SECRET, tempDir } from '../helpers.ts';
import { describePostgres, freshSchema } from './pg-harness.ts';


function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a configuration error');
}

function migrate(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['DATABASE_URL', 'DATA_DIR', 'NODE_ENV'].includes(k)));
  return spawnSync(process.execPath, [built('src/cli/migrate.ts')], { cwd: ROOT, env: { ...clean, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('DATABASE_URL and DATABASE_POOL_SIZE', () => {
  it('default: SQLite (no URL), a pool of 10, reminders sent in-process', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeNull();
    expect(c.databasePoolSize).toBe(10);
    expect(c.remindersInProcess).toBe(true);
  });

  it('accepts postgres:// and postgresql:// URLs', () => {
    const WAYMARK_SECRET = 'k'.repeat(32);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db.internal:5432/waymark', WAYMARK_SECRET }).databaseUrl).toBe('postgres://u:p@db.internal:5432/waymark');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/waymark?sslmode=require', DATABASE_POOL_SIZE: '25', WAYMARK_SECRET })).toMatchObject({
      databaseUrl: 'postgresql://db/waymark?sslmode=require',
      databasePoolSize: 25,
    });
  });

  it('refuses another scheme, naming the variable and never echoing the value (it may hold a password)', () => {
    for (const bad of ['mysql://u:hunter2secret@db/waymark', 'db.internal:5432/hunter2secret', 'postgres:/hunter2secret']) {
      const msg = configError({ DATABASE_URL: bad });
      expect(msg).toMatch(/DATABASE_URL: expected postgres:\/\//);
      expect(msg).not.toContain('hunter2secret');
    }
    expect(configError({ DATABASE_URL: 'mysql://u:p@db/w' })).toContain('got a "mysql:" URL');
  });

  it('requires WAYMARK_SECRET with DATABASE_URL: every instance must hash numbers with the same key', () => {
    expect(configError({ DATABASE_URL: 'postgres://u:p@db/w' })).toContain('WAYMARK_SECRET: required with DATABASE_URL');
  });

  it('refuses a pool size that is not a whole number from 1 to 1000', () => {
    for (const bad of ['0', '-1', 'ten', '1.5', '1001']) expect(configError({ DATABASE_POOL_SIZE: bad })).toContain('DATABASE_POOL_SIZE: expected a whole number from 1 to 1000');
  });

  it('REMINDERS_IN_PROCESS=false turns the in-process dispatcher off; nonsense is refused', () => {
    expect(loadConfig({ REMINDERS_IN_PROCESS: 'false' }).remindersInProcess).toBe(false);
    expect(loadConfig({ REMINDERS_IN_PROCESS: 'TRUE' }).remindersInProcess).toBe(true);
    expect(configError({ REMINDERS_IN_PROCESS: 'maybe' })).toContain('REMINDERS_IN_PROCESS: expected true or false');
  });
});

describe('openStore and npm run migrate (SQLite)', () => {
  it('opens SQLite under DATA_DIR when DATABASE_URL is unset', async () => {
    const dataDir = tempDir();
    const store = await openStore(loadConfig({ DATA_DIR: dataDir }), SECRET);
    try {
      expect(store).toBeInstanceOf(SqliteStore);
      expect(fs.existsSync(path.join(dataDir, 'waymark.db'))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('migrate creates and migrates the SQLite database and prints its version', () => {
    const dataDir = tempDir();
    const r = migrate({ DATA_DIR: dataDir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^SQLite .*waymark\.db: schema version \d+\n$/);
  });

  it('migrate with a wrong DATABASE_URL fails naming it', () => {
    const r = migrate({ DATABASE_URL: 'mysql://x@y/z' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL');
  });
});

describePostgres('PostgreSQL: openStore and migrate', (base) => {
  describe('openStore and npm run migrate (PostgreSQL)', () => {
    it('opens PostgreSQL when DATABASE_URL is set, with DATABASE_POOL_SIZE connections at most', async () => {
      const { url, drop } = await freshSchema(base);
      const store = await openStore(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '3', DATA_DIR: tempDir(), WAYMARK_SECRET: 'k'.repeat(32) }), SECRET);
      try {
        expect(store).toBeInstanceOf(PostgresStore);
        expect((store as PostgresStore).pool.options.max).toBe(3);
        expect(await (store as PostgresStore).schemaVersion()).toBe(POSTGRES_SCHEMA_VERSION);
      } finally {
        await store.close();
        await drop();
      }
    });

    it('migrate applies the migrations once, says the version, and never prints the password', async () => {
      const { url, drop } = await freshSchema(base);
      try {
        const first = migrate({ DATABASE_URL: url, WAYMARK_SECRET: 'k'.repeat(32) });
        expect(first.stderr).toBe('');
        expect(first.status).toBe(0);
        expect(first.stdout).toMatch(new RegExp(`^PostgreSQL \\S+: schema version ${POSTGRES_SCHEMA_VERSION} \\(was 0\\)\\n$`));
        const second = migrate({ DATABASE_URL: url, WAYMARK_SECRET: 'k'.repeat(32) });
        expect(second.stdout).toContain(`schema version ${POSTGRES_SCHEMA_VERSION} (up to date)`);
        const password = decodeURIComponent(new URL(base).password);
        if (password) expect(first.stdout + first.stderr + second.stdout).not.toContain(password);
      } finally {
        await drop();
      }
    });
  });
});
