import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE, TOKEN, form, makeApp, messages, signed, sms, tempDir } from './helpers.ts';
import { signRequest } from '../src/channels/twilio/verify-signature.ts';
import { segmentInfo } from '../src/text/segments.ts';

const PERSON = '+447700900123';
const apps: Array<{ close: () => Promise<unknown> }> = [];
async function app(o: Parameters<typeof makeApp>[0] = {}) {
  const made = await makeApp(o);
  apps.push(made.app, { close: () => made.store.close() });
  return made;
}
afterEach(async () => {
  while (apps.length) await apps.shift()!.close();
});

describe('POST /twilio/messages', () => {
  it('welcomes a first-time texter and asks for the city, as TwiML', async () => {
    const { app: a } = await app();
    const res = await a.inject(signed(sms(PERSON, 'hello')));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>/);
    const [reply] = messages(res.body);
    expect(reply).toContain('Welcome to Waymark');
    expect(reply).toContain('1 Southampton');
    expect(reply).toContain('2 Portsmouth');
  });

  it('remembers the city and lists food services there', async () => {
    const { app: a } = await app();
    await a.inject(signed(sms(PERSON, 'FOOD')));
    const res = await a.inject(signed(sms(PERSON, '1')));
    const [reply] = messages(res.body);
    expect(reply).toMatch(/^Food in Southampton:/);
    expect(reply).toContain('1 ');
  });

  it('works the same for WhatsApp addresses', async () => {
    const { app: a } = await app();
    await a.inject(signed(sms('whatsapp:' + PERSON, 'hi', { WaId: '447700900123', ProfileName: 'A' })));
    const res = await a.inject(signed(sms('whatsapp:' + PERSON, '2')));
    expect(messages(res.body)[0]).toContain('Portsmouth: what do you need?');
  });

  it('refuses a missing signature with 403 and changes nothing', async () => {
    const { app: a } = await app();
    const req = signed(sms(PERSON, '2'));
    delete (req.headers as Record<string, string>)['x-twilio-signature'];
    expect((await a.inject(req)).statusCode).toBe(403);
    // The person is still new: their next (signed) message gets the welcome.
    const res = await a.inject(signed(sms(PERSON, 'hi')));
    expect(messages(res.body)[0]).toContain('Welcome');
  });

  it('refuses a signature made with another token, or over other fields', async () => {
    const { app: a } = await app();
    expect((await a.inject(signed(sms(PERSON, 'FOOD'), '/twilio/messages', 'wrong-token'))).statusCode).toBe(403);
    const params = sms(PERSON, 'FOOD');
    const req = signed(params);
    req.payload = form({ ...params, Body: 'LEGAL' }); // tampered after signing
    expect((await a.inject(req)).statusCode).toBe(403);
  });

  it('checks the signature against PUBLIC_BASE_URL, not the address the app sees', async () => {
    const { app: a } = await app();
    const params = sms(PERSON, 'FOOD');
    const req = {
      ...signed(params),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signRequest(TOKEN, 'http://localhost:80/twilio/messages', params),
      },
    };
    expect((await a.inject(req)).statusCode).toBe(403);
    expect(BASE.startsWith('https://')).toBe(true);
  });

  it('answers a repeated MessageSid with the same reply and moves the conversation once', async () => {
    const { app: a } = await app();
    await a.inject(signed(sms(PERSON, 'hi')));
    const choose = sms(PERSON, '1');
    const first = await a.inject(signed(choose));
    const again = await a.inject(signed(choose));
    expect(again.body).toBe(first.body);
    // Still on the categories menu: "1" now picks the first category.
    const next = await a.inject(signed(sms(PERSON, '1')));
    expect(messages(next.body)[0]).toMatch(/in Southampton:/);
  });

  it('handles two messages from one person at the same moment one after the other', async () => {
    const { app: a } = await app();
    await a.inject(signed(sms(PERSON, 'hi')));
    const [r1, r2] = await Promise.all([a.inject(signed(sms(PERSON, '1'))), a.inject(signed(sms(PERSON, '1')))]);
    // First "1" chose Southampton; the second chose the first category.
    expect(messages(r1.body)[0]).toContain('Southampton: what do you need?');
    expect(messages(r2.body)[0]).toMatch(/ in Southampton:/);
  });

  it('keeps the session across a restart', async () => {
    const dataDir = tempDir();
    const one = await makeApp({ dataDir });
    await one.app.inject(signed(sms(PERSON, 'hi')));
    await one.app.inject(signed(sms(PERSON, '2')));
    await one.app.close();
    await one.store.close();
    const two = await app({ dataDir });
    const res = await two.app.inject(signed(sms(PERSON, 'MENU')));
    expect(messages(res.body)[0]).toContain('Portsmouth: what do you need?');
  });

  it('never stores the phone number in clear', async () => {
    const dataDir = tempDir();
    const made = await makeApp({ dataDir });
    await made.app.inject(signed(sms(PERSON, 'hi')));
    await made.app.inject(signed(sms(PERSON, '1')));
    await made.app.close();
    await made.store.close();
    for (const f of fs.readdirSync(dataDir)) {
      const bytes = fs.readFileSync(path.join(dataDir, f)).toString('latin1');
      expect(bytes).not.toContain('7700900123');
    }
  });

  it('keeps phone numbers and message bodies out of the logs', async () => {
    const logLines: string[] = [];
    const { app: a } = await app({ logLines });
    await a.inject(signed(sms(PERSON, 'my secret words')));
    await a.inject(signed(sms(PERSON, 'FOOD')));
    expect(logLines.length).toBeGreaterThan(0);
    const all = logLines.join('\n');
    expect(all).not.toContain('7700900123');
    expect(all).not.toContain('secret words');
    expect(all).toMatch(/"sid":"SM/);
    expect(all).toMatch(/"who":"[A-Za-z0-9_-]{8}"/);
  });
});

