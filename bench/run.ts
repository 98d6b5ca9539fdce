// npm run bench: one run that measures the webhook against a bare Fastify
// baseline, due() over 100,000 subscriptions, and the reminder dispatcher
// against a local stand-in of Twilio's REST API. Prints a table and, as its
// last line, one JSON object with the figures.
//
//   npm run bench
//   npm run bench -- --cpu-prof            also profile the webhook server child
//                                          (profile in /tmp, top self-time printed)
//   npm run bench -- --only=webhook        just the baseline and the webhook
//   BENCH_DURATION=5 npm run bench         seconds per load run (default 10)
//   DATABASE_URL=postgres://… npm run bench
//                                          also run the webhook server and the
//                                          dispatcher on PostgreSQL: a second
//                                          column (SQLite | PostgreSQL)
//
// With DATABASE_URL, each PostgreSQL run gets a schema of its own, created
// empty (bench_<random>_hook, bench_<random>_dispatch: the store migrates it
// as on a first start) and dropped at the end, so that nothing already in the
// database is touched or skews the figures; the user needs CREATE on the
// database. The PostgreSQL server's own CPU (when it runs on this machine) is
// reported apart and not counted as other processes' CPU.
//
// Everything listens on 127.0.0.1 only. Children and temporary directories are
// removed at the end, also on error. Exit status: 0, or 1 on an error (a non-2xx
// or malformed answer, a socket error, a duplicate reminder, a second dispatcher
// run that sends again); a missed goal is printed as MISS but is not an error.

import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { loadCatalogue } from '../src/catalogue/load.ts';
import type { Catalogue } from '../src/catalogue/types.ts';
import { signRequest } from '../src/channels/twilio/verify-signature.ts';
import { loadFlows } from '../src/conversation/load-flows.ts';
import { Dispatcher } from '../src/reminders/dispatcher.ts';
import { due, type SubscriptionRow, type Timing } from '../src/reminders/due.ts';
import { TwilioSender } from '../src/channels/twilio/sender.ts';
import { AddressCipher } from '../src/store/address-cipher.ts';
import { describeUrl, PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { Subjects } from '../src/store/subject.ts';
import { londonToInstant, weekdayOf } from '../src/time/london.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const CPU_PROF = argv.includes('--cpu-prof');
const ONLY = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? null;
if (ONLY !== null && ONLY !== 'webhook') throw new Error(`--only: expected "webhook", got "${ONLY}"`);

const CONNECTIONS = 20;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
if (!(DURATION_S > 0 && DURATION_S <= 60)) throw new Error('BENCH_DURATION: expected 0 < seconds <= 60');
const WARMUP_S = 2;
const SENDERS = 10_000;
/** Senders per group in the request pool: a sender's next step comes 4 × GROUP requests later, far more than are in flight. */
const GROUP = 500;
const DUE_SUBS = 100_000;
const DISPATCH_SUBS = 10_000;
const DISPATCH_MPS = 500;
const DISPATCH_TIMEOUT_MS = 90_000;

/** PostgreSQL for a second column; null: SQLite only. */
const DATABASE_URL = process.env.DATABASE_URL || null;
if (DATABASE_URL !== null && !/^postgres(ql)?:\/\/\S+$/.test(DATABASE_URL)) {
  // Never echo the value: it may hold a password.
  throw new Error('DATABASE_URL: expected postgres://user:password@host:5432/database (or postgresql://…)');
}
/** Connections of the PostgreSQL store (the server child reads the same variable). */
const PG_POOL_SIZE = Number(process.env.DATABASE_POOL_SIZE ?? 10);
if (!(Number.isInteger(PG_POOL_SIZE) && PG_POOL_SIZE >= 1 && PG_POOL_SIZE <= 1000)) throw new Error('DATABASE_POOL_SIZE: expected a whole number from 1 to 1000');

const GOAL_RATIO = 0.5;
const GOAL_P99_MS = 10;
const GOAL_DUE_MS = 1000;

/** Other work on the machine skews every figure: printed with them. */
const LOAD_AT_START = os.loadavg();

const PATH = '/twilio/messages';
const PUBLIC_BASE_URL = 'http://bench.local';
const RUN_TAG = crypto.randomBytes(4).toString('hex');
const AUTH_TOKEN = crypto.randomBytes(16).toString('hex');
const SECRET = crypto.randomBytes(32).toString('hex'); // 64 characters
const ACCOUNT_SID = 'AC' + crypto.randomBytes(16).toString('hex');
const FORM = 'application/x-www-form-urlencoded';

// ---------------------------------------------------------------- cleanup

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];
const closers: (() => Promise<void> | void)[] = [];
/** Run after the children have stopped (dropping the PostgreSQL schemas they used). */
const lateClosers: (() => Promise<void> | void)[] = [];

function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `waymark-bench-${label}-`));
  tempDirs.push(dir);
  return dir;
}

async function cleanup(): Promise<void> {
  for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined);
  await Promise.all([...children].map((c) => stopChild(c, 3_000)));
  for (const close of lateClosers.splice(0).reverse()) await Promise.resolve(close()).catch((e: Error) => log(`cleanup: ${e.message}`));
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

// ---------------------------------------------------------------- children

interface Child {
  name: string;
  proc: ChildProcess;
  port: number;
  output: () => string;
  outputLines: () => number;
}

/**
 * The environment for a child: ours without any Waymark or Twilio settings, plus `extra`.
 * DATABASE_URL too is removed (the SQLite run must not use PostgreSQL): the
 * PostgreSQL run passes its own, for its schema, in `extra`.
 */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(TWILIO_|REMINDER_|WAYMARK_|DATA_DIR$|PUBLIC_BASE_URL$|LOG_LEVEL$|PORT$|HOST$|NODE_ENV$|CATALOGUE_FILE$|FLOWS_DIR$|DATABASE_URL$)/.test(k)) delete env[k];
  }
  return { ...env, ...extra };
}

