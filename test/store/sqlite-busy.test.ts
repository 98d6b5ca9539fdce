// SQLite and the event loop. Another process (the reminders command, a
// backup) may hold the database's write lock for a while: the server must
// go on answering what does not need that lock (/healthz, a repeated
// MessageSid) and finish the waiting write once the lock is free, instead of
// blocking the whole process inside SQLite's busy wait. And the checkpoint
// after FORGET never throws: an incomplete or failed one is logged with its
// reason.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { ROOT, SECRET, makeApp, messages, signed, sms, tempDir } from '../helpers.ts';

const made: Array<Awaited<ReturnType<typeof makeApp>>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (made.length) {
    const m = made.pop()!;
    await m.app.close();
    await m.store.close();
  }
});

/**
 * Another process that takes the database's lock (`write`: the write lock;
 * `read`: a read transaction, which stops a checkpoint from finishing), holds
 * it for `holdMs`, and reports the wall-clock time it let go.
 */
function holdLock(file: string, mode: 'write' | 'read', holdMs: number): { locked: Promise<void>; released: Promise<number> } {
  const script = `
    const Database = require(${JSON.stringify(path.join(ROOT, 'node_modules/better-sqlite3'))});
    const db = new Database(${JSON.stringify(file)});
    db.pragma('journal_mode = WAL'); // as Waymark opens it
    db.exec(${JSON.stringify(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN')});
    if (${JSON.stringify(mode)} === 'read') db.prepare('SELECT count(*) FROM sessions').get();
    console.log('locked');
    setTimeout(() => { db.exec('COMMIT'); console.log('released ' + Date.now()); db.close(); }, ${holdMs});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let onLocked!: () => void;
  let onReleased!: (t: number) => void;
  const locked = new Promise<void>((r) => (onLocked = r));
  const released = new Promise<number>((r) => (onReleased = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('locked')) onLocked();
    const m = /released (\d+)/.exec(out);
    if (m) onReleased(Number(m[1]));
  });
  return { locked, released };
}

async function setup() {
  const dataDir = tempDir();
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) });
  const store = SqliteStore.open(dataDir, SECRET, logger);
  const m = await makeApp({ dataDir, store });
  made.push(m);
  const post = async (params: Record<string, string>) => messages((await m.app.inject(signed(params))).body);
  return { ...m, file: path.join(dataDir, 'waymark.db'), lines, post };
}

describe('SQLite while another process holds the lock', () => {
  it('answers /healthz and a repeated message while a turn waits for the write lock, then answers that turn properly', async () => {
    const { app, file, post } = await setup();
    const earlier = sms('+447700900601', 'hi');
    const first = await post(earlier);
    expect(first[0]).toContain('Welcome');

    const holder = holdLock(file, 'write', 2000);
    await holder.locked;
    const waiting = post(sms('+447700900602', 'hi')); // needs the write lock
    await new Promise((r) => setTimeout(r, 100));
    const health = app.inject({ method: 'GET', url: '/healthz' }).then((res) => ({ status: res.statusCode, at: Date.now() }));
    const repeat = post(earlier).then((replies) => ({ replies, at: Date.now() })); // another person, a read-only path
    const [h, r, releasedAt] = await Promise.all([health, repeat, holder.released]);
    expect(h.status).toBe(200);
    expect(h.at, '/healthz answered only after the other process let go of the lock').toBeLessThan(releasedAt);
    expect(r.replies).toEqual(first);
    expect(r.at, 'the repeated message answered only after the other process let go of the lock').toBeLessThan(releasedAt);
    // The waiting turn is saved once the lock is free: the real reply, not the apology.
    expect((await waiting)[0]).toContain('Welcome');
  }, 30_000);

  it('a server starting (and migrating) while another process holds the write lock waits for it, and starts', async () => {
    const dir = tempDir();
    const holder = holdLock(path.join(dir, 'waymark.db'), 'write', 1000);
    await holder.locked;
    const other = SqliteStore.open(dir, SECRET);
    try {
      expect(Date.now()).toBeGreaterThanOrEqual(await holder.released);
      expect(await other.getSession('nobody')).toBeNull();
    } finally {
      await other.close();
    }
  }, 30_000);

  it('FORGET while another process reads: the reply comes at once, the checkpoint is retried and logged, and completes later', async () => {
    const { file, lines, post } = await setup();
    const person = '+447700900603';
    await post(sms(person, 'hi'));
    await post(sms(person, '1'));
    const holder = holdLock(file, 'read', 1500);
    await holder.locked;
    await post(sms(person, 'FORGET')); // asks first
    const replies = await post(sms(person, 'FORGET YES'));
    const answeredAt = Date.now();
    expect(replies[0]).toMatch(/^Done: we deleted everything/);
    const releasedAt = await holder.released;
    expect(answeredAt, 'FORGET answered only after the reader went away').toBeLessThan(releasedAt);
    const logged = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string; attempts?: number });
    expect(logged().find((l) => l.msg.includes('checkpoint after FORGET incomplete'))).toMatchObject({ level: 40, reason: 'another process is reading or writing' });
    await vi.waitFor(() => expect(logged().some((l) => l.msg.includes('checkpoint after FORGET completed'))).toBe(true), { timeout: 10_000, interval: 100 });
    expect(fs.statSync(file + '-wal').size).toBe(0);
  }, 30_000);

  it('a checkpoint that throws (e.g. an I/O error) is logged with the error, never thrown: FORGET still answers', async () => {
    const { store, lines, post } = await setup();
    const person = '+447700900604';
    await post(sms(person, 'hi'));
    const pragma = store.db.pragma.bind(store.db);
    vi.spyOn(store.db, 'pragma').mockImplementation(((source: string, options?: Database.PragmaOptions) => {
      if (source.startsWith('wal_checkpoint')) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      return pragma(source, options);
    }) as typeof store.db.pragma);
    await post(sms(person, 'FORGET')); // asks first
    expect((await post(sms(person, 'FORGET YES')))[0]).toMatch(/^Done: we deleted everything/);
    await store.forget('someone-else'); // the other path to a checkpoint
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.msg.includes('checkpoint after FORGET failed'));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ level: 40, err: { message: 'disk I/O error', code: 'SQLITE_IOERR', stack: expect.stringContaining('disk I/O error') } });
    expect((await post(sms(person, 'hi')))[0]).toContain('Welcome'); // and the server goes on
  });
});