describe('bad input to the webhook', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['an empty Body', { Body: '' }],
    ['a 10,000-character body', { Body: 'x'.repeat(10_000) }],
    ['binary junk', { Body: '\u0000\u0001\u0002\uFFFD\u001b[31m\u00ff\u0007' }],
    ['emoji', { Body: '🍞🍞 🙏' }],
    ['Arabic script', { Body: 'أحتاج إلى طعام' }],
    ['Farsi script', { Body: 'من به غذا نیاز دارم' }],
    ['a media-only message', { Body: '', NumMedia: '1', MediaUrl0: 'https://api.twilio.com/x', MediaContentType0: 'image/jpeg' }],
  ];
  for (const [name, extra] of cases) {
    it(`answers ${name} with a helpful reply within 3 segments`, async () => {
      const { app: a } = await app();
      await a.inject(signed(sms(PERSON, 'hi')));
      await a.inject(signed(sms(PERSON, '1')));
      const res = await a.inject(signed({ ...sms(PERSON, ''), ...extra }));
      expect(res.statusCode).toBe(200);
      const replies = messages(res.body);
      expect(replies.length).toBeGreaterThan(0);
      for (const r of replies) {
        expect(r.length).toBeGreaterThan(10);
        expect(segmentInfo(r).segments).toBeLessThanOrEqual(3);
      }
      // Arabic-script text is answered in Arabic script (its language picked or offered), not English help.
      expect(replies.join(' ')).toMatch(/script/.test(name) ? /[\u0600-\u06ff]{3}/ : /FOOD|MENU/);
    });
  }

  it('answers a missing Body as an empty message', async () => {
    const { app: a } = await app();
    const params = sms(PERSON, '');
    delete (params as Record<string, string>).Body;
    const res = await a.inject(signed(params));
    expect(res.statusCode).toBe(200);
    expect(messages(res.body)[0]).toContain('Welcome');
  });

  it('refuses a missing From with 400', async () => {
    const { app: a } = await app();
    const params = sms(PERSON, 'FOOD');
    delete (params as Record<string, string>).From;
    const res = await a.inject(signed(params));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/From/);
  });

  it('refuses a JSON body with 415', async () => {
    const { app: a } = await app();
    const res = await a.inject({
      method: 'POST',
      url: '/twilio/messages',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(sms(PERSON, 'FOOD')),
    });
    expect(res.statusCode).toBe(415);
  });

  it('refuses a body over the limit with 413', async () => {
    const { app: a } = await app();
    const res = await a.inject(signed(sms(PERSON, 'x'.repeat(100_000))));
    expect(res.statusCode).toBe(413);
  });

  it('answers an unknown route with 404', async () => {
    const { app: a } = await app();
    expect((await a.inject({ method: 'GET', url: '/nope' })).statusCode).toBe(404);
    expect((await a.inject({ method: 'GET', url: '/twilio/messages' })).statusCode).toBe(404);
  });

  it('in local mode (no token) accepts unsigned requests', async () => {
    const { app: a } = await app({ token: null });
    const res = await a.inject({
      method: 'POST',
      url: '/twilio/messages',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ From: PERSON, Body: 'FOOD' }),
    });
    expect(res.statusCode).toBe(200);
    expect(messages(res.body)[0]).toContain('Which city');
  });

  it('still answers, with an apology, when the store fails', async () => {
    const made = await app();
    await made.store.close(); // every query now throws
    const res = await made.app.inject(signed(sms(PERSON, 'FOOD')));
    expect(res.statusCode).toBe(200);
    expect(messages(res.body)[0]).toMatch(/Sorry.*999/);
  });
});

describe('GET /healthz', () => {
  it('answers 200', async () => {
    const { app: a } = await app();
    const res = await a.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
  });
});
