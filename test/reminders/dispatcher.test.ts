// The dispatcher's defects, each with the behaviour a person would notice:
// - an error that is neither Twilio's nor the network's (e.g. no WhatsApp
//   sender configured) fails the reminder at once, with its stack logged,
//   instead of being retried five times as if the network were down;
// - two WhatsApp template reminders to one person, and a crash between the
//   two sends: recovery sends the second exactly once (it used to mark it
//   sent with the first one's SID, so it never went);
// - shutdown: claiming stops, the message in flight is finished, the rest
//   stay pending and go on the next run, once each.
import nock from 'nock';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue, Service } from '../../src/catalogue/types.ts';
import { TwilioSender } from '../../src/channels/twilio/sender.ts';
import { makeLogger } from '../../src/core/log.ts';
import { Dispatcher } from '../../src/reminders/dispatcher.ts';
import { matchSent } from '../../src/reminders/outbox-pump.ts';
import type { OutgoingMessage, Sender } from '../../src/reminders/sender.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { makeService } from '../fixtures.ts';
import { SECRET, capturedLog, content, makeApp, messages, signed, sms, tempDir } from '../helpers.ts';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const API = 'https://api.twilio.com';
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
const CONTENT_SID = 'HX' + 'b'.repeat(32);
const MONDAY_8 = new Date('2026-12-07T08:00:00Z'); // 08:00 London, Monday 7 Dec
const WA = 'whatsapp:+447700900321';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** Two Monday drop-ins in Portsmouth (made up, so that the tests do not depend on data/). */
function catalogue(): Catalogue {
  const monday = (id: string, name: string): Service =>
    makeService({
      id,
      name,
      area: 'portsmouth',
      categories: ['dropin'],
      location: { name: `${name} hall`, address: '1 Test Street, Southsea', city: 'portsmouth', postcode: null },
      schedules: [{ freq: 'WEEKLY', byday: ['MO'], opens_at: '10:30', closes_at: '12:30', note: null }],
    } as Partial<Service>);
  return { ...content().catalogue, services: [monday('alpha-hub', 'Alpha Hub'), monday('beta-hub', 'Beta Hub')] };
}

async function setup(dataDir = tempDir()) {
  const cat = catalogue();
  const made = await makeApp({ dataDir, catalogue: cat, now: () => new Date('2026-12-04T10:30:00Z') });
  const say = async (from: string, text: string) => messages((await made.app.inject(signed(sms(from, text)))).body);
  /** hi → Portsmouth → DROPIN → the service by name → REMIND */
  const subscribe = async (from: string, name: string) => {
    await say(from, 'hi');
    await say(from, '2');
    const list = (await say(from, 'DROPIN'))[0];
    const number = new RegExp(`^(\\d+) ${name}$`, 'm').exec(list)?.[1];
    expect(number, list).toBeDefined();
    expect((await say(from, number!))[0]).toContain(name);
    expect((await say(from, 'REMIND'))[0]).toMatch(/^Reminder set/);
  };
  const dispatcher = (o: { store?: SqliteStore; sender?: Sender; logger?: pino.Logger; mps?: number } = {}) =>
    new Dispatcher({
      store: o.store ?? made.store,
      sender: o.sender ?? twilio(),
      flow: content().flow,
      catalogue: cat,
      logger: o.logger ?? pino({ level: 'silent' }),
      mps: o.mps ?? 1000,
      worker: 'test',
      whatsappContentSid: CONTENT_SID,
      statusCallbackUrl: null,
      maxAttempts: 5,
    });
  return { ...made, dataDir, say, subscribe, dispatcher };
}

function twilio(o: { whatsappFrom?: string | null } = {}): TwilioSender {
  return new TwilioSender({
    accountSid: ACCOUNT,
    authToken: 'token',
    smsFrom: '+447700900000',
    whatsappFrom: o.whatsappFrom === undefined ? '+447700900001' : o.whatsappFrom,
  });
}

type Form = Record<string, string>;
let sids = 0;

/** Twilio accepts message creation (`times` times), recording each form. */
function twilioAccepts(times = 20, delayMs = 0, onRequest?: (n: number) => void): Form[] {
  const sent: Form[] = [];
  nock(API)
    .post(MESSAGES)
    .times(times)
    .delay(delayMs)
    .reply(201, (_uri, body) => {
      const form = Object.fromEntries(new URLSearchParams(body as string));
      sent.push(form);
      onRequest?.(sent.length);
      return { sid: `SM${String(++sids).padStart(32, '0')}`, status: 'queued', to: form.To };
    });
  return sent;
}

