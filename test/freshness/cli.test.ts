// npm run freshness, as an operator runs it; and npm run chat as a provider.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { built } from '../built.ts';
import { ROOT, tempDir } from '../helpers.ts';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
/** npm run freshness runs the built JavaScript (dist/); npm run chat, a development tool, the sources. */
function run(script: string, args: string[], env: Record<string, string>, input?: string) {
  const [cmd, first] = script === 'src/cli/chat.ts' ? [TSX, path.join(ROOT, script)] : [process.execPath, built(script)];
  return spawnSync(cmd, [first, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
}
const fresh = (args: string[], env: Record<string, string>) => run('src/cli/freshness.ts', args, env);

describe('npm run freshness', () => {
  it('adds, lists and removes contacts with masked numbers; due lists, send asks once; the provider answers in npm run chat', () => {
    const env = { DATA_DIR: tempDir() };
    const add = fresh(['contact', 'add', 'portsmouth-refugee-hub', '07700 900555', '--name', 'Sam at the Hub'], env);
    expect(add.stderr).toBe('');
    expect(add.stdout).toBe('contact 1 added to portsmouth-refugee-hub: Sam at the Hub, +44******555\n');
    const list = fresh(['contact', 'list'], env);
    expect(list.stdout).toBe('1 verification contact\n  1  portsmouth-refugee-hub  Sam at the Hub  +44******555\n');
    expect(list.stdout + add.stdout).not.toContain('900555');
    // Monday 7 Dec 2026: nothing before 10:00, the hub at 10:00.
    expect(fresh(['due', '--at', '2026-12-07T09:59'], env).stdout).toMatch(/^0 verification texts due/);
    expect(fresh(['due', '--at', '2026-12-07T10:00'], env).stdout).toBe(
      '1 verification text due at 2026-12-07T10:00:00.000Z (nothing sent)\n  request  portsmouth-refugee-hub  Sam at the Hub  +44******555\n',
    );
    expect(fresh(['send', '--at', '2026-12-07T10:00'], env).stdout).toMatch(/^would send \(no Twilio credentials\): 1, asked: 1,/);
    expect(fresh(['send', '--at', '2026-12-07T10:01'], env).stdout).toMatch(/^would send \(no Twilio credentials\): 0, asked: 0,/);
    const chat = run('src/cli/chat.ts', ['--from', '+447700900555', '--now', '2026-12-07T10:30'], env, 'YES\n');
    expect(chat.stdout).toContain('Thank you: we have marked it as confirmed today.');
    expect(fresh(['contact', 'remove', '1'], env).stdout).toBe('contact 1 removed\n');
    expect(fresh(['contact', 'list'], env).stdout).toBe('0 verification contacts\n');
  }, 180_000);

  it('says what is wrong with a service id, a number or a missing name', () => {
    const env = { DATA_DIR: tempDir() };
    expect(fresh(['contact', 'add', 'no-such-service', '07700900555', '--name', 'X'], env).stderr).toMatch(/no service "no-such-service"/);
    expect(fresh(['contact', 'add', 'portsmouth-refugee-hub', '12345', '--name', 'X'], env).stderr).toMatch(/NUMBER: expected a mobile number/);
    expect(fresh(['contact', 'add', 'portsmouth-refugee-hub', '07700900555'], env).stderr).toMatch(/--name NAME/);
    const usage = fresh([], env);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/usage: npm run freshness -- contact add SERVICE_ID NUMBER --name NAME/);
  }, 120_000);
});
