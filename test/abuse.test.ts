// Abuse and bad actors: floods, forged or replayed requests, other accounts.
import { afterEach, describe, expect, it } from 'vitest';
import { form, makeApp, messages, signed, sms } from './helpers.ts';

const apps: Array<Awaited<ReturnType<typeof makeApp>>> = [];
async function app(o: Parameters<typeof makeApp>[0] = {}) {
  const made = await makeApp(o);
  apps.push(made);
  return made;
}
afterEach(async () => {
  while (apps.length) {
    const a = apps.pop()!;
    await a.app.close();
    await a.store.close();
  }
});

const count = (db: { prepare: (q: string) => { get: () => unknown } }, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('flood control', () => {
  it('throttles one number with a single "slow down" reply, then silence, without slowing anyone else', async () => {
    let t = new Date('2026-12-04T10:30:00Z').getTime();
    const { app: a, store } = await app({ now: () => new Date(t), flood: { perMinute: 10, blockMs: 10 * 60_000 } });
    const flooder = '+447700900666';
    const answers: string[][] = [];
    for (let i = 0; i < 40; i++) {
      t += 100;
      answers.push(messages((await a.inject(signed(sms(flooder, 'FOOD')))).body));
    }
    // (The first answer is the welcome and the line about other languages.)
    expect(answers.slice(0, 10).every((r, i) => r.length === (i === 0 ? 2 : 1) && !/many messages/.test(r[0]))).toBe(true);
    expect(answers[10]).toEqual(['You are sending many messages. Please wait a few minutes. In danger: call 999.']);
    expect(answers.slice(11).every((r) => r.length === 0)).toBe(true);
    // Dropped messages are not recorded.
    expect(count(store.db, 'processed')).toBe(10);
    // But a throttled sender who speaks of danger still gets the crisis numbers (and nothing is recorded).
    t += 100;
    expect(messages((await a.inject(signed(sms(flooder, 'my husband hits me')))).body)).toEqual([
      'If you are in danger call 999. Domestic abuse: National Domestic Abuse Helpline 0808 2000 247, free, 24 hours. Samaritans: 116 123. Mental health crisis: NHS 111, option 2.',
    ]);
    expect(count(store.db, 'processed')).toBe(10);
    // Someone else is answered as usual, at once.
    expect(messages((await a.inject(signed(sms('+447700900777', 'hi')))).body)[0]).toContain('Welcome');
    // After the block, the flooder is answered again.
    t += 11 * 60_000;
    expect(messages((await a.inject(signed(sms(flooder, 'MENU')))).body)[0]).toMatch(/Which city are you in/);
  });
});

describe('forged, missing and replayed signatures; other accounts', () => {
  const ACCOUNT = 'AC' + '0'.repeat(32);

  it('refuses them all and records nothing', async () => {
    const { app: a, store } = await app({ accountSid: ACCOUNT });
    const params = sms('+447700900123', 'FOOD');
    const bad = [
      { ...signed(params), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, // missing
      { ...signed(params), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' } }, // forged
      { ...signed(params), headers: { ...signed(params).headers, 'x-twilio-signature': 'x'.repeat(10_000) } }, // huge
      { ...signed(sms('+447700900123', 'LEGAL')), payload: form(params) }, // a valid signature replayed on another body
      signed({ ...params, AccountSid: 'AC' + '9'.repeat(32) }), // another Twilio account
      signed({ MessageSid: 'SM' + '1'.repeat(32), MessageStatus: 'delivered' }, '/twilio/status', 'forged-token'),
    ];
    for (const req of bad) expect((await a.inject(req)).statusCode).toBe(403);
    expect(count(store.db, 'processed')).toBe(0);
    expect(count(store.db, 'sessions')).toBe(0);
  });

  it('answers a replayed request (same MessageSid) as before and records nothing new', async () => {
    const { app: a, store } = await app({ accountSid: ACCOUNT });
    const req = signed(sms('+447700900123', 'hi'));
    const first = await a.inject(req);
    const before = store.db.prepare('SELECT data FROM sessions').get();
    for (let i = 0; i < 5; i++) expect((await a.inject(req)).body).toBe(first.body);
    expect(count(store.db, 'processed')).toBe(1);
    expect(store.db.prepare('SELECT data FROM sessions').get()).toEqual(before);
  });
});
