// Closures and messages to subscribers from the desk, through the reminders'
// outbox and dispatcher, with Twilio's REST API intercepted by nock.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../helpers.ts';
import { DeskClient, deskDispatcher, makeDesk, type Desk } from './desk-harness.ts';

const ACCOUNT = 'AC' + 'b'.repeat(32);
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
const HUB = 'portsmouth-refugee-hub'; // Mondays
const A = '+447700900601';
const B = '+447700900602';
const GONE = '+447700900603'; // opts out
const WA = 'whatsapp:+447700900604';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

let desk: Desk;
afterEach(async () => desk?.close());

interface Sent {
  To: string;
  Body?: string;
  ContentSid?: string;
}

function twilioAccepts(): Sent[] {
  const sent: Sent[] = [];
  nock('https://api.twilio.com')
    .post(MESSAGES)
    .times(50)
    .reply(201, (_uri, body) => {
      const f = Object.fromEntries(new URLSearchParams(body as string)) as unknown as Sent;
      sent.push(f);
      return { sid: `SM${String(sent.length).padStart(32, '0')}`, status: 'queued', to: f.To, body: f.Body ?? null };
    });
  return sent;
}

async function setup() {
  let clock = new Date('2026-12-04T10:30:00Z'); // a Friday
  desk = await makeDesk({ now: () => clock });
  let n = 0;
  const say = async (text: string, from: string) => {
    const res = await desk.app.inject({
      method: 'POST',
      url: '/twilio/messages',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ MessageSid: `SM${String(++n).padStart(32, '9')}`, From: from, To: '+447700900000', Body: text, NumMedia: '0' }).toString(),
    });
    return messages(res.body);
  };
  const subscribe = async (from: string) => {
    await say('hi', from);
    await say('2', from);
    await say('FOOD', from);
    expect((await say('1', from))[0]).toContain('Portsmouth Refugee Hub');
    expect((await say('REMIND', from))[0]).toContain('Reminder set');
  };
  const dispatcher = deskDispatcher(desk, ACCOUNT);
  const c = new DeskClient(desk.app);
  await c.signIn();
  return { say, subscribe, dispatcher, c, setClock: (d: Date) => (clock = d) };
}

describe('closures', () => {
  it('Add closure: each subscriber gets the "closed" notice exactly once instead of the reminder', async () => {
    const { subscribe, dispatcher, c, setClock, say } = await setup();
    await subscribe(A);
    await c.get(`/staff/services/${HUB}`);
    const added = await c.post(`/staff/services/${HUB}/closures`, { date: '2026-12-07' });
    expect(added.statusCode).toBe(303);
    const page = await c.get(added.headers.location as string);
    expect(page.body).toContain('Closure added');
    expect(page.body).toMatch(/<ul class="closures"><li><span>7 Dec 2026<\/span>/);
    const [rev] = await desk.catalogueStore.revisions({ serviceId: HUB });
    expect([rev.action, rev.fields]).toEqual(['closure_add', ['holiday_schedules']]);

    const sent = twilioAccepts();
    setClock(new Date('2026-12-07T08:00:00Z')); // Monday, 08:00 London
    await dispatcher.tick(new Date('2026-12-07T08:00:00Z'));
    await dispatcher.tick(new Date('2026-12-07T08:05:00Z'));
    expect(sent.map((s) => s.To)).toEqual([A]);
    expect(sent[0].Body).toMatch(/closed/i);
    expect(sent[0].Body).toContain('Portsmouth Refugee Hub');

    // Removing it again (a new sign-in: three days have passed): listed no more.
    await c.signIn();
    await c.get(`/staff/services/${HUB}`);
    const idx = desk.live.current().services.find((s) => s.id === HUB)!.holiday_schedules.findIndex((h) => h.start_date === '2026-12-07');
    expect((await c.post(`/staff/services/${HUB}/closures/remove`, { index: String(idx), date: '2026-12-07' })).statusCode).toBe(303);
    expect(desk.live.current().services.find((s) => s.id === HUB)!.holiday_schedules.some((h) => h.start_date === '2026-12-07')).toBe(false);
    void say;
  });

  it('refuses a date in the past or not a date, and saves nothing', async () => {
    const { c } = await setup();
    await c.get(`/staff/services/${HUB}`);
    const past = await c.post(`/staff/services/${HUB}/closures`, { date: '2026-12-01' });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain('Choose today or a later date');
    const bad = await c.post(`/staff/services/${HUB}/closures`, { date: '2026-13-01' });
    expect(bad.body).toContain('Enter a date');
    expect(await desk.catalogueStore.revisions({ serviceId: HUB })).toEqual([]);
  });
});

