// Phases 1 and 2: a bare Fastify answering fixed TwiML (the baseline), then
// the real server (on SQLite, or on PostgreSQL) under the same load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childEnv, closers, cpuMark, log, memoryOf, otherCpuPct, serverCpuPct, startChild, stopChild, tempDir } from './children.ts';
import { ConversationCheck, figures, poolLoad, RequestPool, runLoad, STEPS, type LoadFigures } from './load.ts';
import { pgServerPids, type PgBench } from './postgres.ts';
import { monoUs, summariseProfile } from './profile.ts';
import { AUTH_TOKEN, CONNECTIONS, CPU_PROF, DURATION_S, GROUP, PUBLIC_BASE_URL, SECRET, SENDERS, WARMUP_S } from './settings.ts';

export interface BaselineResults {
  baseline: LoadFigures;
  baselinePeakRssMb: number | null;
  /** Share of the machine's CPU used by other processes during the measured run, in %. */
  baselineOtherCpuPct: number;
}

export async function baselinePhase(): Promise<BaselineResults> {
  log('baseline: starting a bare Fastify child');
  const base = await startChild('baseline', 'bench/baseline-child.ts', childEnv({ PORT: '0' }));
  // The same client as the webhook run: the same signed conversations, one
  // request built per call, every answer read. Only the server differs, so
  // the ratio compares servers, not two ways of driving autocannon.
  const pool = new RequestPool(SENDERS);
  const answers = new ConversationCheck();
  // Read like the webhook's answers (status, type, <Message>s); the fixed
  // TwiML is not a conversation, so only malformed answers count.
  const baseOpts = (duration: number) => poolLoad(base.port, pool, duration, (_req, status, body, headers) => answers.recordBare(status, body, headers));
  log(`baseline: warm-up ${WARMUP_S} s, then ${DURATION_S} s at ${CONNECTIONS} connections`);
  await runLoad(baseOpts(WARMUP_S));
  const baseMark = cpuMark([base.proc.pid!]);
  const baseline = figures(await runLoad(baseOpts(DURATION_S)));
  baseline.non2xx += answers.bad.count;
  const baselineOtherCpuPct = otherCpuPct(baseMark, cpuMark([base.proc.pid!]));
  const baselinePeakRssMb = memoryOf(base.proc.pid!)?.hwmMb ?? null;
  await stopChild(base.proc);
  return { baseline, baselinePeakRssMb, baselineOtherCpuPct };
}

export interface WebhookResults {
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
  /** Messages of the measured run: from numbers never seen before ("hi"), and from people the server already knows. */
  mix: { firstContacts: number; returning: number };
  /** Round trips the PostgreSQL store made per message handled in the measured run; null on SQLite. */
  pgRoundTripsPerTurn: number | null;
}

/** The server child's PostgreSQL counters (null on SQLite). */
function storeStats(proc: import('node:child_process').ChildProcess): Promise<{ roundTrips: number; turns: number } | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 5_000);
    const on = (m: { stats?: { roundTrips: number; turns: number } | null }) => {
      if (!m || !('stats' in m)) return;
      clearTimeout(timer);
      proc.off('message', on);
      resolve(m.stats ?? null);
    };
    proc.on('message', on);
    proc.send('stats');
  });
}

/** The real server on SQLite (pg null) or on PostgreSQL, in a fresh store, under the same load. */
export async function webhookPhase(pgb: PgBench | null): Promise<WebhookResults> {
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
      LOG_LEVEL: 'info', // as in production (the default)
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
  const webhookOpts = (duration: number) => poolLoad(server.port, pool, duration, (req, status, body, headers) => check.record(req, status, body, headers));
  log(`${name}: warm-up ${WARMUP_S} s, then ${DURATION_S} s at ${CONNECTIONS} connections`);
  const warm = await runLoad(webhookOpts(WARMUP_S));
  const statsBefore = pgb ? await storeStats(server.proc) : null;
  const firstI = pool.next;
  const fromUs = monoUs();
  const hookMark = cpuMark([pid], pgServerPids(pgb?.postmaster ?? null));
  const load = await runLoad(webhookOpts(DURATION_S));
  const hookEnd = cpuMark([pid], pgServerPids(pgb?.postmaster ?? null));
  const lastI = pool.next;
  const statsAfter = pgb ? await storeStats(server.proc) : null;
  let firstContacts = 0;
  for (let i = firstI; i < lastI; i++) if (pool.at(i).step === 0) firstContacts++;
  const sent = Math.max(1, lastI - firstI);
  const mix = { firstContacts: firstContacts / sent, returning: (sent - firstContacts) / sent };
  const turns = statsBefore && statsAfter ? statsAfter.turns - statsBefore.turns : 0;
  const pgRoundTripsPerTurn = statsBefore && statsAfter && turns > 0 ? (statsAfter.roundTrips - statsBefore.roundTrips) / turns : null;
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
    mix,
    pgRoundTripsPerTurn,
  };
}
