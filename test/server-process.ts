// The real server as a child process, started the way `npm start` starts it:
// the built JavaScript (dist/, see test/built.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { built } from './built.ts';
import { ROOT } from './helpers.ts';

export const SERVER_COMMAND: readonly string[] = [process.execPath, built('src/server.ts')];

export interface ServerProcess {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running: () => boolean;
}

const started: ServerProcess[] = [];

/** Starts the server with only `env` (and PATH, HOME): nothing leaks in from the developer's shell. */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const [command, ...args] = SERVER_COMMAND;
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const child: ServerProcess = {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    running: () => proc.exitCode === null && proc.signalCode === null,
  };
  started.push(child);
  return child;
}

/** Kills every server still running (for afterAll). */
export async function killServers(): Promise<void> {
  for (const c of started) if (c.running()) c.proc.kill('SIGKILL');
  await Promise.all(started.map((c) => c.exited));
  started.length = 0;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Waits until GET /healthz answers, failing early (with its output) if the server exits. */
export async function waitUntilHealthy(child: ServerProcess, base: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!child.running()) throw new Error(`the server exited:\n${child.stdout().slice(-2000)}\n${child.stderr().slice(-2000)}`);
    try {
      if ((await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch (e) {
      if (!(e instanceof Error)) throw e; // not yet listening: try again
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server did not answer within ${timeoutMs} ms:\n${child.stdout().slice(-2000)}`);
}
