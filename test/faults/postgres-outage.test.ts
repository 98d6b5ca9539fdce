// PostgreSQL going away under load must not end the server. The real server
// (src/server.ts) runs as a child process on a PostgreSQL instance of this
// test's own (test/faults/throwaway-postgres.ts), while eight people text it
// at once, each walking to the Portsmouth Refugee Hub and asking for a
// reminder, over and over:
//  (a) its connections are killed with pg_terminate_backend, three times;
//  (b) PostgreSQL is stopped for two seconds and started again.
// Each time the process lives; while the database is away people get the
// short apology; it answers properly again within seconds (the pool opens
// new connections by itself); and every "Reminder set" it gave is still
// listed by REMINDERS afterwards.
// Without the PostgreSQL binaries the file is skipped, except under CI or
// REQUIRE_PG=1, where that fails the run.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APOLOGY } from '../../src/app.ts';
import { messages } from '../helpers.ts';
import { freePort, killServers, spawnServer, waitUntilHealthy, type ServerProcess } from '../server-process.ts';
import { ThrowawayPostgres, findPostgresBin, postgresRequired } from './throwaway-postgres.ts';

const BIN = findPostgresBin();
const APP_NAME = 'waymark_outage_test';
const PEOPLE = 8;
/** PICK: the number the Portsmouth Refugee Hub has in the list just received. */
const PICK = 'pick the hub';
const SCRIPT = ['hi', '2', 'FOOD', PICK, 'REMIND', 'REMINDERS', 'MENU'];
const ACK = /^(Reminder set: Portsmouth Refugee Hub|You already have a reminder for Portsmouth Refugee Hub)/;

