// A PostgreSQL server of a test's own, to stop and start at will (the shared
// one from TEST_DATABASE_URL must never be stopped): initdb into a temporary
// folder, pg_ctl start on a free port of 127.0.0.1, stopped and removed at
// the end. Found and run as .ci/run does: the newest
// /usr/lib/postgresql/*/bin, else initdb and pg_ctl on the PATH; as root,
// the server runs as the postgres user (initdb refuses root).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../server-process.ts';

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The folder holding initdb and pg_ctl, or null when PostgreSQL is not installed. */
export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b)) : [];
  let found: string | null = null;
  for (const v of versions) {
    const d = path.join(root, v, 'bin');
    if (executable(path.join(d, 'initdb')) && executable(path.join(d, 'pg_ctl'))) found = d; // the newest wins
  }
  if (found) return found;
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (d && executable(path.join(d, 'initdb')) && executable(path.join(d, 'pg_ctl'))) return d;
  }
  return null;
}

/** Whether a missing PostgreSQL must fail the run (CI, or REQUIRE_PG=1) rather than skip. */
export function postgresRequired(): boolean {
  return process.env.REQUIRE_PG === '1' || process.env.CI === 'true';
}

export class ThrowawayPostgres {
  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
    private readonly asRoot: boolean,
  ) {}

  /** postgres://postgres@127.0.0.1:PORT/postgres (trust: the server is on loopback and lives for one test file). */
  url(applicationName = 'waymark'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres?application_name=${applicationName}`;
  }

  private run(cmd: string, args: string[]): void {
    const [file, argv] = this.asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(this.bin, cmd), ...args]] : [path.join(this.bin, cmd), args];
    const out = spawnSync(file, argv, { cwd: '/', encoding: 'utf8', timeout: 120_000 });
    if (out.status !== 0) {
      const log = fs.existsSync(path.join(this.dir, 'server.log')) ? fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8').slice(-2000) : '';
      throw new Error(`${cmd} ${args.join(' ')} failed (${out.status ?? out.signal}): ${out.stderr || out.error?.message}\n${log}`);
    }
  }

  static async create(bin: string): Promise<ThrowawayPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-test-pg-'));
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const id = spawnSync('id', ['-u', 'postgres']);
      if (id.status !== 0) spawnSync('useradd', ['--system', '--home-dir', dir, '--shell', '/usr/sbin/nologin', 'postgres']);
      spawnSync('chown', ['postgres:', dir]);
    }
    const pg = new ThrowawayPostgres(bin, dir, await freePort(), asRoot);
    pg.run('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', 'mkdir', path.join(dir, 'sock')], { cwd: '/' });
    else fs.mkdirSync(path.join(dir, 'sock'));
    pg.start();
    return pg;
  }

  /** Starts (again) on the same port and data. */
  start(): void {
    this.run('pg_ctl', [
      '-D', path.join(this.dir, 'data'), '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60',
      // fsync off for speed: only a crash of the machine could lose a commit.
      '-o', `-h 127.0.0.1 -p ${this.port} -k ${path.join(this.dir, 'sock')} -c fsync=off -c max_connections=100`,
      'start',
    ]);
  }

  /** 'fast': a clean shutdown, as a restart for an upgrade does; 'immediate': as a crash. */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  remove(): void {
    try {
      this.stop('immediate');
    } catch {
      // already stopped
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
