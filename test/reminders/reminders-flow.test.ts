// Reminders end to end: subscribe through the signed webhook, then the
// dispatcher, with Twilio's REST API intercepted by nock and a fixed clock.
import nock from 'nock';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue } from '../../src/catalogue/types.ts';
import { Dispatcher } from '../../src/reminders/dispatcher.ts';
import { TwilioSender } from '../../src/channels/twilio/sender.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { SECRET, content, makeApp, messages, signed, sms, tempDir } from '../helpers.ts';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const API = 'https://api.twilio.com';
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
const PERSON = '+447700900321';
const HUB = 'portsmouth-refugee-hub'; // Mondays 10:30-12:30

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

interface Sent {
  To: string;
  Body?: string;
  ContentSid?: string;
  ContentVariables?: string;
  From?: string;
  StatusCallback?: string;
}

/** Intercepts message creation; returns the list of what Twilio was asked to send. */
function twilioAccepts(times = 10): Sent[] {
  const sent: Sent[] = [];
  let n = 0;
  nock(API)
    .post(MESSAGES)
    .times(times)
    .reply(201, (_uri, body) => {
      const fields = Object.fromEntries(new URLSearchParams(body as string)) as unknown as Sent;
      sent.push(fields);
      n++;
      return { sid: `SM${String(n).padStart(32, '0')}`, status: 'queued', to: fields.To, body: fields.Body ?? null };
    });
  return sent;
}

function twilioFails(status: number, code: number, times = 1): void {
  nock(API).post(MESSAGES).times(times).reply(status, { code, message: `error ${code}`, status });
}

async function setup(o: { catalogue?: Catalogue; contentSid?: string | null; dataDir?: string } = {}) {
  const dataDir = o.dataDir ?? tempDir();
  let clock = new Date('2026-12-04T10:30:00Z'); // a Friday
  const made = await makeApp({ dataDir, catalogue: o.catalogue, now: () => clock });
  const { flow } = content();
  const dispatcher = (store: SqliteStore = made.store) =>
    new Dispatcher({
      store,
      sender: new TwilioSender({ accountSid: ACCOUNT, authToken: 'token', smsFrom: '+447700900000', whatsappFrom: '+447700900001' }),
      flow,
      catalogue: o.catalogue ?? content().catalogue,
      logger: pino({ level: 'silent' }),
      mps: 1000,
      worker: 'test',
      whatsappContentSid: o.contentSid ?? null,
      statusCallbackUrl: 'https://waymark.example.org/twilio/status',
      backoffMs: 60_000,
      maxAttempts: 3,
    });
  const say = async (text: string, from = PERSON) => {
    const res = await made.app.inject(signed(sms(from, text)));
    return messages(res.body);
  };
  return { ...made, dispatcher, dataDir, say, setClock: (d: Date) => (clock = d), now: () => clock };
}

/** hi → Portsmouth → FOOD → the Refugee Hub → REMIND [extra] */
async function subscribe(say: (t: string) => Promise<string[]>, extra = '', from?: string) {
  const s = from ? (t: string) => (say as (t: string, f: string) => Promise<string[]>)(t, from) : say;
  await s('hi');
  await s('2');
  await s('FOOD');
  const details = await s('1');
  expect(details[0]).toContain('Portsmouth Refugee Hub');
  expect(details[0]).toContain('Text REMIND');
  return s(`REMIND ${extra}`.trim());
}

describe('subscribing', () => {
  it('confirms the service, the day, when the reminder comes and how to stop', async () => {
    const { say, app, store } = await setup();
    const reply = await subscribe(say);
    expect(reply[0]).toBe(
      'Reminder set: Portsmouth Refugee Hub, Mon. We will text you at 08:00 on the day. REMINDERS to see yours, REMIND OFF to stop.',
    );
    expect((await say('REMINDERS'))[0]).toBe(
      'Your reminders:\n1 Portsmouth Refugee Hub, Mon at 08:00 on the day\nREMIND OFF 1 stops the first, REMIND OFF stops all.',
    );
    expect((await store.activeSubscriptions()).map((s) => s.serviceId)).toEqual([HUB]);
    await app.close();
  });

  it('REMIND EVENING moves it to the evening before; REMIND OFF 1 drops it; never asks for CANCEL, END, QUIT or STOP', async () => {
    const { say, store } = await setup();
    await subscribe(say);
    const evening = await say('REMIND EVENING');
    expect(evening[0]).toContain('at 18:00 the evening before');
    expect((await store.activeSubscriptions())[0].timing).toBe('evening');
    expect((await say('REMIND OFF 2'))[0]).toBe('Reply REMIND OFF and a number from 1 to 1, or REMIND OFF to stop all.');
    expect((await say('REMIND OFF 1'))[0]).toBe('Stopped: reminders for Portsmouth Refugee Hub.');
    expect(await store.activeSubscriptions()).toEqual([]);
    const { flow } = content();
    for (const [name, text] of Object.entries(flow.languages.en.templates)) {
      expect(text, name).not.toMatch(/\b(CANCEL|END|QUIT|STOP|UNSUBSCRIBE|STOPALL|REVOKE|OPTOUT)\b/);
    }
  });

  it('REMIND with no service chosen says how to choose one', async () => {
    const { say } = await setup();
    await say('hi');
    await say('1');
    expect((await say('REMIND'))[0]).toBe('First choose a service: reply MENU, pick one, then text REMIND.');
  });
});

