// Crash safety with SIGKILL: the real server (`node dist/server.js`) and the
// real reminders command (`node dist/cli/reminders.js send`) as child
// processes, real HTTP, a real SQLite file, and a local stand-in of Twilio's
// REST API running in this process.
//
//  1. 40 people subscribe to the Portsmouth Refugee Hub reminder through
//     signed webhook posts (each person's messages in order, the people in
//     parallel), while 10 others chat. When half the subscribers have had
//     "Reminder set", the server is SIGKILLed (no shutdown hook runs).
//  2. Restarted on the same DATA_DIR: every acknowledged subscription is
//     listed by REMINDERS and MENU still knows their city. The interrupted
//     conversations are then finished, the interrupted message being posted
//     again with the same MessageSid (as a Twilio retry would be): a message
//     the dead server had committed gets its stored reply, one it had not is
//     handled now. Then SIGTERM: the server must exit 0.
//  3. The reminders command is run for the next Monday 08:00 London, and
//     SIGKILLed in the middle of sending (see "How the crash is forced"
//     below); a second run 5 minutes later (the dispatcher's clock) finishes.
//     Twilio must have received exactly one reminder per subscriber.
//
// Each child is started in its own process group and SIGKILL goes to the
// whole group, as a container runtime or systemd (KillMode=control-group)
// would do it.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/channels/twilio/verify-signature.ts';
import { addDays, londonParts, londonToInstant, weekdayOf } from '../../src/time/london.ts';
import { built } from '../built.ts';
import { ROOT, messages, tempDir } from '../helpers.ts';

const ACCOUNT = 'AC' + 'c0ffee'.repeat(5) + 'ab';
const AUTH_TOKEN = 'kill-test-auth-token-0123456789abcdef';
const SECRET = 'kill-test-secret-0123456789abcdef0123456789';
const SMS_FROM = '+447700900000';
const SUBSCRIBERS = 40;
const CHATTERERS = 10;
/** The server is killed once this many people have had "Reminder set". */
const KILL_AFTER_ACKS = 20;
/** The reminders command is killed while Twilio holds the answer to this message. */
const HOLD_NTH_MESSAGE = 5;

// --- the stand-in for Twilio's REST API -------------------------------------

interface Accepted {
  sid: string;
  to: string;
  from: string;
  body: string;
  dateCreated: Date;
}

/** "Mon, 07 Dec 2026 08:00:01 +0000", as Twilio writes dates (whole seconds). */
function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

/** A message as Twilio's API shows it, on creation and in the list. */
function asTwilio(m: Accepted) {
  return {
    sid: m.sid,
    account_sid: ACCOUNT,
    to: m.to,
    from: m.from,
    body: m.body,
    status: 'queued',
    date_created: rfc2822(m.dateCreated),
    date_updated: rfc2822(m.dateCreated),
    date_sent: null,
  };
}

class FakeTwilio {
  readonly accepted: Accepted[] = [];
  readonly server: http.Server;
  url = '';
  /** Twilio's clock. It follows the dispatcher's (simulated, --at) clock, as the real one follows the real clock. */
  private offsetMs = 0;
  /** Accept the Nth message, then never answer (until the client dies). */
  holdNth: number | null = null;
  private heldResolve: (() => void) | null = null;
  readonly held: Promise<void>;
  badRequests = 0;