describe('status', () => {
  it('Temporarily closed: the bot no longer offers it, and subscribers get the "closed" notice instead of the reminder', async () => {
    const { say, subscribe, dispatcher, c, setClock } = await setup();
    await subscribe(A);
    const page = await c.get(`/staff/services/${HUB}`);
    const { serviceFields } = await import('./desk-harness.ts');
    expect((await c.post(`/staff/services/${HUB}`, serviceFields(page.body, { status: 'temporarily_closed', note: 'the hall is being repaired' }))).statusCode).toBe(303);
    expect((await c.get('/staff')).body).toMatch(/Portsmouth Refugee Hub<\/a><\/td>\s*<td>Portsmouth<\/td>\s*<td><span class="status status-temporarily_closed">Temporarily closed<\/span>/);
    await say('hi', B);
    await say('2', B);
    const food = (await say('FOOD', B)).join('\n');
    expect(food).toContain('Food in Portsmouth');
    expect(food).not.toContain('Portsmouth Refugee Hub');
    const sent = twilioAccepts();
    setClock(new Date('2026-12-07T08:00:00Z'));
    await dispatcher.tick(new Date('2026-12-07T08:00:00Z'));
    expect(sent.map((s) => s.To)).toEqual([A]);
    expect(sent[0].Body).toMatch(/closed/i);
  });
});

describe('Tell subscribers', () => {
  it('previews people and segments, then sends once to each subscriber, never to one who opted out, and shows the counts', async () => {
    const { say, subscribe, dispatcher, c, setClock } = await setup();
    await subscribe(A);
    await subscribe(B);
    await subscribe(GONE);
    expect(await say('STOP', GONE)).toEqual([]);
    await subscribe(WA); // WhatsApp: its last message will be more than 24 hours old when the message goes

    const page = await c.get(`/staff/services/${HUB}`);
    expect(page.body).toContain('3 people get reminders');
    expect(page.body).toMatch(/<label for="message">Message to subscribers<\/label>/);
    const preview = await c.post(`/staff/services/${HUB}/messages/preview`, { message: 'Closed this Monday for a burst pipe. Open again next week.' });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Portsmouth Refugee Hub: Closed this Monday for a burst pipe. Open again next week.');
    expect(preview.body).toMatch(/<dt>People<\/dt><dd>3<\/dd>/);
    expect(preview.body).toMatch(/<dt>Encoding<\/dt><dd>GSM-7/);
    expect(preview.body).toMatch(/<dt>SMS parts each<\/dt><dd>1<\/dd>/);
    expect(preview.body).toMatch(/<dt>Total SMS parts<\/dt><dd>3<\/dd>/);
    const ucs = await c.post(`/staff/services/${HUB}/messages/preview`, { message: 'Closed on Monday – sorry' });
    expect(ucs.body).toMatch(/<dt>Encoding<\/dt><dd>UCS-2/);

    const sentRes = await c.post(`/staff/services/${HUB}/messages`, { message: 'Closed this Monday for a burst pipe. Open again next week.' });
    expect(sentRes.statusCode).toBe(303);
    const sent = twilioAccepts();
    const later = new Date('2026-12-05T12:00:00Z'); // WhatsApp's window has closed for WA
    setClock(later);
    await dispatcher.tick(later);
    await dispatcher.tick(new Date(later.getTime() + 60_000));
    expect(sent.map((s) => s.To).sort()).toEqual([A, B]);
    expect(new Set(sent.map((s) => s.Body))).toEqual(new Set(['Portsmouth Refugee Hub: Closed this Monday for a burst pipe. Open again next week.']));

    await c.signIn(); // a day later
    const after = (await c.get(`/staff/services/${HUB}`)).body;
    // People 3, sent 2, failed 0, waiting 0, not sent 1 (WhatsApp outside 24 hours, no template)
    expect(after).toMatch(/<td class="num">3<\/td><td class="num">2<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">1<\/td>/);
    const audit = await desk.catalogueStore.auditLog();
    expect(audit.find((a) => a.action === 'message to subscribers')?.detail).toContain('queued for 3 people');
  });

  it('sends the same message twice only when it is sent twice: each send is one row per subscriber', async () => {
    const { subscribe, dispatcher, c } = await setup();
    await subscribe(A);
    await c.get(`/staff/services/${HUB}`);
    await c.post(`/staff/services/${HUB}/messages`, { message: 'First.' });
    const sent = twilioAccepts();
    await dispatcher.tick(new Date('2026-12-04T10:31:00Z'));
    await dispatcher.tick(new Date('2026-12-04T10:32:00Z'));
    expect(sent.map((s) => s.Body)).toEqual(['Portsmouth Refugee Hub: First.']);
  });

  it('refuses an empty message and sends nothing', async () => {
    const { subscribe, c } = await setup();
    await subscribe(A);
    await c.get(`/staff/services/${HUB}`);
    const res = await c.post(`/staff/services/${HUB}/messages`, { message: '   ' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Write the message first');
    expect((await desk.store.outboxRows()).filter((r) => r.kind === 'staff_message')).toEqual([]);
  });
});