describe('sending', () => {
  it('is due at 08:00 London on the day in winter (08:00Z), sent once, and a second run sends nothing', async () => {
    const { say, dispatcher, store } = await setup();
    await subscribe(say); // Friday 4 Dec; the hub is on Monday 7 Dec
    const d = dispatcher();
    expect((await d.tick(new Date('2026-12-07T07:59:00Z'))).sent).toBe(0);
    const sent = twilioAccepts();
    const r = await d.tick(new Date('2026-12-07T08:00:00Z'));
    expect(r.sent).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0].To).toBe(PERSON);
    expect(sent[0].From).toBe('+447700900000');
    expect(sent[0].StatusCallback).toBe('https://waymark.example.org/twilio/status');
    expect(sent[0].Body).toBe(
      "Reminder: Portsmouth Refugee Hub today 10:30-12:30. St Luke's Church hall, Greetham Street, Southsea. Reply REMIND OFF to stop these reminders.",
    );
    expect((await d.tick(new Date('2026-12-07T08:01:00Z'))).sent).toBe(0);
    expect((await d.tick(new Date('2026-12-07T09:30:00Z'))).sent).toBe(0);
    expect(sent).toHaveLength(1);
    const rows = await store.outboxRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('sent');
    expect(rows[0].twilioSid).toMatch(/^SM/);
  });

  it('is due at 08:00 London in summer time (07:00Z)', async () => {
    const { say, dispatcher } = await setup();
    await subscribe(say); // subscribed in December: the July Monday is after it
    const d = dispatcher();
    const sent = twilioAccepts();
    expect((await d.tick(new Date('2027-07-05T06:59:00Z'))).sent).toBe(0);
    expect((await d.tick(new Date('2027-07-05T07:00:00Z'))).sent).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('on each clock-change day, the evening-before reminder goes at 18:00 London', async () => {
    const { say, dispatcher } = await setup();
    await subscribe(say, 'EVENING');
    const d = dispatcher();
    const sent = twilioAccepts();
    // Sunday 28 Mar 2027: clocks go forward at 01:00Z; 18:00 BST is 17:00Z.
    expect((await d.tick(new Date('2027-03-28T16:59:00Z'))).sent).toBe(0);
    expect((await d.tick(new Date('2027-03-28T17:00:00Z'))).sent).toBe(1);
    // Sunday 31 Oct 2027: clocks go back; 18:00 GMT is 18:00Z.
    expect((await d.tick(new Date('2027-10-31T17:00:00Z'))).sent).toBe(0);
    expect((await d.tick(new Date('2027-10-31T18:00:00Z'))).sent).toBe(1);
    expect(sent).toHaveLength(2);
    for (const s of sent) expect(s.Body).toMatch(/^Reminder: Portsmouth Refugee Hub tomorrow \(Monday\) 10:30-12:30\./);
  });

  /**
   * How the test forces a crash between "claimed" and "sent": it claims the
   * Monday reminder through the store as a dispatcher does, records the body
   * it was about to send, and closes the store without recording a send (the
   * row stays 'sending'). Then it reopens the data directory, as a restart.
   */
  async function crashAfterClaim(body: string) {
    const dataDir = tempDir();
    const first = await setup({ dataDir });
    await subscribe(first.say);
    const at = new Date('2026-12-07T08:00:00Z');
    const { due } = await import('../../src/reminders/due.ts');
    await first.store.enqueue(due(content().catalogue, await first.store.activeSubscriptions(), at), at);
    const [claimed] = await first.store.claim(10, at, 'dead-worker');
    await first.store.prepare(claimed.id, body, 'dead-worker');
    await first.store.close(); // the crash
    return { first, store: SqliteStore.open(dataDir, SECRET) };
  }

  it('neither loses nor doubles a reminder when the dispatcher dies between claiming and recording', async () => {
    const { first, store } = await crashAfterClaim(
      "Reminder: Portsmouth Refugee Hub today 10:30-12:30. St Luke's Church hall, Greetham Street, Southsea. Reply REMIND OFF to stop these reminders.",
    );
    // Twilio never got it. Recovery finds nothing and sends it, once.
    nock(API).get(MESSAGES).query(true).reply(200, { messages: [], next_page_uri: null, page: 0, page_size: 50 });
    const sent = twilioAccepts();
    const later = new Date('2026-12-07T08:05:00Z');
    const r = await first.dispatcher(store).tick(later);
    expect(r.recovered).toBe(1);
    expect(sent).toHaveLength(1);
    expect((await first.dispatcher(store).tick(new Date('2026-12-07T08:10:00Z'))).sent).toBe(0);
    expect(sent).toHaveLength(1);
    await store.close();
  });

  it('recovery marks a reminder sent, without sending again, when Twilio already had it', async () => {
    const body = 'the exact body';
    const { first, store } = await crashAfterClaim(body);
    nock(API)
      .get(MESSAGES)
      .query(true)
      .reply(200, {
        messages: [{ sid: 'SM' + 'f'.repeat(32), to: PERSON, body, status: 'delivered', date_created: 'Mon, 07 Dec 2026 08:00:01 +0000', date_sent: 'Mon, 07 Dec 2026 08:00:02 +0000' }],
        next_page_uri: null,
        page: 0,
        page_size: 50,
      });
    const create = nock(API).post(MESSAGES).reply(201, { sid: 'SMnever', status: 'queued' });
    await first.dispatcher(store).tick(new Date('2026-12-07T08:05:00Z'));
    expect(create.isDone()).toBe(false);
    const rows = await store.outboxRows();
    expect(rows[0].status).toBe('sent');
    expect(rows[0].twilioSid).toBe('SM' + 'f'.repeat(32));
    await store.close();
  });

  it('STOP stops reminders; START resumes them and says so', async () => {
    const { say, dispatcher } = await setup();
    await subscribe(say);
    expect(await say('STOP')).toEqual([]);
    const d = dispatcher();
    const create = nock(API).post(MESSAGES).reply(201, { sid: 'SMx', status: 'queued' });
    expect((await d.tick(new Date('2026-12-07T08:00:00Z'))).sent).toBe(0);
    expect(create.isDone()).toBe(false);
    nock.cleanAll();
    expect((await say('START'))[0]).toBe('You will get texts from Waymark again. Reminders on: 1. Text MENU for help.');
    const sent = twilioAccepts();
    expect((await d.tick(new Date('2026-12-14T08:00:00Z'))).sent).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('21610 from Twilio marks the number opted out and stops', async () => {
    const { say, dispatcher, store } = await setup();
    await subscribe(say);
    twilioFails(400, 21610);
    const d = dispatcher();
    const r = await d.tick(new Date('2026-12-07T08:00:00Z'));
    expect(r.skipped).toBe(1);
    expect(await store.activeSubscriptions()).toEqual([]);
    const create = nock(API).post(MESSAGES).reply(201, { sid: 'SMx', status: 'queued' });
    await d.tick(new Date('2026-12-14T08:00:00Z'));
    expect(create.isDone()).toBe(false);
  });

  it('21211 (not a valid number) drops the subscription', async () => {
    const { say, dispatcher, store } = await setup();
    await subscribe(say);
    twilioFails(400, 21211);
    expect((await dispatcher().tick(new Date('2026-12-07T08:00:00Z'))).failed).toBe(1);
    expect(await store.activeSubscriptions()).toEqual([]);
  });

  it('429 and 500 are retried with backoff, then marked failed; never retried forever', async () => {
    const { say, dispatcher, store } = await setup();
    await subscribe(say);
    const d = dispatcher();
    twilioFails(429, 20429);
    expect((await d.tick(new Date('2026-12-07T08:00:00Z'))).retried).toBe(1);
    // Backoff: not again at once…
    expect((await d.tick(new Date('2026-12-07T08:00:30Z'))).retried).toBe(0);
    twilioFails(500, 0);
    expect((await d.tick(new Date('2026-12-07T08:01:00Z'))).retried).toBe(1);
    twilioFails(503, 0);
    expect((await d.tick(new Date('2026-12-07T08:03:00Z'))).failed).toBe(1);
    const rows = await store.outboxRows();
    expect(rows[0].status).toBe('failed');
    expect(rows[0].attempts).toBe(3);
    expect((await d.tick(new Date('2026-12-07T08:30:00Z'))).failed).toBe(0);
  });

  it('a retry that then succeeds is sent once', async () => {
    const { say, dispatcher } = await setup();
    await subscribe(say);
    const d = dispatcher();
    twilioFails(500, 0);
    await d.tick(new Date('2026-12-07T08:00:00Z'));
    const sent = twilioAccepts();
    expect((await d.tick(new Date('2026-12-07T08:01:00Z'))).sent).toBe(1);
    expect((await d.tick(new Date('2026-12-07T08:05:00Z'))).sent).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('a closure date sends the closure notice instead, once', async () => {
    const catalogue: Catalogue = structuredClone(content().catalogue);
    const hub = catalogue.services.find((s) => s.id === HUB)!;
    hub.holiday_schedules = [{ closed: true, start_date: '2026-12-07', end_date: '2026-12-07', opens_at: null, closes_at: null, note: null }];
    const { say, dispatcher } = await setup({ catalogue });
    await subscribe(say);
    const sent = twilioAccepts();
    const d = dispatcher();
    await d.tick(new Date('2026-12-07T08:00:00Z'));
    await d.tick(new Date('2026-12-07T08:10:00Z'));
    expect(sent.map((s) => s.Body)).toEqual([
      'Portsmouth Refugee Hub is closed on Monday 7/12, so no reminder this week. Reply REMIND OFF to stop these reminders.',
    ]);
  });
});

describe('WhatsApp', () => {
  const WA = 'whatsapp:' + PERSON;
  it('inside 24 hours of their last message: free text from the WhatsApp sender', async () => {
    const { say, dispatcher, setClock } = await setup({ contentSid: 'HX' + 'b'.repeat(32) });
    await subscribe(say as never, '', WA);
    // They text again on Sunday evening: Monday 08:00 is inside the window.
    setClock(new Date('2026-12-06T20:00:00Z'));
    await say('MENU', WA);
    const sent = twilioAccepts();
    expect((await dispatcher().tick(new Date('2026-12-07T08:00:00Z'))).sent).toBe(1);
    expect(sent[0].To).toBe(WA);
    expect(sent[0].From).toBe('whatsapp:+447700900001');
    expect(sent[0].ContentSid).toBeUndefined();
    expect(sent[0].Body).toMatch(/^Reminder: Portsmouth Refugee Hub today 10:30-12:30/);
  });

  it('outside 24 hours: the approved template with ContentSid and ContentVariables', async () => {
    const contentSid = 'HX' + 'b'.repeat(32);
    const { say, dispatcher } = await setup({ contentSid });
    await subscribe(say as never, '', WA);
    const sent = twilioAccepts();
    await dispatcher().tick(new Date('2026-12-07T08:00:00Z')); // 3 days after their last message
    expect(sent).toHaveLength(1);
    expect(sent[0].To).toBe(WA);
    expect(sent[0].From).toBe('whatsapp:+447700900001');
    expect(sent[0].ContentSid).toBe(contentSid);
    expect(sent[0].Body).toBeUndefined();
    expect(JSON.parse(sent[0].ContentVariables!)).toEqual({
      '1': 'Portsmouth Refugee Hub',
      '2': 'Monday 10:30-12:30',
      '3': "St Luke's Church hall, Greetham Street, Southsea",
    });
  });

  it('outside 24 hours with no template configured: not sent, and the reason is recorded', async () => {
    const { say, dispatcher, store } = await setup({ contentSid: null });
    await subscribe(say as never, '', WA);
    const create = nock(API).post(MESSAGES).reply(201, { sid: 'SMx', status: 'queued' });
    expect((await dispatcher().tick(new Date('2026-12-07T08:00:00Z'))).skipped).toBe(1);
    expect(create.isDone()).toBe(false);
    expect((await store.outboxRows())[0].errorCode).toBe('no_whatsapp_template');
  });
});

describe('POST /twilio/status', () => {
  it('records delivered / undelivered / failed per outbox row', async () => {
    const { say, dispatcher, app, store } = await setup();
    await subscribe(say);
    twilioAccepts();
    await dispatcher().tick(new Date('2026-12-07T08:00:00Z'));
    const [row] = await store.outboxRows();
    const res = await app.inject(
      signed({ MessageSid: row.twilioSid!, MessageStatus: 'delivered', AccountSid: 'AC' + '0'.repeat(32) }, '/twilio/status'),
    );
    expect(res.statusCode).toBe(204);
    expect((await store.outboxRows())[0].deliveryStatus).toBe('delivered');
    await app.inject(signed({ MessageSid: row.twilioSid!, MessageStatus: 'undelivered', ErrorCode: '30003' }, '/twilio/status'));
    const after = (await store.outboxRows())[0];
    expect(after.deliveryStatus).toBe('undelivered');
    expect(after.errorCode).toBe('30003');
  });

  it('refuses a forged signature and records nothing', async () => {
    const { say, dispatcher, app, store } = await setup();
    await subscribe(say);
    twilioAccepts();
    await dispatcher().tick(new Date('2026-12-07T08:00:00Z'));
    const [row] = await store.outboxRows();
    const res = await app.inject(signed({ MessageSid: row.twilioSid!, MessageStatus: 'failed' }, '/twilio/status', 'forged-token'));
    expect(res.statusCode).toBe(403);
    expect((await store.outboxRows())[0].deliveryStatus).toBeNull();
  });
});
