// The freshness tables share the Store's SQLite file, whose connection waits
// only 25 ms for a lock: their writes must wait for another process (the
// reminders or freshness command) without failing, as the Store's do.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteSql } from '../../src/freshness/db.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { SECRET, tempDir } from '../helpers.ts';

describe('the freshness SQL seam on SQLite while another process holds the lock', () => {
  it('a write and a transaction wait for the lock to be let go, then succeed', async () => {
    const dir = tempDir();
    const store = SqliteStore.open(dir, SECRET);
    const sql = new SqliteSql(store.db);
    await sql.run('CREATE TABLE t (n INTEGER)');
    const other = new Database(path.join(dir, 'waymark.db'));
    other.exec('BEGIN IMMEDIATE'); // another process writing
    const released = new Promise<void>((r) =>
      setTimeout(() => {
        other.exec('COMMIT');
        r();
      }, 300),
    );
    const write = sql.run('INSERT INTO t (n) VALUES (1)');
    const tx = sql.tx(async (q) => q.run('INSERT INTO t (n) VALUES (2)'));
    await released;
    expect(await write).toBe(1);
    expect(await tx).toBe(1);
    expect(await sql.all('SELECT n FROM t ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
    other.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
