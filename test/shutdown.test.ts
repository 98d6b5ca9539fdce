// SIGTERM while the server's dispatcher is in a long run (reminders at a few
// a second, Twilio answering slowly): the server stops claiming, finishes and
// records the message in flight, and exits 0 well within its 10 s grace. The
// reminders not yet sent stay pending for the next start: none lost, none
// sent twice. (It used to wait for the whole run and be killed after 10 s.)
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../src/catalogue/load.ts';
import { due } from '../src/reminders/due.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import { addDays, londonParts, londonToInstant, weekdayOf } from '../src/time/london.ts';
import { ROOT, SECRET, makeApp, messages, signed, sms, tempDir } from './helpers.ts';
import { freePort, killServers, spawnServer, waitUntilHealthy } from './server-process.ts';

const ACCOUNT = 'AC' + 'd'.repeat(32);
const PEOPLE = 16; // at 1 s each, more than the 10 s grace
const TWILIO_ANSWERS_AFTER_MS = 1000;

afterAll(killServers);

/** The shipped catalogue plus one made-up Monday drop-in in Portsmouth (so the test does not hang on a real service's facts). */
function testCatalogueFile(dir: string): string {
  const raw = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/services.json'), 'utf8')) as { services: Array<Record<string, unknown>> };
  const template = raw.services.find((s) => s.area === 'portsmouth' && (s.categories as string[]).includes('dropin'))!;
  const service = {
    ...template,
    id: 'test-monday-hub',
    name: 'Test Monday Hub',
    schedules: [{ freq: 'WEEKLY', byday: ['MO'], opens_at: '10:30', closes_at: '12:30', note: null }],
    holiday_schedules: [],
  };
  const file = path.join(dir, 'services.json');
  fs.writeFileSync(file, JSON.stringify({ ...raw, services: [...raw.services, service] }));
  return file;
}

/** Twilio's REST API, answering each message after a while, and counting. */
async function slowTwilio() {
  let received = 0;
  let answered = 0;
  const waiters: Array<[number, () => void]> = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      for (const [n, resolve] of waiters) if (received >= n) resolve();
      setTimeout(() => {
        answered++;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: `SM${String(answered).padStart(32, '0')}`, status: 'queued', account_sid: ACCOUNT }));
      }, TWILIO_ANSWERS_AFTER_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    received: () => received,
    answered: () => answered,
    /** Resolves once the nth request has arrived. */
    request: (n: number) => new Promise<void>((resolve) => (received >= n ? resolve() : waiters.push([n, resolve]))),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('SIGTERM during a long reminder run', () => {
  it('finishes the message in flight, leaves the rest pending, and exits 0 within the grace', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const catalogueFile = testCatalogueFile(tempDir());
    const catalogue = loadCatalogue(catalogueFile);

    // PEOPLE subscribe through the webhook; their reminders (for next Monday) are put in the outbox as due now.
    const made = await makeApp({ dataDir, catalogue });
    for (let i = 0; i < PEOPLE; i++) {
      const from = `+4477009006${String(i).padStart(2, '0')}`;
      const say = async (text: string) => messages((await made.app.inject(signed(sms(from, text)))).body);
      await say('hi');
      await say('2');
      const list = (await say('DROPIN'))[0];
      const number = /^(\d+) Test Monday Hub$/m.exec(list)?.[1];
      expect(number, list).toBeDefined();
      await say(number!);
      expect((await say('REMIND'))[0]).toMatch(/^Reminder set: Test Monday Hub/);
    }
    let monday = addDays(londonParts(new Date()).date, 1);
    while (weekdayOf(monday) !== 'MO') monday = addDays(monday, 1);
    const items = due(catalogue, await made.store.activeSubscriptions(), londonToInstant(monday, '08:00'));
    expect(items).toHaveLength(PEOPLE);
    const now = new Date();
    await made.store.enqueue(items.map((it) => ({ ...it, sendAt: new Date(now.getTime() - 60_000) })), now);
    await made.app.close();
    await made.store.close();

    const twilio = await slowTwilio();
    try {
      const port = await freePort();
      const server = spawnServer({
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        CATALOGUE_FILE: catalogueFile,
        WAYMARK_SECRET: SECRET.toString('utf8'),
        TWILIO_AUTH_TOKEN: 'shutdown-test-token',
        TWILIO_ACCOUNT_SID: ACCOUNT,
        TWILIO_SMS_FROM: '+447700900000',
        TWILIO_API_BASE_URL: twilio.url,
        REMINDER_MPS: '50',
        LOG_LEVEL: 'info',
        NODE_ENV: 'development',
      });
      await waitUntilHealthy(server, `http://127.0.0.1:${port}`);
      // The run has started: Twilio holds the second message when SIGTERM comes.
      await twilio.request(2);
      const termAt = Date.now();
      server.proc.kill('SIGTERM');
      const exit = await server.exited;
      const tookMs = Date.now() - termAt;
      expect(exit, server.stdout().slice(-3000)).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(10_000);
      expect(server.stdout()).toContain('"msg":"stopped"');

      // What Twilio accepted is recorded as sent; the rest are pending; nothing is half-sent.
      const store = SqliteStore.open(dataDir, SECRET);
      try {
        const rows = await store.outboxRows();
        const by = (s: string) => rows.filter((r) => r.status === s).length;
        expect(twilio.received()).toBe(2);
        expect(by('sent')).toBe(twilio.answered());
        expect(by('sending')).toBe(0);
        expect(by('pending')).toBe(PEOPLE - twilio.answered());
        expect(by('pending')).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    } finally {
      await twilio.close();
    }
  });
});
