// Child processes of the bench (the servers under load): started with the
// ready message they send over IPC, stopped, and cleaned up with the run's
// temporary folders; and what they use (memory, CPU) read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './settings.ts';

// ---------------------------------------------------------------- cleanup

export const children = new Set<ChildProcess>();
export const tempDirs: string[] = [];
export const closers: (() => Promise<void> | void)[] = [];
/** Run after the children have stopped (dropping the PostgreSQL schemas they used). */
export const lateClosers: (() => Promise<void> | void)[] = [];

export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `waymark-bench-${label}-`));
  tempDirs.push(dir);
  return dir;
}

export async function cleanup(): Promise<void> {
  for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined);
  await Promise.all([...children].map((c) => stopChild(c, 3_000)));
  for (const close of lateClosers.splice(0).reverse()) await Promise.resolve(close()).catch((e: Error) => log(`cleanup: ${e.message}`));
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

// ---------------------------------------------------------------- children

export interface Child {
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
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(TWILIO_|REMINDER_|WAYMARK_|DATA_DIR$|PUBLIC_BASE_URL$|LOG_LEVEL$|PORT$|HOST$|NODE_ENV$|CATALOGUE_FILE$|FLOWS_DIR$|DATABASE_URL$)/.test(k)) delete env[k];
  }
  return { ...env, ...extra };
}

export function startChild(name: string, file: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Child> {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, file)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(proc);
  // What is worth showing: every line but pino's info, debug and trace lines
  // (the server writes one info line per response).
  let tail = '';
  let lines = 0;
  let partial = '';
  const keep = (chunk: Buffer) => {
    const all = (partial + chunk.toString('utf8')).split('\n');
    partial = all.pop() ?? '';
    for (const line of all) {
      if (!line || /^\{"level":(10|20|30),/.test(line)) continue;
      lines++;
      tail = (tail + line + '\n').slice(-16_384);
    }
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
export async function stopChild(proc: ChildProcess, graceMs = 5_000): Promise<number | string | null> {
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
export function memoryOf(pid: number): { hwmMb: number; rssMb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (clock ticks) of one process, from /proc/<pid>/stat; 0 if it is gone. */
export function cpuTicksOf(pid: number | 'self'): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** Name, parent and CPU time (clock ticks) of one process, from /proc/<pid>/stat; null if it is gone. */
export function procStat(pid: number): { comm: string; ppid: number; ticks: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

export interface CpuMark {
  total: number;
  busy: number;
  mine: number;
  /** CPU ticks of each process of the database server (PostgreSQL on this machine), by pid. */
  server: Map<number, number>;
}

/** The machine's CPU ticks (all CPUs) and those of this process, the given children and the given server processes. */
export function cpuMark(pids: number[], serverPids: number[] = []): CpuMark {
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
export function serverTicks(a: CpuMark, b: CpuMark): number {
  let n = 0;
  for (const [p, t] of b.server) n += Math.max(0, t - (a.server.get(p) ?? 0));
  return n;
}

/** Share of the machine's CPU capacity used by other processes between two marks, in %. */
export function otherCpuPct(a: CpuMark, b: CpuMark): number {
  const total = b.total - a.total;
  if (total <= 0) return NaN;
  return Math.max(0, (100 * (b.busy - a.busy - (b.mine - a.mine) - serverTicks(a, b))) / total);
}

/** CPU the database server used between two marks `seconds` apart, in % of one CPU (clock ticks are 1/100 s). */
export function serverCpuPct(a: CpuMark, b: CpuMark, seconds: number): number {
  return serverTicks(a, b) / seconds;
}
