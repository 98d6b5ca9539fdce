// Nothing in clear: a whole conversation with reminders, in process, then
// every log line and every byte of the data directory (the database and its
// -wal and -shm files, read while the store is open and again after it is
// closed and checkpointed) is searched for the people's numbers, in every way
// a UK number can be written, and for what they wrote.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/reminders/dispatcher.ts';
import { LogSender } from '../src/reminders/sender.ts';
import { AddressCipher } from '../src/store/address-cipher.ts';
import { Subjects } from '../src/store/subject.ts';
import { SECRET, content, makeApp, messages, signed, sms, tempDir } from './helpers.ts';

const A = '+447700900555'; // keeps two reminders, STOP, START
const B = '+447700900666'; // a reminder, then FORGET
const C = 'whatsapp:+447700900777'; // floods on WhatsApp
const SECRET_TEXT = 'my name is Zorba and I live at 12 Quince Road, call me on 07700900555';
const WORDS = ['Zorba', 'Quince'];

/** +447700900555, 447700900555, 07700900555, 7700900555. */
function numberForms(address: string): string[] {
  const n = address.replace(/^whatsapp:/, '');
  const national = n.slice(3);
  return [n, n.slice(1), '0' + national, national];
}

const NEEDLES = [...[A, B, C].flatMap(numberForms), ...WORDS];

/** Every needle found in `text`, ignoring case. */
function found(text: string): string[] {
  const hay = text.toLowerCase();
  return NEEDLES.filter((n) => hay.includes(n.toLowerCase()));
}

/** Every file under dir, read as latin1, utf8 and utf16le: the needles found, by file. */
function scanDir(dir: string): { files: Record<string, number>; hits: Record<string, string[]> } {
  const files: Record<string, number> = {};
  const hits: Record<string, string[]> = {};
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    const buf = fs.readFileSync(file);
    files[name] = buf.length;
    const h = new Set(['latin1', 'utf8', 'utf16le'].flatMap((enc) => found(buf.toString(enc as BufferEncoding))));
    if (h.size) hits[name] = [...h];
  }
  return { files, hits };
}