describe.skipIf(!BIN && !postgresRequired())('PostgreSQL outage under load', () => {
  let db: ThrowawayPostgres;
  let server: ServerProcess;
  let base = '';
  let sid = 0;
  /** Set once the server has exited: it must not, whatever PostgreSQL does. */
  let exit: { code: number | null; signal: string | null } | null = null;
  const output = () => `${server.stdout().slice(-3000)}\n${server.stderr().slice(-3000)}`;

  beforeAll(async () => {
    if (!BIN) throw new Error('CI or REQUIRE_PG=1: the PostgreSQL binaries (initdb, pg_ctl) are needed: apt-get install postgresql');
    db = await ThrowawayPostgres.create(BIN);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawnServer({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url(APP_NAME),
      DATABASE_POOL_SIZE: '5',
      WAYMARK_SECRET: 'outage-test-secret-0123456789abcdef0123',
      REMINDERS_IN_PROCESS: 'false',
      FLOOD_MAX_PER_MINUTE: '10000',
      LOG_LEVEL: 'warn',
    });
    void server.exited.then((e) => (exit = e));
    await waitUntilHealthy(server, base);
  }, 120_000);

  afterAll(async () => {
    await killServers();
    db?.remove();
  });

  async function say(from: string, text: string, messageSid = `SM${String(++sid).padStart(32, '0')}`): Promise<string[]> {
    const res = await fetch(`${base}/twilio/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ MessageSid: messageSid, From: from, To: '+447700900000', Body: text, NumMedia: '0' }).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    return messages(await res.text());
  }

  /**
   * Eight people texting until `stop()`: each message is sent again (same
   * MessageSid, as a person trying again would) until it gets a proper reply.
   */
  function load() {
    let running = true;
    const acked = new Set<string>();
    let apologies = 0;
    let answered = 0;
    const person = async (i: number) => {
      const from = `+4477009007${String(i).padStart(2, '0')}`;
      let last = '';
      for (let n = 0; running && !exit; n++) {
        let text = SCRIPT[n % SCRIPT.length];
        if (text === PICK) text = /^(\d+) Portsmouth Refugee Hub/m.exec(last)?.[1] ?? '1';
        const messageSid = `SM${String(++sid).padStart(32, '0')}`;
        for (;;) {
          const replies = await say(from, text, messageSid).catch(() => [APOLOGY]);
          if (replies[0] === APOLOGY) {
            apologies++;
            if (!running || exit) return;
            await new Promise((r) => setTimeout(r, 100));
            continue;
          }
          answered++;
          last = replies[0] ?? '';
          if (text === 'REMIND' && ACK.test(replies[0])) acked.add(from);
          break;
        }
      }
    };
    const all = Promise.all(Array.from({ length: PEOPLE }, (_, i) => person(i)));
    return {
      acked,
      counts: () => ({ apologies, answered }),
      stop: async () => {
        running = false;
        await all;
      },
    };
  }

  /** Seconds until a new person gets a proper answer. */
  async function answersAgain(): Promise<number> {
    const started = Date.now();
    for (let i = 0; ; i++) {
      const reply = await say(`+4477009008${String(i % 100).padStart(2, '0')}`, 'hi').catch(() => [APOLOGY]);
      if (reply[0] !== APOLOGY) return (Date.now() - started) / 1000;
      if (Date.now() - started > 30_000) throw new Error(`no proper answer within 30 s:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function everyAckStillListed(acked: Set<string>): Promise<void> {
    expect(acked.size).toBeGreaterThan(0);
    for (const from of acked) {
      expect((await say(from, 'REMINDERS'))[0], from).toMatch(/^Your reminders:\n1 Portsmouth Refugee Hub/);
    }
  }

  /** Waits for `cond` (up to 30 s); fails at once if the server has died. */
  const until = async (cond: () => boolean) => {
    const end = Date.now() + 30_000;
    while (!cond()) {
      if (exit) throw new Error(`the server exited (${JSON.stringify(exit)}):\n${output()}`);
      if (Date.now() > end) throw new Error(`still waiting after 30 s:\n${output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('(a) its connections killed with pg_terminate_backend three times: lives, answers again, loses no acknowledged reminder', async () => {
    const l = load();
    const admin = new pg.Client({ connectionString: db.url('outage_admin') });
    await admin.connect();
    try {
      await until(() => l.counts().answered > 40);
      let killed = 0;
      for (let round = 0; round < 3; round++) {
        const { rows } = await admin.query<{ n: number }>(
          'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [APP_NAME],
        );
        killed += rows[0].n;
        const before = l.counts().answered;
        await until(() => l.counts().answered > before + 10);
      }
      expect(killed).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await l.stop();
    expect(exit, output()).toBeNull();
    const seconds = await answersAgain();
    console.log(`[outage a] ${l.counts().answered} answers, ${l.counts().apologies} apologies, answered again after ${seconds.toFixed(1)} s`);
    await everyAckStillListed(l.acked);
  }, 120_000);

  it('(b) PostgreSQL stopped for 2 s and started again: apologies meanwhile, then it answers again and loses no acknowledged reminder', async () => {
    const l = load();
    await until(() => l.acked.size >= PEOPLE / 2 && l.counts().answered > 40);
    db.stop('fast');
    const apologiesBefore = l.counts().apologies;
    const apology = await say('+447700900899', 'hi').catch((e: Error) => [e.message]);
    expect(apology).toEqual([APOLOGY]); // the short apology, not an error page
    await new Promise((r) => setTimeout(r, 2000));
    expect(exit, output()).toBeNull();
    expect(l.counts().apologies).toBeGreaterThan(apologiesBefore);
    db.start();
    const seconds = await answersAgain();
    expect(exit, output()).toBeNull();
    const answered = l.counts().answered;
    await until(() => l.counts().answered > answered + 20);
    await l.stop();
    console.log(`[outage b] ${l.counts().answered} answers, ${l.counts().apologies} apologies, answered again ${seconds.toFixed(1)} s after the restart`);
    await everyAckStillListed(l.acked);
    expect(server.stdout()).toContain('PostgreSQL connection lost');
  }, 120_000);
});
