// The commands staff and operators run, as they would run them.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { built } from './built.ts';
import { ROOT, messages, tempDir } from './helpers.ts';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
/** As npm runs it: `chat` and `check` through tsx (development tools), the others built, from dist/. */
function command(script: string): [string, string] {
  return ['src/cli/chat.ts', 'src/cli/check.ts'].includes(script) ? [TSX, path.join(ROOT, script)] : [process.execPath, built(script)];
}
function run(script: string, args: string[], env: Record<string, string> = {}, input?: string) {
  const [cmd, file] = command(script);
  return spawnSync(cmd, [file, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', ...env },
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

function brokenCatalogue(): string {
  const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/services.json'), 'utf8'));
  const i = data.services.findIndex((s: { schedules: unknown[] | null }) => s.schedules?.length);
  data.services[i].schedules[0].opens_at = '10am';
  const file = path.join(tempDir(), 'services.json');
  fs.writeFileSync(file, JSON.stringify(data));
  return file;
}

describe('npm run check', () => {
  it('says ok for the shipped data and flows', () => {
    const r = run('src/cli/check.ts', []);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ok: data\/services.json \(\d+ services\)/);
  });

  it('names the file, entry and field of a mistake, and fails', () => {
    const r = run('src/cli/check.ts', [], { CATALOGUE_FILE: brokenCatalogue() });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/services\.json: services\[\d+\]\.schedules\[0\]\.opens_at: expected "HH:MM", got "10am"/);
  });
});

describe('npm start', () => {
  it('starts the built server (node dist/server.js) and answers a text through the webhook', async () => {
    // `npm start` itself, with only what it needs from the environment (local mode: no token).
    const proc = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATA_DIR: tempDir(), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: npm, sh and node stop together
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    // 'close': every process holding the output pipes (npm, sh, node) is gone.
    const closed = new Promise<void>((resolve) => proc.on('close', () => resolve()));
    try {
      let url: string | undefined;
      for (const end = Date.now() + 15_000; !url; await new Promise((r) => setTimeout(r, 50))) {
        url = /"listening":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1];
        if (!url && (proc.exitCode !== null || Date.now() > end)) throw new Error(`npm start did not listen:\n${out}`);
      }
      expect(out).toContain('node dist/server.js');
      const res = await fetch(`${url}/twilio/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ From: '+447700900123', Body: 'FOOD', MessageSid: 'SM' + '1'.repeat(32) }).toString(),
      });
      expect(res.status).toBe(200);
      expect(messages(await res.text())[0]).toContain('Which city are you in?');
    } finally {
      process.kill(-proc.pid!, 'SIGTERM');
    }
    await closed;
    expect(out).toContain('"msg":"stopped"'); // the server's own clean shutdown on SIGTERM
  });

  it('refuses to start on a broken catalogue, saying why', () => {
    const r = run('src/server.ts', [], { CATALOGUE_FILE: brokenCatalogue(), DATA_DIR: tempDir(), PORT: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/opens_at: expected "HH:MM", got "10am"/);
  });

  it('refuses to start in production without a token, naming it', () => {
    const r = run('src/server.ts', [], { NODE_ENV: 'production', DATA_DIR: tempDir() });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('TWILIO_AUTH_TOKEN: required');
  });
});

describe('npm run chat', () => {
  it('reads scripted lines and prints each reply', () => {
    const dataDir = tempDir();
    const r = run('src/cli/chat.ts', ['--fresh', '--now', '2026-12-04T10:30', '--from', '+447700900999'], { DATA_DIR: dataDir }, 'hello\n1\nFOOD\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('you> hello');
    expect(r.stdout).toContain('Welcome to Waymark');
    expect(r.stdout).toContain('Food in Southampton:');
    // The secret key is created for the store, readable by its owner only.
    expect(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o077).toBe(0);
  });

  it('keeps the session between runs unless --fresh', () => {
    const dataDir = tempDir();
    run('src/cli/chat.ts', ['--now', '2026-12-04T10:30'], { DATA_DIR: dataDir }, 'hi\n2\n');
    const again = run('src/cli/chat.ts', ['--now', '2026-12-04T10:30'], { DATA_DIR: dataDir }, 'MENU\n');
    expect(again.stdout).toContain('Portsmouth: what do you need?');
    const fresh = run('src/cli/chat.ts', ['--fresh'], { DATA_DIR: dataDir }, 'MENU\n');
    expect(fresh.stdout).toContain('Welcome to Waymark');
  });
});

describe('npm run reminders', () => {
  it('due --at lists what would be sent with masked numbers and sends nothing; send --at without credentials logs "would send"', () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir };
    // Subscribe through the simulator: Portsmouth, food, the Refugee Hub (Mondays), REMIND.
    const chat = run('src/cli/chat.ts', ['--now', '2026-12-04T10:30', '--from', '+447700900888'], env, 'hi\n2\nFOOD\n1\nREMIND\n');
    expect(chat.stdout).toContain('Reminder set: Portsmouth Refugee Hub');
    const due = run('src/cli/reminders.ts', ['due', '--at', '2026-12-07T08:00'], env);
    expect(due.status).toBe(0);
    expect(due.stdout).toContain('1 reminder due at 2026-12-07T08:00:00.000Z (nothing sent)');
    expect(due.stdout).toContain('Portsmouth Refugee Hub (2026-12-07)');
    expect(due.stdout).toContain('+44******888');
    expect(due.stdout).not.toContain('7700900888');
    const early = run('src/cli/reminders.ts', ['due', '--at', '2026-12-07T07:59'], env);
    expect(early.stdout).toContain('0 reminders due');
    const send = run('src/cli/reminders.ts', ['send', '--at', '2026-12-07T08:00:00Z'], { ...env, LOG_LEVEL: 'info' });
    expect(send.status).toBe(0);
    expect(send.stdout).toContain('would send (no Twilio credentials): 1');
    expect(send.stdout + send.stderr).not.toContain('7700900888');
    const again = run('src/cli/reminders.ts', ['send', '--at', '2026-12-07T08:01:00Z'], env);
    expect(again.stdout).toContain('would send (no Twilio credentials): 0');
  });

  it('explains its usage and a bad time', () => {
    expect(run('src/cli/reminders.ts', [], {}).stderr).toMatch(/usage: npm run reminders -- due --at TIME/);
    expect(run('src/cli/reminders.ts', ['due', '--at', 'tomorrow'], { DATA_DIR: tempDir() }).stderr).toMatch(/invalid time "tomorrow"/);
  });
});