function logLines(): { logger: pino.Logger; lines: Array<Record<string, unknown>>; raw: string[] } {
  const { destination, lines, raw } = capturedLog();
  return { logger: makeLogger('info', destination), lines, raw };
}

describe('an error that is neither Twilio nor the network', () => {
  it('fails the reminder at once with its stack logged, and never retries it', async () => {
    const { subscribe, say, dispatcher, store } = await setup();
    await subscribe(WA, 'Alpha Hub');
    // Inside the 24-hour window (free text), but no WhatsApp sender is configured.
    await say(WA, 'MENU');
    const { logger, lines, raw } = logLines();
    const d = dispatcher({ sender: twilio({ whatsappFrom: null }), logger });
    const sent = twilioAccepts();
    const at = MONDAY_8;
    const report = await d.tick(at);
    expect(report).toMatchObject({ sent: 0, retried: 0, failed: 1 });
    const [row] = await store.outboxRows();
    expect(row.status).toBe('failed');
    expect(row.errorCode).toBe('error');
    expect(row.attempts).toBe(1);
    // Later runs leave it alone: no five attempts.
    for (let m = 1; m <= 40; m *= 2) await d.tick(new Date(at.getTime() + m * 60_000));
    expect((await store.outboxRows())[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sent).toEqual([]);
    const failure = lines.find((l) => l.msg === 'reminder failed: not a Twilio or network error, so not retried');
    expect(failure, raw.join('\n')).toBeDefined();
    const err = failure!.err as { message: string; stack: string };
    expect(err.message).toBe('TwilioSender: no sender configured for WhatsApp');
    expect(err.stack).toMatch(/\n\s+at /);
    expect(raw.join('\n')).not.toContain('7700900321');
  });

  it('a network error is still retried', async () => {
    const { subscribe, dispatcher, store } = await setup();
    await subscribe('+447700900321', 'Alpha Hub');
    nock(API).post(MESSAGES).reply(503, { code: 20503, message: 'Service Unavailable', status: 503 });
    expect((await dispatcher().tick(MONDAY_8)).retried).toBe(1);
    expect((await store.outboxRows())[0]).toMatchObject({ status: 'pending', errorCode: '20503' });
  });
});

describe('two WhatsApp template reminders to one person, and a crash between the sends', () => {
  /** Twilio's message list for the person: what it had accepted, as it shows templates (rendered). */
  function twilioLists(shown: Array<{ sid: string; body: string | null }>): void {
    nock(API)
      .get(MESSAGES)
      .query(true)
      .times(5)
      .reply(200, {
        messages: shown.map((m) => ({
          sid: m.sid,
          to: WA,
          from: 'whatsapp:+447700900001',
          body: m.body ?? '',
          direction: 'outbound-api',
          status: 'delivered',
          date_created: 'Mon, 07 Dec 2026 08:00:01 +0000',
          date_sent: 'Mon, 07 Dec 2026 08:00:02 +0000',
        })),
        next_page_uri: null,
        page: 0,
        page_size: 50,
      });
  }

  for (const shows of ['the rendered text', 'no text'] as const) {
    it(`recovery sends the second exactly once (Twilio shows ${shows})`, async () => {
      const dataDir = tempDir();
      const first = await setup(dataDir);
      await first.subscribe(WA, 'Alpha Hub');
      await first.subscribe(WA, 'Beta Hub');
      // Three days later, outside the 24-hour window: both go as the template.
      // The first send is accepted and recorded; the process dies during the second.
      const accepted = twilioAccepts(1);
      let secondSend!: () => void;
      const reachedSecond = new Promise<void>((resolve) => (secondSend = resolve));
      const base = twilio();
      const dying: Sender = {
        live: true,
        send: (msg: OutgoingMessage) => {
          if (accepted.length === 0) return base.send(msg);
          secondSend();
          return new Promise(() => undefined); // never answers: the process is gone
        },
        sentSince: (to, since) => base.sentSince(to, since),
      };
      void first.dispatcher({ sender: dying }).tick(MONDAY_8);
      await reachedSecond;
      const before = await first.store.outboxRows();
      expect(before.map((r) => r.status).sort()).toEqual(['sending', 'sent']);
      const firstVars = JSON.parse(accepted[0].ContentVariables) as Record<string, string>;
      const firstSid = before.find((r) => r.status === 'sent')!.twilioSid!;

      // Restart: a new store on the same data, a new dispatcher, 5 minutes later.
      const store = SqliteStore.open(dataDir, SECRET);
      try {
        twilioLists([
          { sid: firstSid, body: shows === 'no text' ? null : `Reminder: ${firstVars['1']} on ${firstVars['2']} at ${firstVars['3']}.` },
        ]);
        const resent = twilioAccepts(5);
        const r = await first.dispatcher({ store }).tick(new Date(MONDAY_8.getTime() + 5 * 60_000));
        expect(r.recovered).toBe(1);
        expect(resent).toHaveLength(1);
        const secondVars = JSON.parse(resent[0].ContentVariables) as Record<string, string>;
        expect([firstVars['1'], secondVars['1']].sort()).toEqual(['Alpha Hub', 'Beta Hub']);
        expect(resent[0].ContentSid).toBe(CONTENT_SID);
        // Each row has its own message; a later run sends nothing more.
        const rows = await store.outboxRows();
        expect(rows.map((x) => x.status)).toEqual(['sent', 'sent']);
        expect(new Set(rows.map((x) => x.twilioSid)).size).toBe(2);
        expect((await first.dispatcher({ store }).tick(new Date(MONDAY_8.getTime() + 10 * 60_000))).sent).toBe(0);
        expect(resent).toHaveLength(1);
      } finally {
        await store.close();
      }
    });
  }

  it('matchSent: a body by its text; a template by its variables, else the oldest; never a message offered twice', () => {
    const at = new Date('2026-12-07T08:00:01Z');
    const msg = (sid: string, body: string | null) => ({ sid, status: 'sent', body, createdAt: at });
    const template = (service: string) => `content:${CONTENT_SID}:${JSON.stringify({ '1': service, '2': 'Monday 10:30-12:30', '3': 'hall' })}`;
    expect(matchSent('the text', [msg('SM1', 'other'), msg('SM2', 'the text')])?.sid).toBe('SM2');
    expect(matchSent('the text', [msg('SM1', 'other')])).toBeNull();
    const rendered = [msg('SM1', 'Reminder: Alpha Hub on Monday 10:30-12:30 at hall.'), msg('SM2', 'Reminder: Beta Hub on Monday 10:30-12:30 at hall.')];
    expect(matchSent(template('Beta Hub'), rendered)?.sid).toBe('SM2');
    expect(matchSent(template('Alpha Hub'), rendered)?.sid).toBe('SM1');
    expect(matchSent(template('Beta Hub'), [msg('SM7', null), msg('SM8', null)])?.sid).toBe('SM7');
    expect(matchSent(template('Beta Hub'), [])).toBeNull();
  });
});

describe('shutdown during a long run', () => {
  it('stops after the message in flight; the rest stay pending and go on the next run, once each', async () => {
    const { subscribe, dispatcher, store } = await setup();
    const people = Array.from({ length: 8 }, (_, i) => `+4477009005${String(i).padStart(2, '0')}`);
    for (const p of people) await subscribe(p, 'Alpha Hub');
    const stop = new AbortController();
    // A slow Twilio: shutdown comes while it holds the second message.
    const sent = twilioAccepts(20, 300, (n) => n === 2 && stop.abort());
    const started = Date.now();
    const report = await dispatcher({ mps: 5 }).tick(MONDAY_8, stop.signal);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(report.sent).toBe(2);
    expect(sent).toHaveLength(2);
    let rows = await store.outboxRows();
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(2);
    expect(rows.filter((r) => r.status === 'pending')).toHaveLength(6);
    expect(rows.filter((r) => r.status === 'sending')).toHaveLength(0);
    // A run after the restart sends the rest: nobody lost, nobody twice.
    expect((await dispatcher().tick(new Date(MONDAY_8.getTime() + 60_000))).sent).toBe(6);
    expect(sent.map((f) => f.To).sort()).toEqual(people.sort());
    rows = await store.outboxRows();
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
  });

  it('a run started after shutdown claims nothing', async () => {
    const { subscribe, dispatcher, store } = await setup();
    await subscribe('+447700900400', 'Alpha Hub');
    const sent = twilioAccepts();
    expect((await dispatcher().tick(MONDAY_8, AbortSignal.abort())).sent).toBe(0);
    expect(sent).toEqual([]);
    expect(await store.outboxRows()).toEqual([]);
  });
});