const TABLES = ['sessions', 'processed', 'contacts', 'subscriptions', 'outbox'];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('privacy', () => {
  it('no number and no message text in the logs or anywhere in the data directory', async () => {
    const lines: string[] = [];
    const dataDir = tempDir();
    dirs.push(dataDir);
    let clock = new Date('2026-12-04T10:30:00Z'); // a Friday
    const { app, store, bot } = await makeApp({ dataDir, logLines: lines, now: () => clock });
    const logger = bot.deps.logger; // writes to `lines`
    const { flow, catalogue } = content();
    const dispatcher = new Dispatcher({
      store,
      sender: new LogSender((line, fields) => logger.info(fields, line)),
      flow,
      catalogue,
      logger,
      mps: 1000,
      worker: 'privacy-test',
      whatsappContentSid: null,
      statusCallbackUrl: 'https://waymark.example.org/twilio/status',
    });
    const sids: Record<string, string[]> = { [A]: [], [B]: [], [C]: [] };
    const say = async (from: string, text: string): Promise<string[]> => {
      const params = sms(from, text);
      sids[from].push(params.MessageSid);
      const res = await app.inject(signed(params));
      expect(res.statusCode).toBe(200);
      return messages(res.body);
    };

    // A: the message text, then two reminders.
    await say(A, 'hi');
    expect((await say(A, '2'))[0]).toMatch(/^Portsmouth: what do you need\?/);
    expect((await say(A, SECRET_TEXT))[0]).toMatch(/^Sorry, I did not understand/);
    await say(A, 'FOOD');
    await say(A, '3');
    expect((await say(A, 'REMIND'))[0]).toMatch(/^Reminder set: /);
    await say(A, 'FOOD');
    expect((await say(A, '1'))[0]).toContain('Portsmouth Refugee Hub');
    expect((await say(A, 'REMIND'))[0]).toMatch(/^Reminder set: Portsmouth Refugee Hub/);
    expect((await say(A, 'REMINDERS'))[0]).toMatch(/^Your reminders:\n1 .*\n2 /);
    // A forged request carrying the same text: refused, and logged without it.
    const forged = await app.inject(signed(sms(A, SECRET_TEXT), '/twilio/messages', 'forged-token'));
    expect(forged.statusCode).toBe(403);

    // B: the text too, a reminder.
    clock = new Date('2026-12-04T10:40:00Z');
    await say(B, 'hi');
    await say(B, '2');
    await say(B, `${SECRET_TEXT} (this is B)`);
    await say(B, 'FOOD');
    await say(B, '1');
    expect((await say(B, 'REMIND'))[0]).toMatch(/^Reminder set: Portsmouth Refugee Hub/);

    // C floods on WhatsApp with the text: one "slow down", then silence.
    for (let i = 0; i < 32; i++) await say(C, SECRET_TEXT);
    expect(lines.some((l) => l.includes('sender flooding: throttled'))).toBe(true);

    // Monday 7 Dec, 08:00: the hub reminders for A and B.
    let r = await dispatcher.tick(new Date('2026-12-07T08:00:00Z'));
    expect(r).toMatchObject({ sent: 2, failed: 0 });
    // A delivery update, as Twilio posts it (with both numbers in it).
    const [row] = (await store.outboxRows()).filter((o) => o.status === 'sent');
    const status = await app.inject(
      signed({ MessageSid: row.twilioSid!, MessageStatus: 'delivered', To: A, From: '+447700900000', AccountSid: 'AC' + '0'.repeat(32) }, '/twilio/status'),
    );
    expect(status.statusCode).toBe(204);

    // A: STOP; Thursday's reminder is not even queued; START.
    clock = new Date('2026-12-07T12:00:00Z');
    expect(await say(A, 'STOP')).toEqual([]);
    r = await dispatcher.tick(new Date('2026-12-10T08:00:00Z'));
    expect(r).toMatchObject({ enqueued: 0, sent: 0 });
    clock = new Date('2026-12-10T12:00:00Z');
    expect((await say(A, 'START'))[0]).toMatch(/^You will get texts from Waymark again/);
    r = await dispatcher.tick(new Date('2026-12-14T08:00:00Z'));
    expect(r).toMatchObject({ sent: 2, failed: 0 });
    expect(lines.filter((l) => l.includes('"msg":"would send"'))).toHaveLength(4);

    // B: FORGET.
    clock = new Date('2026-12-14T12:00:00Z');
    const subjects = new Subjects(SECRET);
    const b = subjects.subject(B);
    const count = (table: string, subject: string) =>
      (store.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE subject = ?`).get(subject) as { n: number }).n;
    expect(TABLES.map((t) => count(t, b))).toEqual([1, 6, 1, 1, 2]); // there was something to forget
    expect((await say(B, 'FORGET'))[0]).toMatch(/reply FORGET YES within 10 minutes/);
    expect((await say(B, 'FORGET YES'))[0]).toMatch(/^Done: we deleted everything/);
    expect(Object.fromEntries(TABLES.map((t) => [t, count(t, b)]))).toEqual({ sessions: 0, processed: 0, contacts: 0, subscriptions: 0, outbox: 0 });
    const bSids = sids[B];
    const processedB = store.db
      .prepare(`SELECT count(*) AS n FROM processed WHERE message_id IN (${bSids.map(() => '?').join(',')})`)
      .get(...bSids) as { n: number };
    expect(processedB.n).toBe(0);

    // A is still there, so the database does hold a number: encrypted.
    const a = subjects.subject(A);
    expect(TABLES.map((t) => count(t, a))).toEqual([1, 12, 1, 2, 2]);
    const contact = store.db.prepare('SELECT address_enc FROM contacts WHERE subject = ?').get(a) as { address_enc: string };
    expect(contact.address_enc).toMatch(/^v1\./);
    expect(new AddressCipher(SECRET).decrypt(contact.address_enc)).toBe(A);

    // The logs: every line, of every level.
    expect(lines.length).toBeGreaterThan(50);
    const inLogs = lines.flatMap((l) => found(l).map((n) => `${n} in ${l}`));
    expect(inLogs).toEqual([]);

    // The data directory while the store is open (WAL included: FORGET
    // checkpoints it, so it may be empty by now).
    const open = scanDir(dataDir);
    expect(open.files['waymark.db']).toBeGreaterThan(0);
    expect(open.hits).toEqual({});

    // And after closing, which checkpoints the WAL into the database.
    await app.close();
    await store.close();
    const closed = scanDir(dataDir);
    expect(closed.files['waymark.db']).toBeGreaterThan(0);
    expect(closed.hits).toEqual({});
  });

  // Regression: FORGET deleted the rows, but SQLite left the deleted bytes in
  // free pages of waymark.db and in old frames of waymark.db-wal, where the
  // person's subject and message ids could be read from a copy of the files.
  // Fixed by secure_delete and a WAL checkpoint after FORGET.
  it('after FORGET not even the hashed subject or a message id is left in the files', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const { app, store } = await makeApp({ dataDir });
    const sent: string[] = [];
    for (const text of ['hi', '2', 'FOOD', '1', 'REMIND', 'FORGET', 'FORGET YES']) {
      const params = sms(B, text);
      sent.push(params.MessageSid);
      await app.inject(signed(params));
    }
    // Someone else carries on using the service.
    for (let i = 0; i < 20; i++) await app.inject(signed(sms('+447700900123', i % 2 ? 'MENU' : 'FOOD')));
    const subject = new Subjects(SECRET).subject(B);
    const leftovers = () =>
      fs.readdirSync(dataDir).flatMap((f) => {
        const text = fs.readFileSync(path.join(dataDir, f)).toString('latin1');
        return [subject, ...sent].filter((x) => text.includes(x)).map((x) => `${f}: ${x === subject ? 'subject' : x}`);
      });
    const whileOpen = leftovers();
    await app.close();
    await store.close();
    expect([...whileOpen, ...leftovers()]).toEqual([]);
  });
});
