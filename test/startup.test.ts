// A start-up failure says what is wrong and how to fix it in one line, and
// the process exits 1: no Node stack trace, no bare "EEXIST ... mkdir".
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, startupWarnings } from '../src/config.ts';
import { tempDir } from './helpers.ts';
import { freePort, killServers, spawnServer } from './server-process.ts';

afterAll(killServers);

const BASE_ENV = { HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'development' };

/** The non-empty lines of what the failed start printed on stderr. */
function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

describe('start-up failures', () => {
  it('a port in use: one line naming PORT, exit code 1', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const server = spawnServer({ ...BASE_ENV, PORT: String(port), DATA_DIR: tempDir() });
      const { code } = await server.exited;
      expect(code, server.stderr()).toBe(1);
      expect(lines(server.stderr())).toEqual([
        `Waymark cannot start: PORT: 127.0.0.1:${port} is already in use (EADDRINUSE): stop the program using it, or set PORT to a free port`,
      ]);
      expect(server.stdout() + server.stderr()).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('a DATA_DIR that is a file: one line naming DATA_DIR, exit code 1', { timeout: 30_000 }, async () => {
    const file = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const server = spawnServer({ ...BASE_ENV, PORT: String(await freePort()), DATA_DIR: file });
    const { code } = await server.exited;
    expect(code, server.stderr()).toBe(1);
    expect(lines(server.stderr())).toEqual([
      `Waymark cannot start: DATA_DIR: ${file} is a file, not a folder: set DATA_DIR to a folder (it is created if missing)`,
    ]);
    expect(server.stdout() + server.stderr()).not.toMatch(/EEXIST|\n\s+at /);
  });
});

describe('start-up warnings', () => {
  const live = { TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'token', TWILIO_SMS_FROM: '+447700900000' };

  it('warns, naming TWILIO_WHATSAPP_FROM, when reminders are live but WhatsApp ones have no sender', () => {
    const warnings = startupWarnings(loadConfig(live));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/TWILIO_WHATSAPP_FROM is not set/);
  });

  it('is quiet when a WhatsApp sender or a messaging service is set, or reminders are only logged', () => {
    expect(startupWarnings(loadConfig({ ...live, TWILIO_WHATSAPP_FROM: '+447700900001' }))).toEqual([]);
    expect(startupWarnings(loadConfig({ ...live, TWILIO_MESSAGING_SERVICE_SID: 'MG' + 'b'.repeat(32) }))).toEqual([]);
    expect(startupWarnings(loadConfig({}))).toEqual([]);
  });
});
