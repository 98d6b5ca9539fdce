// The server's SQLite store copies its write-ahead log into the database on a
// thread of its own (no COMMIT on the event loop does it), and the log does
// not grow without bound while turns keep coming.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { SECRET, tempDir } from '../helpers.ts';

function turn(i: number, version: number) {
  return {
    subject: `subject-${i % 200}`,
    messageId: `SM${String(i).padStart(32, '0')}`,
    session: { state: 'menu', lang: 'en', note: 'x'.repeat(300) },
    expectedVersion: version,
    replies: ['a reply '.repeat(30)],
    at: new Date('2026-12-01T12:00:00Z'),
    effects: [],
    contact: { address: '+447700900123', channel: 'sms' as const, lang: 'en' },
  };
}

async function writeTurns(store: SqliteStore, from: number, count: number, versions: Map<number, number>): Promise<void> {
  for (let i = from; i < from + count; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, async (_, k) => {
        const who = (i + k) % 200;
        expect(await store.saveTurn(turn(i + k, versions.get(who) ?? 0))).toBe('saved');
        versions.set(who, (versions.get(who) ?? 0) + 1);
      }),
    );
  }
}

describe('SQLite checkpoints off the event loop (the server store)', () => {
  it('committed turns reach the database file without a commit checkpointing, the log starts again, and close() ends the thread', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'waymark.db');
    const store = SqliteStore.open(dir, SECRET, null, { backgroundCheckpoints: true });
    const sizeBefore = fs.statSync(file).size;
    const versions = new Map<number, number>();
    // Commits do not checkpoint any more...
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await writeTurns(store, 0, 2_000, versions);
    // ...yet the pages reach the database file: the thread copied them.
    await expect.poll(() => fs.statSync(file).size, { timeout: 20_000, interval: 100 }).toBeGreaterThan(sizeBefore + 100_000);
    // Steady writing: the log is started again from its beginning, so it stays bounded.
    for (let round = 0; round < 6; round++) await writeTurns(store, 2_000 + round * 2_000, 2_000, versions);
    // Without restarts 14,000 turns would leave a log of tens of thousands of
    // pages. How soon the thread catches up depends on the machine, so keep
    // writing a little until a write has started the log again (bounded in time).
    let next = 14_000;
    const logPages = async () => {
      await writeTurns(store, next, 20, versions);
      next += 20;
      return (store.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0].log;
    };
    await expect.poll(logPages, { timeout: 30_000, interval: 200 }).toBeLessThan(8_000);
    // Every turn is there, read back by another connection.
    const other = SqliteStore.open(dir, SECRET);
    expect((other.db.prepare('SELECT count(*) AS n FROM processed').get() as { n: number }).n).toBe(next);
    await other.close();
    await store.close(); // resolves: the thread closed its connection
    expect(store.db.open).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