function startChild(name: string, file: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Child> {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, file)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(proc);
  let tail = '';
  let lines = 0;
  const keep = (chunk: Buffer) => {
    const s = chunk.toString('utf8');
    lines += s.split('\n').length - 1;
    tail = (tail + s).slice(-16_384);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  proc.on('exit', () => children.delete(proc));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready within 30 s\n${tail}`)), 30_000);
    proc.on('message', (m: { ready?: boolean; port?: number }) => {
      if (m?.ready && typeof m.port === 'number') {
        clearTimeout(timer);
        resolve({ name, proc, port: m.port, output: () => tail, outputLines: () => lines });
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited (${code ?? signal}) before it was ready\n${tail}`));
    });
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** SIGTERM (the child closes and exits, writing a CPU profile if asked), then SIGKILL after `graceMs`. */
async function stopChild(proc: ChildProcess, graceMs = 5_000): Promise<number | string | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    children.delete(proc);
    return proc.exitCode ?? proc.signalCode;
  }
  const exited = new Promise<number | string | null>((r) => proc.once('exit', (code, signal) => r(code ?? signal)));
  proc.kill('SIGTERM');
  const force = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  const result = await exited;
  clearTimeout(force);
  children.delete(proc);
  return result;
}

/** VmHWM (peak resident set) and VmRSS of a process, in MB. */
function memoryOf(pid: number): { hwmMb: number; rssMb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (clock ticks) of one process, from /proc/<pid>/stat; 0 if it is gone. */
function cpuTicksOf(pid: number | 'self'): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** Name, parent and CPU time (clock ticks) of one process, from /proc/<pid>/stat; null if it is gone. */
function procStat(pid: number): { comm: string; ppid: number; ticks: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

interface CpuMark {
  total: number;
  busy: number;
  mine: number;
  /** CPU ticks of each process of the database server (PostgreSQL on this machine), by pid. */
  server: Map<number, number>;
}

/** The machine's CPU ticks (all CPUs) and those of this process, the given children and the given server processes. */
function cpuMark(pids: number[], serverPids: number[] = []): CpuMark {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const busy = total - f[3] - f[4]; // minus idle and iowait
  const server = new Map<number, number>();
  for (const p of serverPids) {
    const t = procStat(p)?.ticks;
    if (t !== undefined) server.set(p, t);
  }
  return { total, busy, mine: cpuTicksOf('self') + pids.reduce((a, p) => a + cpuTicksOf(p), 0), server };
}

/** Ticks the server's processes used between two marks (those started in between: all of theirs). */
function serverTicks(a: CpuMark, b: CpuMark): number {
  let n = 0;
  for (const [p, t] of b.server) n += Math.max(0, t - (a.server.get(p) ?? 0));
  return n;
}

/** Share of the machine's CPU capacity used by other processes between two marks, in %. */
function otherCpuPct(a: CpuMark, b: CpuMark): number {
  const total = b.total - a.total;
  if (total <= 0) return NaN;
  return Math.max(0, (100 * (b.busy - a.busy - (b.mine - a.mine) - serverTicks(a, b))) / total);
}

/** CPU the database server used between two marks `seconds` apart, in % of one CPU (clock ticks are 1/100 s). */
function serverCpuPct(a: CpuMark, b: CpuMark, seconds: number): number {
  return serverTicks(a, b) / seconds;
}

// ---------------------------------------------------------------- PostgreSQL

interface PgBench {
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
function urlForSchema(url: string, schema: string): string {
  const u = new URL(url);
  const options = [u.searchParams.get('options'), `-c search_path=${schema}`].filter(Boolean).join(' ');
  u.searchParams.delete('options');
  const param = `options=${encodeURIComponent(options)}`;
  u.search = u.search ? `${u.search}&${param}` : `?${param}`;
  return u.toString();
}

/** The postmaster and its children (backends, WAL writer, checkpointer, …); [] if not on this machine. */
function pgServerPids(postmaster: number | null): number[] {
  if (postmaster === null) return [];
  const pids = [postmaster];
  for (const name of fs.readdirSync('/proc')) {
    if (/^\d+$/.test(name) && procStat(Number(name))?.ppid === postmaster) pids.push(Number(name));
  }
  return pids;
}

/** Connects, creates the two empty schemas, and arranges for them to be dropped at the end. */
async function pgSetup(url: string): Promise<PgBench> {
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

// ---------------------------------------------------------------- load

interface Load {
  result: autocannon.Result;
  /** Every response's latency in ms (autocannon's own histogram keeps whole milliseconds only). */
  latencies: number[];
  wallS: number;
}

function runLoad(opts: autocannon.Options): Promise<Load> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const started = performance.now();
    const duration = opts.duration ?? 10;
    const guard = setTimeout(() => {
      instance.stop();
      reject(new Error(`autocannon did not finish within ${duration + 30} s`));
    }, (duration + 30) * 1000);
    const instance = autocannon({ connections: CONNECTIONS, ...opts }, (err, result) => {
      clearTimeout(guard);
      if (err) reject(err);
      else resolve({ result, latencies, wallS: (performance.now() - started) / 1000 });
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => void latencies.push(ms));
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

interface LoadFigures {
  rps: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

function figures(load: Load): LoadFigures {
  const sorted = Float64Array.from(load.latencies).sort();
  const r = load.result;
  return {
    rps: r.requests.total / r.duration,
    total: r.requests.total,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

// ---------------------------------------------------------------- the request pool

/** Each sender walks one of these: welcome, Southampton, a category, its first service. */
const SCRIPTS = [
  ['hi', '1', 'FOOD', '1'],
  ['hi', '1', 'DOCTOR', '1'],
  ['hi', '1', 'LEGAL', '1'],
  ['hi', '1', 'ENGLISH', '1'],
  ['hi', '1', 'DROPIN', '1'],
  ['hi', '1', 'MIND', '1'],
];
const STEPS = 4;

interface PoolRequest {
  sender: number;
  step: number;
  body: string;
  signature: string;
}

function senderNumber(i: number): string {
  return i < 100_000 ? `+4477009${String(i).padStart(5, '0')}` : `+4477019${String(i - 100_000).padStart(5, '0')}`;
}

let sidCounter = 0;
function messageSid(): string {
  sidCounter++;
  return `SM${RUN_TAG}${sidCounter.toString(16).padStart(24, '0')}`;
}

/** The fields Twilio posts for an inbound SMS. */
function inboundParams(from: string, text: string): Record<string, string> {
  const sid = messageSid();
  return {
    ToCountry: 'GB',
    ToState: '',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: text,
    FromCountry: 'GB',
    To: '+447700900000',
    MessagingServiceSid: '',
    ToZip: '',
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: from,
    ApiVersion: '2010-04-01',
  };
}

class RequestPool {
  readonly requests: PoolRequest[] = [];
  private senders = 0;
  next = 0;

  constructor(senders: number) {
    while (this.senders < senders) this.addGroup();
  }

  get senderCount(): number {
    return this.senders;
  }

  /** GROUP senders' conversations, step by step: every "hi" of the group, then every "1", … */
  private addGroup(): void {
    const first = this.senders;
    this.senders += GROUP;
    for (let step = 0; step < STEPS; step++) {
      for (let s = first; s < first + GROUP; s++) {
        const params = inboundParams(senderNumber(s), SCRIPTS[s % SCRIPTS.length][step]);
        this.requests.push({
          sender: s,
          step,
          body: new URLSearchParams(params).toString(),
          signature: signRequest(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, params),
        });
      }
    }
  }

  /** The i-th request; more senders are added if a fast run uses them all up. */
  at(i: number): PoolRequest {
    while (i >= this.requests.length) this.addGroup();
    return this.requests[i];
  }
}

/** The <Message> texts of a TwiML answer. */
function messagesOf(xml: string): string[] {
  return [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** Checks every answer: 200 text/xml, and that each sender's conversation goes where it should. */
class ConversationCheck {
  responses = 0;
  bad: { count: number; samples: string[] } = { count: 0, samples: [] };
  mismatches: { count: number; samples: string[] } = { count: 0, samples: [] };
  detailsChecked = 0;
  private readonly firstItem = new Map<number, string>();

  private note(into: { count: number; samples: string[] }, what: string): void {
    into.count++;
    if (into.samples.length < 5) into.samples.push(what.slice(0, 300));
  }

  record(req: PoolRequest, status: number, body: string, headers: Record<string, string | string[]>): void {
    this.responses++;
    const type = String(headers['content-type'] ?? headers['Content-Type'] ?? '');
    if (status !== 200 || !type.startsWith('text/xml') || !body.includes('<Response>')) {
      this.note(this.bad, `HTTP ${status} ${type}: ${body}`);
      return;
    }
    const text = messagesOf(body).join('\n');
    const where = `sender ${req.sender} step ${req.step}`;
    switch (req.step) {
      case 0:
        if (!/Southampton/.test(text) || !/Portsmouth/.test(text)) this.note(this.mismatches, `${where}: expected the city question, got: ${text}`);
        break;
      case 1:
        if (!/Southampton/.test(text)) this.note(this.mismatches, `${where}: expected the Southampton menu, got: ${text}`);
        break;
      case 2: {
        const first = /^1 (.+)$/m.exec(text)?.[1]?.trim();
        if (first) this.firstItem.set(req.sender, first);
        else this.note(this.mismatches, `${where}: expected a numbered list, got: ${text}`);
        break;
      }
      case 3: {
        const expected = this.firstItem.get(req.sender);
        if (expected === undefined) break; // the list's answer was cut off between runs
        this.detailsChecked++;
        if (!text.startsWith(expected)) this.note(this.mismatches, `${where}: expected the details of "${expected}", got: ${text}`);
        break;
      }
    }
  }
}

// ---------------------------------------------------------------- CPU profile

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(ROOT + '/')) u = u.slice(ROOT.length + 1);
  return u;
}

function bucketOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/V8)';
  const u = shortUrl(url);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (nm) return nm[1];
  if (u.startsWith('node:')) return u.replace(/^node:internal\/([^/]+).*$/, 'node:internal/$1');
  return u;
}

/** Self time per function and per package, within [fromUs, toUs] of the profile's clock (all if none fall in it). */
function summariseProfile(file: string, fromUs: number, toUs: number, note = ''): string {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const stamps: number[] = [];
  let t = prof.startTime;
  for (const d of prof.timeDeltas) stamps.push((t += d));
  const inWindow = stamps.some((s) => s >= fromUs && s <= toUs);
  const fnSelf = new Map<string, number>();
  const pkgSelf = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    if (inWindow && (stamps[i] < fromUs || stamps[i] > toUs)) continue;
    const dur = i + 1 < stamps.length ? stamps[i + 1] - stamps[i] : 0;
    const node = byId.get(prof.samples[i]);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += dur;
      continue;
    }
    total += dur;
    const key = `${functionName || '(anonymous)'}  ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + dur);
    const pkg = bucketOf(url, functionName);
    pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + dur);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
  const out: string[] = [];
  out.push(
    `CPU profile of the webhook server child${note ? ` ${note}` : ''}: ${file}`,
    `  window: ${inWindow ? 'the measured load run' : 'whole process (clock mismatch)'}; busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`,
    '  top self time by function:',
  );
  for (const [k, us] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, 30)) out.push(`    ${pct(us)} ${ms(us)}  ${k}`);
  out.push('  self time by package / file:');
  for (const [k, us] of [...pkgSelf].sort((a, b) => b[1] - a[1]).slice(0, 25)) out.push(`    ${pct(us)} ${ms(us)}  ${k}`);
  return out.join('\n');
}

/** The monotonic clock in µs (the clock V8's CPU profiles use). */
function monoUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

// ---------------------------------------------------------------- phase 1 and 2: HTTP

interface BaselineResults {
  baseline: LoadFigures;
  baselinePeakRssMb: number | null;
  /** Share of the machine's CPU used by other processes during the measured run, in %. */
  baselineOtherCpuPct: number;
}

async function baselinePhase(): Promise<BaselineResults> {
  log('baseline: starting a bare Fastify child');
  const base = await startChild('baseline', 'bench/baseline-child.ts', childEnv({ PORT: '0' }));
  const url = `http://127.0.0.1:${base.port}${PATH}`;
  const sampleBody = new URLSearchParams(inboundParams(senderNumber(0), 'hi')).toString();
  const baseOpts: autocannon.Options = { url, method: 'POST', headers: { 'content-type': FORM }, body: sampleBody };
  log(`baseline: warm-up ${WARMUP_S} s, then ${DURATION_S} s at ${CONNECTIONS} connections`);
  await runLoad({ ...baseOpts, duration: WARMUP_S });
  const baseMark = cpuMark([base.proc.pid!]);
  const baseline = figures(await runLoad({ ...baseOpts, duration: DURATION_S }));
  const baselineOtherCpuPct = otherCpuPct(baseMark, cpuMark([base.proc.pid!]));
  const baselinePeakRssMb = memoryOf(base.proc.pid!)?.hwmMb ?? null;
  await stopChild(base.proc);
  return { baseline, baselinePeakRssMb, baselineOtherCpuPct };
}

interface WebhookResults {
  webhook: LoadFigures;
  check: ConversationCheck;
  sendersUsed: number;
  peakRssMb: number | null;
  sampledRssMb: number;
  serverLogLines: number;
  serverLogTail: string;
  profileSummary: string | null;
  /** Share of the machine's CPU used by other processes during the measured run, in %. */
  otherCpuPct: number;
  /** CPU the PostgreSQL server used during the measured run, in % of one CPU; null: SQLite, or not on this machine. */
  dbCpuPct: number | null;
}

/** The real server on SQLite (pg null) or on PostgreSQL, in a fresh store, under the same load. */
async function webhookPhase(pgb: PgBench | null): Promise<WebhookResults> {
  const name = pgb ? 'webhook (PostgreSQL)' : 'webhook';
  log(`${name}: signing ${SENDERS * STEPS} requests (${SENDERS} senders × ${STEPS} steps)`);
  const pool = new RequestPool(SENDERS);
  const dataDir = tempDir('server');
  const profDir = CPU_PROF ? fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-bench-prof-')) : null;
  log(`${name}: starting the server child` + (profDir ? ` with --cpu-prof (into ${profDir})` : ''));
  const server = await startChild(
    pgb ? 'webhook server (PostgreSQL)' : 'webhook server',
    'bench/server-child.ts',
    childEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      PUBLIC_BASE_URL,
      WAYMARK_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      ...(pgb ? { DATABASE_URL: pgb.hookUrl } : {}),
    }),
    profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  );
  const pid = server.proc.pid!;
  let sampledRssMb = 0;
  const sampler = setInterval(() => {
    const m = memoryOf(pid);
    if (m && m.rssMb > sampledRssMb) sampledRssMb = m.rssMb;
  }, 200);
  closers.push(() => clearInterval(sampler));

  const check = new ConversationCheck();
  const webhookOpts = (duration: number): autocannon.Options => ({
    url: `http://127.0.0.1:${server.port}${PATH}`,
    duration,
    requests: [
      {
        setupRequest: (req, ctx) => {
          const i = pool.next++;
          const r = pool.at(i);
          ctx.i = i;
          return {
            ...req,
            method: 'POST',
            path: PATH,
            headers: { 'content-type': FORM, 'x-twilio-signature': r.signature },
            body: r.body,
          };
        },
        onResponse: (status, body, ctx, headers) => check.record(pool.at(ctx.i as number), status, body, headers),
      },
    ],
  });
  log(`${name}: warm-up ${WARMUP_S} s, then ${DURATION_S} s at ${CONNECTIONS} connections`);
  const warm = await runLoad(webhookOpts(WARMUP_S));
  const fromUs = monoUs();
  const hookMark = cpuMark([pid], pgServerPids(pgb?.postmaster ?? null));
  const load = await runLoad(webhookOpts(DURATION_S));
  const hookEnd = cpuMark([pid], pgServerPids(pgb?.postmaster ?? null));
  const otherCpu = otherCpuPct(hookMark, hookEnd);
  const dbCpuPct = pgb && pgb.postmaster !== null ? serverCpuPct(hookMark, hookEnd, load.wallS) : null;
  const toUs = monoUs();
  const webhook = figures(load);
  webhook.non2xx += warm.result.non2xx;
  webhook.errors += warm.result.errors;
  webhook.timeouts += warm.result.timeouts;
  clearInterval(sampler);
  const peakRssMb = memoryOf(pid)?.hwmMb ?? null;
  if (server.proc.exitCode !== null) throw new Error(`${server.name} exited during the run\n${server.output()}`);
  const exit = await stopChild(server.proc);
  if (CPU_PROF && exit !== 0) log(`${server.name} exited with ${exit}: the CPU profile may be missing`);

  let profileSummary: string | null = null;
  if (profDir) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (1 is tsx's module-loader thread).
    const files = fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => Number(!/\.0\.\d+\.cpuprofile$/.test(a)) - Number(!/\.0\.\d+\.cpuprofile$/.test(b)));
    profileSummary = files.length
      ? summariseProfile(path.join(profDir, files[0]), fromUs, toUs, pgb ? 'on PostgreSQL' : '')
      : `no .cpuprofile written in ${profDir}`;
  }
  return {
    webhook,
    check,
    sendersUsed: Math.min(pool.senderCount, Math.ceil(pool.next / (GROUP * STEPS)) * GROUP),
    peakRssMb,
    sampledRssMb,
    serverLogLines: server.outputLines(),
    serverLogTail: server.output(),
    profileSummary,
    otherCpuPct: otherCpu,
    dbCpuPct,
  };
}

// ---------------------------------------------------------------- phase 5a: due()

interface DueResults {
  allDueMs: number;
  allDueItems: number;
  allDueRuns: number[];
  mixedMs: number;
  mixedItems: number;
  services: string[];
}

/** Services with a weekly schedule that reminders can be given for. */
function scheduledServices(catalogue: Catalogue) {
  return catalogue.services.filter(
    (s) => s.status !== 'closed' && s.audience !== 'professionals' && s.schedules !== null && s.schedules.length > 0,
  );
}

// Friday 4 December 2026, 08:30 London: the morning reminders of every
// service that runs on Fridays are due (sent at 08:00, 30 minutes ago).
const DUE_DATE = '2026-12-04';
const DUE_NOW = londonToInstant(DUE_DATE, '08:30');
const CREATED_AT = londonToInstant('2026-11-01', '12:00');

function bestOf3(subs: SubscriptionRow[], catalogue: Catalogue): { best: number; runs: number[]; items: number } {
  const runs: number[] = [];
  let items = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    items = due(catalogue, subs, DUE_NOW).length;
    runs.push(performance.now() - t);
  }
  return { best: Math.min(...runs), runs, items };
}

function duePhase(catalogue: Catalogue): DueResults {
  const weekday = weekdayOf(DUE_DATE);
  const scheduled = scheduledServices(catalogue);
  const dueToday = scheduled.filter((s) => s.schedules!.some((x) => x.byday.includes(weekday)));
  if (dueToday.length === 0) throw new Error(`no service in data/services.json runs on ${weekday}`);
  // (a) every subscription due: morning reminders of the services that run that day.
  const allDue: SubscriptionRow[] = [];
  for (let i = 0; i < DUE_SUBS; i++) {
    allDue.push({ id: i + 1, serviceId: dueToday[i % dueToday.length].id, timing: 'morning', createdAt: CREATED_AT });
  }
  const a = bestOf3(allDue, catalogue);
  // (b) the mix of bench/due.ts: every scheduled service, a tenth evening, a few unknown services.
  const mixed: SubscriptionRow[] = [];
  for (let i = 0; i < DUE_SUBS; i++) {
    const timing: Timing = i % 10 === 0 ? 'evening' : 'morning';
    const serviceId = i % 1000 === 999 ? 'no-such-service' : scheduled[i % scheduled.length].id;
    mixed.push({ id: i + 1, serviceId, timing, createdAt: CREATED_AT });
  }
  const b = bestOf3(mixed, catalogue);
  return { allDueMs: a.best, allDueItems: a.items, allDueRuns: a.runs, mixedMs: b.best, mixedItems: b.items, services: dueToday.map((s) => s.id) };
}

// ---------------------------------------------------------------- phase 5b: dispatch

interface Received {
  to: string;
  body: string;
  at: number;
}

interface StandIn {
  url: string;
  received: Received[];
  rejected: number;
  close: () => Promise<void>;
}

/** Twilio's Messages API, as far as the sender uses it: create answers 201 with a queued message. */
async function startStandIn(accountSid: string, authToken: string): Promise<StandIn> {
  const received: Received[] = [];
  let rejected = 0;
  let n = 0;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const messages = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 65_536) chunks.push(c);
    });
    req.on('end', () => {
      const at = performance.now();
      const send = (status: number, payload: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.headers.authorization !== expectedAuth) {
        rejected++;
        return send(401, { code: 20003, message: 'Authenticate', status: 401 });
      }
      if (req.method !== 'POST' || pathname !== messages || size > 65_536) {
        rejected++;
        return send(404, { code: 20404, message: 'not found (bench stand-in)', status: 404 });
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const to = form.get('To') ?? '';
      const body = form.get('Body') ?? '';
      received.push({ to, body, at });
      const sid = `SM${(++n).toString(16).padStart(32, '0')}`;
      const date = new Date().toUTCString().replace('GMT', '+0000');
      send(201, {
        sid,
        account_sid: accountSid,
        to,
        from: form.get('From'),
        messaging_service_sid: form.get('MessagingServiceSid'),
        body,
        status: 'queued',
        direction: 'outbound-api',
        num_segments: '1',
        num_media: '0',
        date_created: date,
        date_updated: date,
        date_sent: null,
        error_code: null,
        error_message: null,
        price: null,
        price_unit: 'GBP',
        api_version: '2010-04-01',
        uri: `${messages.replace('.json', '')}/${sid}.json`,
        subresource_uris: { media: `${messages.replace('.json', '')}/${sid}/Media.json` },
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get rejected() {
      return rejected;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface DispatchResults {
  enqueued: number;
  sent: number;
  report: object;
  elapsedS: number;
  mps: number;
  arrivalSpanS: number;
  maxInWindow: number;
  rateHonoured: boolean;
  duplicates: number;
  secondTickSent: number;
  secondTickReport: object;
  outboxStatus: Record<string, number>;
  distinctSids: number;
  rejected: number;
  otherCpuPct: number;
  /** CPU used by this process (dispatcher and stand-in) during the tick, in % of one CPU. */
  selfCpuPct: number;
  /** CPU the PostgreSQL server used during the tick, in % of one CPU; null: SQLite, or not on this machine. */
  dbCpuPct: number | null;
}

/** One person with a morning reminder, as the dispatch set-up writes them. */
interface SeedRow {
  subject: string;
  addressEnc: string;
  serviceId: string;
}

/** A store for the dispatcher, with what the bench does around the Store interface. */
interface BenchStore {
  store: Store;
  /** One contact and one morning subscription a row, in one transaction. */
  seed(rows: SeedRow[], lang: string, at: Date): Promise<void>;
  outboxStatus(): Promise<Record<string, number>>;
  distinctSids(): Promise<number>;
}

function sqliteBenchStore(secret: Buffer): BenchStore {
  const dir = tempDir('dispatch');
  const store = SqliteStore.open(dir, secret);
  closers.push(() => store.close());
  return {
    store,
    async seed(rows, lang, at) {
      const insertContact = store.db.prepare(
        'INSERT INTO contacts (subject, address_enc, channel, lang, last_inbound_at, opted_out) VALUES (?, ?, ?, ?, ?, 0)',
      );
      const insertSub = store.db.prepare('INSERT INTO subscriptions (subject, service_id, timing, created_at) VALUES (?, ?, ?, ?)');
      store.db.transaction(() => {
        for (const r of rows) {
          insertContact.run(r.subject, r.addressEnc, 'sms', lang, at.getTime());
          insertSub.run(r.subject, r.serviceId, 'morning', at.getTime());
        }
      })();
    },
    async outboxStatus() {
      const out: Record<string, number> = {};
      for (const r of store.db.prepare<[], { status: string; n: number }>('SELECT status, count(*) AS n FROM outbox GROUP BY status').all()) {
        out[r.status] = r.n;
      }
      return out;
    },
    async distinctSids() {
      return store.db.prepare<[], { n: number }>('SELECT count(DISTINCT twilio_sid) AS n FROM outbox').get()!.n;
    },
  };
}

/** A PostgresStore in the dispatch schema (migrated by open()); the set-up writes the tables of its migrations. */
async function postgresBenchStore(url: string, secret: Buffer): Promise<BenchStore> {
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

async function dispatchPhase(catalogue: Catalogue, pgb: PgBench | null): Promise<DispatchResults> {
  const name = pgb ? 'dispatch (PostgreSQL)' : 'dispatch';
  const flow = loadFlows(path.join(ROOT, 'flows'));
  const lang = flow.languages.en ? 'en' : Object.keys(flow.languages)[0];
  const standIn = await startStandIn(ACCOUNT_SID, AUTH_TOKEN);
  closers.push(() => standIn.close());
  const secret = Buffer.from(SECRET, 'utf8');
  const bench = pgb ? await postgresBenchStore(pgb.dispatchUrl, secret) : sqliteBenchStore(secret);
  const store = bench.store;

  // 10,000 people with a morning reminder for a service that runs that day.
  const dueToday = scheduledServices(catalogue).filter((s) => s.schedules!.some((x) => x.byday.includes(weekdayOf(DUE_DATE))));
  const cipher = new AddressCipher(secret);
  const subjects = new Subjects(secret);
  const t0 = performance.now();
  const rows: SeedRow[] = [];
  for (let i = 0; i < DISPATCH_SUBS; i++) {
    const address = `+4477008${String(i).padStart(5, '0')}`;
    rows.push({ subject: subjects.subject(address), addressEnc: cipher.encrypt(address), serviceId: dueToday[i % dueToday.length].id });
  }
  await bench.seed(rows, lang, CREATED_AT);
  const items = due(catalogue, await store.activeSubscriptions(), DUE_NOW);
  const enqueued = await store.enqueue(items, DUE_NOW);
  if (enqueued !== DISPATCH_SUBS) throw new Error(`${name} setup: expected ${DISPATCH_SUBS} outbox rows, got ${enqueued} (${items.length} due)`);
  log(`${name}: ${DISPATCH_SUBS} subscriptions and outbox rows ready in ${(performance.now() - t0).toFixed(0)} ms; sending at ${DISPATCH_MPS}/s`);

  const sender = new TwilioSender({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, smsFrom: '+447700900000', apiBaseUrl: standIn.url, timeoutMs: 10_000 });
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const dispatcher = new Dispatcher({
    store,
    sender,
    flow,
    catalogue,
    logger,
    mps: DISPATCH_MPS,
    worker: `bench:${process.pid}`,
    whatsappContentSid: null,
    statusCallbackUrl: `${PUBLIC_BASE_URL}/twilio/status`,
  });

  const withTimeout = <T>(p: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout;
    return Promise.race([
      p.finally(() => clearTimeout(timer)),
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not done within ${DISPATCH_TIMEOUT_MS / 1000} s`)), DISPATCH_TIMEOUT_MS);
      }),
    ]);
  };

  const postmaster = pgb?.postmaster ?? null;
  const mark = cpuMark([], pgServerPids(postmaster));
  const start = performance.now();
  const report = await withTimeout(dispatcher.tick(DUE_NOW), `${pgb ? 'PostgreSQL ' : ''}dispatcher tick`);
  const elapsedS = (performance.now() - start) / 1000;
  const end = cpuMark([], pgServerPids(postmaster));
  const otherCpu = otherCpuPct(mark, end);
  const selfCpuPct = (100 * (end.mine - mark.mine)) / 100 / elapsedS; // clock ticks are 1/100 s
  const dbCpuPct = postmaster !== null ? serverCpuPct(mark, end, elapsedS) : null;
  const got = standIn.received.slice();

  // The most messages that arrived within any one second.
  const times = got.map((r) => r.at).sort((a, b) => a - b);
  let maxInWindow = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= 1000) i++;
    maxInWindow = Math.max(maxInWindow, j - i + 1);
  }
  const counts = new Map<string, number>();
  for (const r of got) counts.set(`${r.to}\n${r.body}`, (counts.get(`${r.to}\n${r.body}`) ?? 0) + 1);
  const duplicates = [...counts.values()].filter((c) => c > 1).length;

  // A second run a minute later: everything is sent, so nothing goes.
  const before = standIn.received.length;
  const second = await withTimeout(dispatcher.tick(new Date(DUE_NOW.getTime() + 60_000)), `${pgb ? 'PostgreSQL ' : ''}second dispatcher tick`);
  const secondTickSent = Math.max(second.sent, standIn.received.length - before);

  const outboxStatus = await bench.outboxStatus();
  const distinctSids = await bench.distinctSids();

  return {
    enqueued,
    sent: got.length,
    report,
    elapsedS,
    mps: got.length / elapsedS,
    arrivalSpanS: times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0,
    maxInWindow,
    rateHonoured: maxInWindow <= DISPATCH_MPS + 1,
    duplicates,
    secondTickSent,
    secondTickReport: second,
    outboxStatus,
    distinctSids,
    rejected: standIn.rejected,
    otherCpuPct: otherCpu,
    selfCpuPct,
    dbCpuPct,
  };
}

// ---------------------------------------------------------------- report

const fmt = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const round = (n: number | null | undefined, digits = 2): number | null =>
  n === null || n === undefined || Number.isNaN(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (cell ?? '').padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

async function main(): Promise<number> {
  const t0 = performance.now();
  const catalogue = loadCatalogue(path.join(ROOT, 'data/services.json'));
  const errors: string[] = [];

  const pgb = DATABASE_URL === null ? null : (log(`PostgreSQL: connecting to ${describeUrl(DATABASE_URL)}`), await pgSetup(DATABASE_URL));
  const b = await baselinePhase();
  const w = await webhookPhase(null);
  const wp = pgb ? await webhookPhase(pgb) : null;
  const d = ONLY === 'webhook' ? null : (log('due(): 100,000 subscriptions, best of 3'), duePhase(catalogue));
  const x = ONLY === 'webhook' ? null : (log('dispatch: setting up'), await dispatchPhase(catalogue, null));
  const xp = ONLY === 'webhook' || !pgb ? null : (log('dispatch (PostgreSQL): setting up'), await dispatchPhase(catalogue, pgb));

  const ratioOf = (r: WebhookResults) => r.webhook.rps / b.baseline.rps;
  const ratio = ratioOf(w);
  const pf = (ok: boolean) => (ok ? 'PASS' : 'MISS');

  // One figure column, or two (SQLite | PostgreSQL) when DATABASE_URL is set.
  const two = pgb !== null;
  const rows: string[][] = [two ? ['measure', 'SQLite', 'PostgreSQL', 'goal', 'result'] : ['measure', 'figure', 'goal', 'result']];
  /** A row measured on each store. */
  const each = <T>(measure: string, a: T, p: T | null, figure: (r: T) => string, goal: string, result: (r: T) => string) => {
    if (!two) return void rows.push([measure, figure(a), goal, result(a)]);
    const results = p === null ? result(a) : result(a) || result(p) ? `${result(a)} / ${result(p)}` : '';
    rows.push([measure, figure(a), p === null ? 'n/a' : figure(p), goal, results]);
  };
  /** A row that does not depend on the store. */
  const one = (measure: string, figure: string, goal: string, result: string, pgCell = '') =>
    void rows.push(two ? [measure, figure, pgCell, goal, result] : [measure, figure, goal, result]);
  const hookOk = (r: WebhookResults) => r.webhook.non2xx + r.check.bad.count + r.webhook.errors + r.webhook.timeouts === 0;

  one('baseline (bare Fastify)', `${fmt(b.baseline.rps, 0)} req/s, p50 ${fmt(b.baseline.p50, 2)} ms, p99 ${fmt(b.baseline.p99, 2)} ms`, '', '', '(the same baseline)');
  each('webhook (real server)', w, wp, (r) => `${fmt(r.webhook.rps, 0)} req/s, p50 ${fmt(r.webhook.p50, 2)} ms, p90 ${fmt(r.webhook.p90, 2)} ms, p99 ${fmt(r.webhook.p99, 2)} ms, max ${fmt(r.webhook.max, 1)} ms`, '', () => '');
  each('webhook / baseline', w, wp, (r) => fmt(ratioOf(r), 3), `>= ${GOAL_RATIO}`, (r) => pf(ratioOf(r) >= GOAL_RATIO));
  each('webhook p99', w, wp, (r) => `${fmt(r.webhook.p99, 2)} ms`, `< ${GOAL_P99_MS} ms at ${CONNECTIONS} conns`, (r) => pf(r.webhook.p99 < GOAL_P99_MS));
  each('webhook non-2xx / bad answers', w, wp, (r) => `${r.webhook.non2xx} / ${r.check.bad.count} (errors ${r.webhook.errors}, timeouts ${r.webhook.timeouts})`, '0', (r) => (hookOk(r) ? 'ok' : 'ERROR'));
  each('conversation checks', w, wp, (r) => `${r.check.responses} answers, ${r.check.detailsChecked} service details checked, ${r.check.mismatches.count} unexpected`, '0 unexpected', (r) => (r.check.mismatches.count === 0 ? 'ok' : 'WARN'));
  each('webhook peak RSS (VmHWM)', w, wp, (r) => `${fmt(r.peakRssMb, 1)} MB (sampled VmRSS max ${fmt(r.sampledRssMb, 1)} MB; baseline ${fmt(b.baselinePeakRssMb, 1)} MB)`, '', () => '');
  if (d) {
    one('due() 100k, all due', `${fmt(d.allDueMs, 1)} ms best of 3 (${d.allDueRuns.map((r) => fmt(r, 1)).join(' / ')}), ${d.allDueItems} items`, `< ${GOAL_DUE_MS} ms`, pf(d.allDueMs < GOAL_DUE_MS));
    one('due() 100k, bench/due.ts mix', `${fmt(d.mixedMs, 1)} ms best of 3, ${d.mixedItems} items`, `< ${GOAL_DUE_MS} ms`, pf(d.mixedMs < GOAL_DUE_MS));
  }
  if (x) {
    each('dispatch', x, xp, (r) => `${r.sent} sent in ${fmt(r.elapsedS, 2)} s = ${fmt(r.mps, 1)} msg/s (limit ${DISPATCH_MPS}/s); dispatcher + stand-in used ${fmt(r.selfCpuPct, 0)}% of a CPU`, '', () => '');
    each('dispatch max in any 1 s', x, xp, (r) => `${r.maxInWindow} (rate limit honoured: ${r.rateHonoured ? 'yes' : 'no'})`, `<= ${DISPATCH_MPS} + 1`, (r) => pf(r.rateHonoured));
    each('dispatch duplicates', x, xp, (r) => String(r.duplicates), '0', (r) => (r.duplicates === 0 ? 'ok' : 'ERROR'));
    each('second dispatcher tick', x, xp, (r) => `${r.secondTickSent} sent`, '0', (r) => (r.secondTickSent === 0 ? 'ok' : 'ERROR'));
    each('outbox after', x, xp, (r) => `${JSON.stringify(r.outboxStatus)}, ${r.distinctSids} distinct SIDs`, `${DISPATCH_SUBS} sent`, (r) => (r.outboxStatus.sent === DISPATCH_SUBS ? 'ok' : 'ERROR'));
  }
  const others = [b.baselineOtherCpuPct, w.otherCpuPct, x?.otherCpuPct ?? 0];
  const othersPg = xp ? [wp?.otherCpuPct ?? NaN, xp.otherCpuPct] : [wp?.otherCpuPct ?? NaN];
  if (pgb && wp) {
    const pgCpu =
      pgb.postmaster === null
        ? 'not measured (not on this machine)'
        : `${fmt(wp.dbCpuPct, 0)}% of a CPU during the webhook run` + (xp ? `, ${fmt(xp.dbCpuPct, 0)}% during dispatch` : '');
    one('database server CPU', '(in process: SQLite is a library)', '', '', pgCpu);
  }
  one(
    'other processes\' CPU (incl. kernel)',
    `${others.map((p) => `${fmt(p, 0)}%`).join(' / ')} of the machine during baseline / webhook / dispatch`,
    'about 0%',
    Math.max(...[...others, ...(two ? othersPg : [])].filter((p) => !Number.isNaN(p))) > 10 ? 'WARN: figures skewed' : 'ok',
    (xp ? `${othersPg.map((p) => `${fmt(p, 0)}%`).join(' / ')} during webhook / dispatch` : `${fmt(othersPg[0], 0)}% during webhook`) + ' (the PostgreSQL server not counted)',
  );
  console.log('');
  console.log(
    `Waymark bench: node ${process.version}, ${os.cpus().length} CPUs, ${CONNECTIONS} connections, ${DURATION_S} s per load run (after ${WARMUP_S} s warm-up); ` +
      `load average at start ${LOAD_AT_START.map((l) => l.toFixed(2)).join(' ')}, now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  if (pgb) {
    console.log(
      `PostgreSQL ${pgb.version} at ${pgb.where}${pgb.postmaster === null ? '' : ' (this machine)'}: each run in an empty schema of its own ` +
        `(${pgb.hookSchema}, ${pgb.dispatchSchema}; dropped at the end), pool of ${PG_POOL_SIZE} connections`,
    );
  }
  console.log(table(rows));
  if (!pgb) console.log('PostgreSQL: set DATABASE_URL=postgres://… to add a PostgreSQL column');

  for (const [pre, r] of [['', w], ['PostgreSQL ', wp]] as const) {
    if (!r) continue;
    if (r.webhook.non2xx > 0) errors.push(`${pre}webhook: ${r.webhook.non2xx} non-2xx responses`);
    if (r.check.bad.count > 0) errors.push(`${pre}webhook: ${r.check.bad.count} answers not 200 text/xml, e.g.:\n    ${r.check.bad.samples.join('\n    ')}`);
    if (r.webhook.errors + r.webhook.timeouts > 0) errors.push(`${pre}webhook: ${r.webhook.errors} socket errors, ${r.webhook.timeouts} timeouts`);
    if (pre === '' && b.baseline.non2xx + b.baseline.errors + b.baseline.timeouts > 0) {
      errors.push(`baseline: ${b.baseline.non2xx} non-2xx, ${b.baseline.errors} errors, ${b.baseline.timeouts} timeouts`);
    }
    if (r.check.mismatches.count > 0) console.log(`WARN ${pre}conversation: ${r.check.mismatches.count} unexpected replies, e.g.:\n    ${r.check.mismatches.samples.join('\n    ')}`);
    if (r.sendersUsed > SENDERS) console.log(`note: the ${pre}run used more than the ${SENDERS} precomputed senders (${r.sendersUsed})`);
    if (r.serverLogLines > 0) console.log(`note: the ${pre}server child wrote ${r.serverLogLines} log lines at level warn or above; last:\n${r.serverLogTail.split('\n').slice(-5).join('\n')}`);
  }
  for (const [pre, r] of [['', x], ['PostgreSQL ', xp]] as const) {
    if (!r) continue;
    if (r.duplicates > 0) errors.push(`${pre}dispatch: ${r.duplicates} (To, Body) pairs received more than once`);
    if (r.secondTickSent > 0) errors.push(`${pre}dispatch: the second tick sent ${r.secondTickSent} more`);
    if (r.sent !== DISPATCH_SUBS) errors.push(`${pre}dispatch: the stand-in received ${r.sent} messages, expected ${DISPATCH_SUBS} (report ${JSON.stringify(r.report)})`);
    if (r.rejected > 0) errors.push(`${pre}dispatch: the stand-in refused ${r.rejected} requests`);
  }
  if (w.profileSummary) console.log('\n' + w.profileSummary);
  if (wp?.profileSummary) console.log('\n' + wp.profileSummary);
  for (const e of errors) console.log(`ERROR ${e}`);
  console.log(`total time ${fmt((performance.now() - t0) / 1000, 1)} s`);

  console.log(
    JSON.stringify({
      baseline_rps: round(b.baseline.rps, 0),
      webhook_rps: round(w.webhook.rps, 0),
      ratio: round(ratio, 3),
      webhook_p50_ms: round(w.webhook.p50, 3),
      webhook_p90_ms: round(w.webhook.p90, 3),
      webhook_p99_ms: round(w.webhook.p99, 3),
      webhook_max_ms: round(w.webhook.max, 3),
      baseline_p50_ms: round(b.baseline.p50, 3),
      baseline_p99_ms: round(b.baseline.p99, 3),
      webhook_requests: w.webhook.total,
      webhook_non2xx: w.webhook.non2xx,
      webhook_bad_answers: w.check.bad.count,
      conversation_mismatches: w.check.mismatches.count,
      due_100k_ms: round(d?.allDueMs, 2),
      due_100k_items: d?.allDueItems ?? null,
      due_100k_mixed_ms: round(d?.mixedMs, 2),
      dispatch_mps: round(x?.mps, 1),
      dispatch_limit_mps: DISPATCH_MPS,
      dispatch_sent: x?.sent ?? null,
      dispatch_max_in_1s: x?.maxInWindow ?? null,
      rate_limit_honoured: x ? x.rateHonoured : null,
      duplicates: x?.duplicates ?? null,
      second_tick_sent: x?.secondTickSent ?? null,
      peak_rss_mb: round(w.peakRssMb, 1),
      other_cpu_pct: { baseline: round(b.baselineOtherCpuPct, 1), webhook: round(w.otherCpuPct, 1), dispatch: round(x?.otherCpuPct, 1) },
      goals: {
        ratio_ge_0_5: ratio >= GOAL_RATIO,
        p99_lt_10ms: w.webhook.p99 < GOAL_P99_MS,
        due_lt_1000ms: d ? d.allDueMs < GOAL_DUE_MS : null,
      },
      errors: errors.length,
      postgres: wp
        ? {
            webhook_rps: round(wp.webhook.rps, 0),
            ratio: round(ratioOf(wp), 3),
            webhook_p50_ms: round(wp.webhook.p50, 3),
            webhook_p99_ms: round(wp.webhook.p99, 3),
            peak_rss_mb: round(wp.peakRssMb, 1),
            dispatch_mps: round(xp?.mps, 1),
            duplicates: xp?.duplicates ?? null,
            rate_limit_honoured: xp ? xp.rateHonoured : null,
            second_tick_sent: xp?.secondTickSent ?? null,
            webhook_non2xx: wp.webhook.non2xx,
            conversation_mismatches: wp.check.mismatches.count,
            server_cpu_pct: { webhook: round(wp.dbCpuPct, 1), dispatch: round(xp?.dbCpuPct, 1) },
            other_cpu_pct: { webhook: round(wp.otherCpuPct, 1), dispatch: round(xp?.otherCpuPct, 1) },
            goals: { ratio_ge_0_5: ratioOf(wp) >= GOAL_RATIO, p99_lt_10ms: wp.webhook.p99 < GOAL_P99_MS },
          }
        : null,
    }),
  );
  return errors.length ? 1 : 0;
}

let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    log(`${signal}: stopping children and removing temporary files`);
    void cleanup().finally(() => process.exit(130));
  });
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