  constructor() {
    this.held = new Promise((resolve) => (this.heldResolve = resolve));
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  setClock(now: Date): void {
    this.offsetMs = now.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  countTo(to: string): number {
    return this.accepted.filter((m) => m.to === to).length;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const expectedAuth = 'Basic ' + Buffer.from(`${ACCOUNT}:${AUTH_TOKEN}`).toString('base64');
    if (url.pathname !== `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`) {
      this.badRequests++;
      return json(404, { code: 20404, message: 'not found', status: 404 });
    }
    if (req.headers.authorization !== expectedAuth) {
      this.badRequests++;
      return json(401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    if (req.method === 'POST') {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const m: Accepted = {
        sid: 'SM' + crypto.randomBytes(16).toString('hex'),
        to: form.get('To') ?? '',
        from: form.get('From') ?? '',
        body: form.get('Body') ?? '',
        dateCreated: this.now(),
      };
      this.accepted.push(m);
      if (this.accepted.length === this.holdNth) {
        // Accepted by "Twilio" (it will show in the list), but the answer
        // never reaches the dispatcher: it is killed while waiting for it.
        this.heldResolve?.();
        return;
      }
      return json(201, asTwilio(m));
    }
    if (req.method === 'GET') {
      const to = url.searchParams.get('To');
      const pageSize = Number(url.searchParams.get('PageSize') ?? 50);
      const list = this.accepted
        .filter((m) => to === null || m.to === to)
        .slice()
        .reverse() // newest first, as Twilio lists them
        .slice(0, pageSize)
        .map(asTwilio);
      return json(200, { messages: list, next_page_uri: null, page: 0, page_size: pageSize });
    }
    this.badRequests++;
    json(405, { code: 20004, message: 'method not allowed', status: 405 });
  }
}

// --- child processes ----------------------------------------------------------

interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: Child[] = [];
const dirs: string[] = [];

/** `src/server.ts` etc.: runs the built program, as `npm start` does. */
function startChild([source, ...args]: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [built(source), ...args], {
    cwd: ROOT,
    // Only what the program needs, so nothing from the developer's shell (a
    // real TWILIO_* or DATA_DIR) leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: see the note at the top
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const child = { proc, output: () => out, exited };
  children.push(child);
  return child;
}

function running(c: Child): boolean {
  return c.proc.exitCode === null && c.proc.signalCode === null;
}

/** SIGKILL to the child's process group. */
function killGroup(c: Child): void {
  try {
    process.kill(-c.proc.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number, child?: Child): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    if (child && !running(child)) throw new Error(`${what}: the child exited\n${child.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${child ? `\n${child.output().slice(-3000)}` : ''}`);
}

async function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

afterAll(async () => {
  for (const c of children) if (running(c)) killGroup(c);
  await Promise.all(children.map((c) => Promise.race([c.exited, new Promise((r) => setTimeout(r, 3000))])));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// --- the conversation -----------------------------------------------------------

let sidCounter = 0;
function messageSid(): string {
  sidCounter++;
  return 'SM' + crypto.createHash('md5').update(`kill-test:${process.pid}:${sidCounter}`).digest('hex');
}

interface Person {
  number: string;
  steps: { text: string; sid: string }[];
  replies: string[][];
  /** Index of the next step to send; a failed step is sent again with the same MessageSid. */
  next: number;
  subscriber: boolean;
  ackedBeforeCrash: boolean;
}

function person(i: number, subscriber: boolean): Person {
  const texts = subscriber
    ? ['hi', '2', 'FOOD', '1', 'REMIND', 'FOOD', '1', '0', 'MENU']
    : ['hello', '1', 'FOOD', '1', '0', 'DOCTOR', 'MENU', 'CITY', '2', 'LEGAL'];
  return {
    number: `+4477009001${String(i).padStart(2, '0')}`,
    steps: texts.map((text) => ({ text, sid: messageSid() })),
    replies: [],
    next: 0,
    subscriber,
    ackedBeforeCrash: false,
  };
}

const REMIND_STEP = 4;
const ACK = 'Reminder set: Portsmouth Refugee Hub, Mon.';

class Webhook {
  constructor(readonly base: string) {}

  async post(from: string, text: string, sid: string): Promise<string[]> {
    const params = {
      MessageSid: sid,
      SmsSid: sid,
      AccountSid: ACCOUNT,
      From: from,
      To: SMS_FROM,
      Body: text,
      NumMedia: '0',
    };
    const res = await fetch(`${this.base}/twilio/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signRequest(AUTH_TOKEN, `${this.base}/twilio/messages`, params),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${body}`);
    return messages(body);
  }

  /** Sends the person's remaining steps in order; stops at the first failure (the server died). */
  async run(p: Person, onAck: () => void): Promise<void> {
    while (p.next < p.steps.length) {
      const step = p.steps[p.next];
      let replies: string[];
      try {
        replies = await this.post(p.number, step.text, step.sid);
      } catch {
        return;
      }
      p.replies[p.next] = replies;
      p.next++;
      if (p.subscriber && p.next - 1 === REMIND_STEP && replies[0]?.startsWith(ACK)) onAck();
    }
  }
}

/** The next Monday after today (London), strictly in the future. */
function nextMonday(): string {
  let d = addDays(londonParts(new Date()).date, 1);
  while (weekdayOf(d) !== 'MO') d = addDays(d, 1);
  return d;
}

/** Every way a UK mobile number might be written. */
function numberForms(n: string): string[] {
  const national = n.slice(3); // +44 7700 900100 → 7700900100
  return [n, n.slice(1), '0' + national, national];
}

// --- the test -------------------------------------------------------------------------

describe('SIGKILL', () => {
  it('loses no acknowledged subscription or session, and sends every reminder exactly once', { timeout: 120_000 }, async () => {
    const t0 = Date.now();
    const timings: string[] = [];
    const phase = (name: string) => timings.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const twilio = new FakeTwilio();
    await twilio.start();
    const dataDir = tempDir();
    dirs.push(dataDir);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: base,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      WAYMARK_SECRET: SECRET,
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_SMS_FROM: SMS_FROM,
      TWILIO_API_BASE_URL: twilio.url,
      REMINDER_MPS: '50',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    };
    const hook = new Webhook(base);
    const healthy = async () => {
      try {
        return (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    };
    const startServer = async () => {
      const c = startChild(['src/server.ts'], env);
      await waitFor('server ready (GET /healthz)', healthy, 30_000, c);
      return c;
    };

    try {
      // 1. Traffic, and a SIGKILL in the middle of it. --------------------------------
      let server = await startServer();
      phase('server up');
      const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => person(i, true));
      const chatterers = Array.from({ length: CHATTERERS }, (_, i) => person(SUBSCRIBERS + i, false));
      let acks = 0;
      let killedAt = -1;
      const onAck = () => {
        acks++;
        if (acks === KILL_AFTER_ACKS) {
          killedAt = acks;
          killGroup(server);
        }
      };
      // Staggered starts, so that when the kill comes some people have
      // finished, some are half way and some have not started.
      await Promise.all(
        [...subscribers, ...chatterers].map(async (p, i) => {
          await new Promise((r) => setTimeout(r, (i % SUBSCRIBERS) * 40));
          await hook.run(p, onAck);
        }),
      );
      const killed = await server.exited;
      phase('server killed');
      timings.push(
        `(${subscribers.filter((p) => p.next > REMIND_STEP).length} subscribers acknowledged, ` +
          `${[...subscribers, ...chatterers].filter((p) => p.next < p.steps.length).length} of ${SUBSCRIBERS + CHATTERERS} conversations cut off)`,
      );
      expect(killedAt, 'the server was killed during the traffic').toBe(KILL_AFTER_ACKS);
      expect(killed.signal).toBe('SIGKILL');
      await waitFor('the killed server no longer listens', () => portRefuses(port), 5000);
      for (const p of subscribers) p.ackedBeforeCrash = p.next > REMIND_STEP;
      const acked = subscribers.filter((p) => p.ackedBeforeCrash);
      const interrupted = [...subscribers, ...chatterers].filter((p) => p.next < p.steps.length);
      expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
      expect(interrupted.length, 'some conversations were cut off').toBeGreaterThan(0);
      // A crash, not a shutdown: the committed turns are still in the WAL.
      expect(fs.statSync(path.join(dataDir, 'waymark.db-wal')).size).toBeGreaterThan(0);

      // 2. Restart on the same DATA_DIR. -------------------------------------------------
      server = await startServer();
      phase('server restarted');
      for (const p of acked) {
        // (a) the acknowledged subscription is still there…
        const list = await hook.post(p.number, 'REMINDERS', messageSid());
        expect(list[0], p.number).toBe(
          'Your reminders:\n1 Portsmouth Refugee Hub, Mon at 08:00 on the day\nREMIND OFF 1 stops the first, REMIND OFF stops all.',
        );
        // (b) …and so is the session: the city is remembered.
        const menu = await hook.post(p.number, 'MENU', messageSid());
        expect(menu[0], p.number).toMatch(/^Portsmouth: what do you need\?/);
      }
      // The interrupted conversations carry on, the lost message retried with its MessageSid.
      await Promise.all(interrupted.map((p) => hook.run(p, () => undefined)));
      for (const p of [...subscribers, ...chatterers]) expect(p.next, p.number).toBe(p.steps.length);
      for (const p of subscribers) {
        expect(p.replies[3][0], p.number).toContain('Portsmouth Refugee Hub');
        expect(p.replies[REMIND_STEP][0], p.number).toMatch(new RegExp(`^${ACK}`));
      }
      phase('conversations finished');

      // Graceful stop: SIGTERM to the server.
      server.proc.kill('SIGTERM');
      const stopped = await server.exited;
      expect(stopped, server.output().slice(-2000)).toEqual({ code: 0, signal: null });
      expect(server.output()).toContain('"msg":"stopped"');
      await waitFor('the stopped server no longer listens', () => portRefuses(port), 5000);
      phase('server stopped (SIGTERM, exit 0)');

      // Nothing was due at the real time, so nothing was sent yet.
      expect(twilio.accepted).toEqual([]);

      // 3. Reminders, with the sender SIGKILLed in the middle. ---------------------------------
      // How the crash is forced: the command claims all 40 due rows in one
      // transaction (pending → sending), then for each row stores the body and
      // asks Twilio. The stand-in accepts message number HOLD_NTH_MESSAGE (it
      // is recorded and will be in Twilio's message list) but never answers,
      // and the test SIGKILLs the command while it waits. So the outbox holds,
      // at the moment of the crash: 4 rows 'sent'; 1 row 'sending' with its
      // body, accepted by Twilio, SID not recorded (died between send and
      // record); 35 rows 'sending' with no body (died between claim and
      // send). The second run, 5 minutes later by its --at clock (claims
      // older than 2 minutes are a dead dispatcher's), must find the first in
      // Twilio's list and mark it sent, put the others back and send them.
      //
      // The stand-in dates messages by the command's --at clock: recovery only
      // accepts a listed message created at or after the claim, so with the
      // real (earlier) date it would never find the held one and would send
      // it again, which is what this test would then report.
      const monday = nextMonday();
      const at1 = `${monday}T08:00`;
      const at2 = `${monday}T08:05`;
      twilio.holdNth = HOLD_NTH_MESSAGE;
      twilio.setClock(londonToInstant(monday, '08:00'));
      const run1 = startChild(['src/cli/reminders.ts', 'send', '--at', at1], env);
      await Promise.race([
        twilio.held,
        run1.exited.then(() => {
          throw new Error(`the reminders command ended before the held message:\n${run1.output()}`);
        }),
      ]);
      killGroup(run1);
      expect((await run1.exited).signal).toBe('SIGKILL');
      phase('reminders run 1 killed');
      expect(twilio.accepted).toHaveLength(HOLD_NTH_MESSAGE);

      const db = new Database(path.join(dataDir, 'waymark.db'), { readonly: true });
      const statuses = db
        .prepare<[], { status: string; with_body: number; n: number }>(
          'SELECT status, body IS NOT NULL AS with_body, count(*) AS n FROM outbox GROUP BY 1, 2 ORDER BY 1, 2',
        )
        .all();
      const held = twilio.accepted[HOLD_NTH_MESSAGE - 1];
      const heldRow = db
        .prepare<[], { id: number; body: string; twilio_sid: string | null }>(
          "SELECT id, body, twilio_sid FROM outbox WHERE status = 'sending' AND body IS NOT NULL",
        )
        .all();
      db.close();
      expect(statuses).toEqual([
        { status: 'sending', with_body: 0, n: SUBSCRIBERS - HOLD_NTH_MESSAGE },
        { status: 'sending', with_body: 1, n: 1 },
        { status: 'sent', with_body: 1, n: HOLD_NTH_MESSAGE - 1 },
      ]);
      expect(heldRow).toHaveLength(1);
      expect(heldRow[0].body).toBe(held.body);
      expect(heldRow[0].twilio_sid).toBeNull();

      twilio.holdNth = null;
      twilio.setClock(londonToInstant(monday, '08:05'));
      const run2 = startChild(['src/cli/reminders.ts', 'send', '--at', at2], env);
      const r2 = await run2.exited;
      expect(r2, run2.output()).toEqual({ code: 0, signal: null });
      expect(run2.output()).toContain(`sent: ${SUBSCRIBERS - HOLD_NTH_MESSAGE}, retried later: 0, failed: 0, skipped: 0, newly due: 0, recovered: ${SUBSCRIBERS - HOLD_NTH_MESSAGE + 1}`);
      phase('reminders run 2 done');

      // A third run finds nothing left to do.
      const run3 = startChild(['src/cli/reminders.ts', 'send', '--at', `${monday}T08:10`], env);
      expect(await run3.exited, run3.output()).toEqual({ code: 0, signal: null });
      expect(run3.output()).toContain('sent: 0, retried later: 0, failed: 0, skipped: 0, newly due: 0, recovered: 0');

      // (c) exactly one reminder per subscriber, none twice.
      expect(twilio.badRequests).toBe(0);
      for (const p of subscribers) expect(twilio.countTo(p.number), p.number).toBe(1);
      expect(twilio.accepted).toHaveLength(SUBSCRIBERS);
      for (const m of twilio.accepted) {
        expect(m.from).toBe(SMS_FROM);
        // (a closure that day would send the closure notice instead, once)
        expect(m.body).toMatch(/^(Reminder: Portsmouth Refugee Hub today 10:30-12:30\.|Portsmouth Refugee Hub is closed on )/);
      }
      const after = new Database(path.join(dataDir, 'waymark.db'), { readonly: true });
      const rows = after.prepare<[], { status: string; twilio_sid: string | null }>('SELECT status, twilio_sid FROM outbox').all();
      const subs = after.prepare<[], { n: number }>('SELECT count(*) AS n FROM subscriptions').get()!.n;
      const heldNow = after.prepare<[number], { status: string; twilio_sid: string }>('SELECT status, twilio_sid FROM outbox WHERE id = ?').get(heldRow[0].id)!;
      after.close();
      expect(subs).toBe(SUBSCRIBERS);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
      expect(new Set(rows.map((r) => r.twilio_sid))).toEqual(new Set(twilio.accepted.map((m) => m.sid)));
      // The held message was found by recovery, not sent again.
      expect(heldNow).toEqual({ status: 'sent', twilio_sid: held.sid });

      // And no child wrote anyone's number in its output.
      const output = [run1, run2, run3, ...children.filter((c) => c.proc.spawnargs.includes(built('src/server.ts')))].map((c) => c.output()).join('\n');
      for (const p of [...subscribers, ...chatterers]) for (const f of numberForms(p.number)) expect(output.includes(f), f).toBe(false);
      phase('done');
      console.log(`[kill.test] ${timings.join(', ')}`);
    } finally {
      await twilio.stop();
    }
  });
});
