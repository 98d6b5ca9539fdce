// Phases 5a and 5b: due() over 100,000 subscriptions, and 10,000 reminders
// dispatched through the twilio library to a local stand-in of its API.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { remindable } from '../src/catalogue/offered.ts';
import type { Catalogue } from '../src/catalogue/types.ts';
import { loadFlows } from '../src/conversation/load-flows.ts';
import { Dispatcher } from '../src/reminders/dispatcher.ts';
import { due, type SubscriptionRow, type Timing } from '../src/reminders/due.ts';
import { TwilioSender } from '../src/channels/twilio/sender.ts';
import { AddressCipher } from '../src/store/address-cipher.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { Subjects } from '../src/store/subject.ts';
import { londonToInstant, weekdayOf } from '../src/time/london.ts';
import { closers, cpuMark, log, otherCpuPct, serverCpuPct, tempDir } from './children.ts';
import { pgServerPids, postgresBenchStore, type PgBench } from './postgres.ts';
import { ACCOUNT_SID, AUTH_TOKEN, DISPATCH_MPS, DISPATCH_SUBS, DISPATCH_TIMEOUT_MS, DUE_SUBS, PUBLIC_BASE_URL, ROOT, SECRET } from './settings.ts';
import { startStandIn } from './twilio-stand-in.ts';

// ---------------------------------------------------------------- phase 5a: due()

export interface DueResults {
  allDueMs: number;
  allDueItems: number;
  allDueRuns: number[];
  mixedMs: number;
  mixedItems: number;
  services: string[];
}

/** Services reminders can be given for (remindable()), and of those the ones that run on `date`. */
function remindableServices(catalogue: Catalogue, date: string) {
  const all = catalogue.services.filter(remindable);
  const weekday = weekdayOf(date);
  const on = all.filter((s) => s.schedules!.some((x) => x.byday.includes(weekday)));
  if (on.length === 0) throw new Error(`no service in data/services.json runs on ${weekday}`);
  return { all, on };
}

// Friday 4 December 2026, 08:30 London: the morning reminders of every
// service that runs on Fridays are due (sent at 08:00, 30 minutes ago).
export const DUE_DATE = '2026-12-04';
export const DUE_NOW = londonToInstant(DUE_DATE, '08:30');
export const CREATED_AT = londonToInstant('2026-11-01', '12:00');

export function bestOf3(subs: SubscriptionRow[], catalogue: Catalogue): { best: number; runs: number[]; items: number } {
  const runs: number[] = [];
  let items = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    items = due(catalogue, subs, DUE_NOW).length;
    runs.push(performance.now() - t);
  }
  return { best: Math.min(...runs), runs, items };
}

export function duePhase(catalogue: Catalogue): DueResults {
  const { all: scheduled, on: dueToday } = remindableServices(catalogue, DUE_DATE);
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

export interface DispatchResults {
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
export interface SeedRow {
  subject: string;
  addressEnc: string;
  serviceId: string;
}

/** A store for the dispatcher, with what the bench does around the Store interface. */
export interface BenchStore {
  store: Store;
  /** One contact and one morning subscription a row, in one transaction. */
  seed(rows: SeedRow[], lang: string, at: Date): Promise<void>;
  outboxStatus(): Promise<Record<string, number>>;
  distinctSids(): Promise<number>;
}

export function sqliteBenchStore(secret: Buffer): BenchStore {
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

export async function dispatchPhase(catalogue: Catalogue, pgb: PgBench | null): Promise<DispatchResults> {
  const name = pgb ? 'dispatch (PostgreSQL)' : 'dispatch';
  const flow = loadFlows(path.join(ROOT, 'flows'));
  const lang = flow.languages.en ? 'en' : Object.keys(flow.languages)[0];
  const standIn = await startStandIn(ACCOUNT_SID, AUTH_TOKEN);
  closers.push(() => standIn.close());
  const secret = Buffer.from(SECRET, 'utf8');
  const bench = pgb ? await postgresBenchStore(pgb.dispatchUrl, secret) : sqliteBenchStore(secret);
  const store = bench.store;

  // 10,000 people with a morning reminder for a service that runs that day.
  const dueToday = remindableServices(catalogue, DUE_DATE).on;
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
