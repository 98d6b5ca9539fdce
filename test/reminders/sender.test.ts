import net, { type AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LogSender, maskNumber } from '../../src/reminders/sender.ts';
import { SendError, TwilioSender, classifyError, type TwilioSenderOptions } from '../../src/channels/twilio/sender.ts';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const MG = 'MG0123456789abcdef0123456789abcdef';
const API = 'https://api.twilio.com';
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
const BASIC = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;
const TO = '+447700900123';
const WA_TO = 'whatsapp:+447700900123';
const SID = 'SM0123456789abcdef0123456789abcdef';

function sender(opts: Partial<TwilioSenderOptions> = {}): TwilioSender {
  return new TwilioSender({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    smsFrom: '+447700900999',
    whatsappFrom: '+447700900888',
    timeoutMs: 2000,
    ...opts,
  });
}

/** A message resource as the API returns it. */
function message(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sid: SID,
    account_sid: ACCOUNT,
    to: TO,
    from: '+447700900999',
    body: 'Reminder',
    status: 'queued',
    direction: 'outbound-api',
    date_created: 'Fri, 04 Dec 2026 08:00:01 +0000',
    date_updated: 'Fri, 04 Dec 2026 08:00:01 +0000',
    date_sent: null,
    num_segments: '1',
    error_code: null,
    error_message: null,
    uri: `${MESSAGES.replace('.json', '')}/${SID}.json`,
    ...fields,
  };
}

function listPage(messages: Record<string, unknown>[]): Record<string, unknown> {
  return {
    messages,
    end: messages.length - 1,
    first_page_uri: `${MESSAGES}?PageSize=50&Page=0`,
    next_page_uri: null,
    page: 0,
    page_size: 50,
    previous_page_uri: null,
    start: 0,
    uri: `${MESSAGES}?PageSize=50&Page=0`,
  };
}

interface Captured {
  form: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  host: string | undefined;
}

/** Intercept one create on `base` and capture what was sent. */
function interceptCreate(
  base: string,
  status: number,
  payload: object,
  captured: Captured[] = [],
): Captured[] {
  nock(base)
    .post(MESSAGES)
    .reply(function (_uri, body) {
      captured.push({
        form: new URLSearchParams(typeof body === 'string' ? body : ''),
        headers: this.req.headers,
        host: this.req.headers.host as string | undefined,
      });
      return [status, payload];
    });
  return captured;
}

function twilioError(status: number, code: number, text: string): object {
  return { code, message: text, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

describe('maskNumber', () => {
  it('keeps the country code and the last three digits', () => {
    expect(maskNumber('+447700900123')).toBe('+44******123');
    expect(maskNumber('whatsapp:+447700900123')).toBe('whatsapp:+44******123');
  });

  it('hides a short address entirely', () => {
    expect(maskNumber('12345')).toBe('******');
    expect(maskNumber('whatsapp:+4412')).toBe('whatsapp:******');
  });
});

describe('classifyError', () => {
  const c = (status: number | null, code: number | null) => classifyError(new SendError('x', status, code));
  it('maps codes and statuses', () => {
    expect(c(400, 21610)).toBe('opted_out');
    expect(c(400, 21211)).toBe('invalid_number');
    expect(c(400, 21614)).toBe('invalid_number');
    expect(c(429, 20429)).toBe('retry');
    expect(c(429, null)).toBe('retry');
    expect(c(400, 20429)).toBe('retry');
    expect(c(400, 30001)).toBe('retry');
    expect(c(500, null)).toBe('retry');
    expect(c(503, 20500)).toBe('retry');
    expect(c(null, null)).toBe('retry');
    expect(c(400, 21602)).toBe('failed');
    expect(c(400, 63016)).toBe('failed');
    expect(c(401, 20003)).toBe('failed');
    expect(c(404, null)).toBe('failed');
  });
});

describe('TwilioSender.send', () => {
  // Plain nock replies (no Content-Length): the sender must not send an
  // explicit "Connection: keep-alive" header, on which nock 14 hangs
  // (nock/nock#3001); every test here would then time out.
  it('sends an SMS with From, Body, StatusCallback and Basic auth', async () => {
    const captured = interceptCreate(API, 201, message());
    const result = await sender().send({
      to: TO,
      body: 'Reminder: AMC drop-in today 10:00. Reply STOP REMINDERS to stop.',
      statusCallback: 'https://waymark.example.org/twilio/status',
    });
    expect(result).toEqual({ sid: SID, status: 'queued' });
    expect(captured).toHaveLength(1);
    const { form, headers } = captured[0];
    expect(Object.fromEntries(form)).toEqual({
      To: TO,
      From: '+447700900999',
      Body: 'Reminder: AMC drop-in today 10:00. Reply STOP REMINDERS to stop.',
      StatusCallback: 'https://waymark.example.org/twilio/status',
    });
    expect(headers.authorization).toBe(BASIC);
    expect(headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
  });

  it('uses the messaging service when no From is configured', async () => {
    const captured = interceptCreate(API, 201, message());
    await sender({ smsFrom: null, whatsappFrom: null, messagingServiceSid: MG }).send({ to: TO, body: 'Hi' });
    expect(Object.fromEntries(captured[0].form)).toEqual({ To: TO, MessagingServiceSid: MG, Body: 'Hi' });
  });

  it('sends a WhatsApp template with ContentSid and ContentVariables, from a whatsapp: address', async () => {
    const captured = interceptCreate(API, 201, message({ to: WA_TO, status: 'accepted' }));
    const result = await sender().send({
      to: WA_TO,
      contentSid: 'HX0123456789abcdef0123456789abcdef',
      contentVariables: { '1': 'AMC drop-in', '2': '10:00' },
    });
    expect(result).toEqual({ sid: SID, status: 'accepted' });
    const form = captured[0].form;
    expect(form.get('To')).toBe(WA_TO);
    expect(form.get('From')).toBe('whatsapp:+447700900888');
    expect(form.get('ContentSid')).toBe('HX0123456789abcdef0123456789abcdef');
    expect(JSON.parse(form.get('ContentVariables')!)).toEqual({ '1': 'AMC drop-in', '2': '10:00' });
    expect(form.has('Body')).toBe(false);
  });

  it('keeps a whatsapp: prefix given in the configuration', async () => {
    const captured = interceptCreate(API, 201, message());
    await sender({ whatsappFrom: 'whatsapp:+447700900777' }).send({ to: WA_TO, body: 'Hi' });
    expect(captured[0].form.get('From')).toBe('whatsapp:+447700900777');
  });

  it('a 400 with code 21610 is a SendError classified opted_out', async () => {
    interceptCreate(API, 400, twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
    const e = await sender().send({ to: TO, body: 'Hi' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SendError);
    expect((e as SendError).httpStatus).toBe(400);
    expect((e as SendError).code).toBe(21610);
    expect(classifyError(e as SendError)).toBe('opted_out');
    expect((e as SendError).message).not.toContain('900123'); // the number is masked
  });

  it('21211 is invalid_number', async () => {
    interceptCreate(API, 400, twilioError(400, 21211, "The 'To' number is not a valid phone number."));
    const e = (await sender().send({ to: TO, body: 'Hi' }).catch((x: unknown) => x)) as SendError;
    expect(e).toBeInstanceOf(SendError);
    expect(e.code).toBe(21211);
    expect(classifyError(e)).toBe('invalid_number');
  });

  it("masks the number when Twilio's error text quotes it", async () => {
    interceptCreate(API, 400, twilioError(400, 21211, "The 'To' number +447700900123 is not a valid phone number."));
    const e = (await sender().send({ to: TO, body: 'Hi' }).catch((x: unknown) => x)) as SendError;
    expect(e.message).toContain('is not a valid phone number');
    expect(e.message).not.toContain('900123');
  });

  it('429 is retry (and the library does not retry it by itself)', async () => {
    const captured = interceptCreate(API, 429, twilioError(429, 20429, 'Too Many Requests'));
    interceptCreate(API, 201, message(), captured); // would be used by a retry
    const e = (await sender().send({ to: TO, body: 'Hi' }).catch((x: unknown) => x)) as SendError;
    expect(e).toBeInstanceOf(SendError);
    expect(e.httpStatus).toBe(429);
    expect(e.code).toBe(20429);
    expect(classifyError(e)).toBe('retry');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(captured).toHaveLength(1);
    expect(nock.pendingMocks()).toHaveLength(1);
  });

  it('500 is retry, with or without a JSON body', async () => {
    interceptCreate(API, 500, twilioError(500, 20500, 'Internal Server Error'));
    const e1 = (await sender().send({ to: TO, body: 'Hi' }).catch((x: unknown) => x)) as SendError;
    expect(e1).toBeInstanceOf(SendError);
    expect(e1.httpStatus).toBe(500);
    expect(classifyError(e1)).toBe('retry');

    nock(API).post(MESSAGES).reply(502, '<html>Bad gateway</html>', { 'Content-Type': 'text/html' });
    const e2 = (await sender().send({ to: TO, body: 'Hi' }).catch((x: unknown) => x)) as SendError;
    expect(e2).toBeInstanceOf(SendError);
    expect(e2.httpStatus).toBe(502);
    expect(e2.code).toBe(null);
    expect(classifyError(e2)).toBe('retry');
  });

  it('a 400 with code 21602 (body required) is failed', async () => {
    interceptCreate(API, 400, twilioError(400, 21602, 'Message body is required.'));
    const e = (await sender().send({ to: TO, body: '' }).catch((x: unknown) => x)) as SendError;
    expect(e).toBeInstanceOf(SendError);
    expect(e.code).toBe(21602);
    expect(classifyError(e)).toBe('failed');
  });

  it('a network error (dropped connection) is SendError(null, null) → retry', async () => {
    // nock 14's replyWithError never reaches axios (the request just times
    // out, nock/nock#2789), so use a local server that drops every connection.
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    nock.enableNetConnect(`127.0.0.1:${port}`);
    try {
      const e = (await sender({ apiBaseUrl: `http://127.0.0.1:${port}` })
        .send({ to: TO, body: 'Hi' })
        .catch((x: unknown) => x)) as SendError;
      expect(e).toBeInstanceOf(SendError);
      expect(e.httpStatus).toBe(null);
      expect(e.code).toBe(null);
      expect(classifyError(e)).toBe('retry');
    } finally {
      nock.disableNetConnect();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a timeout is SendError(null, null) → retry', async () => {
    nock(API).post(MESSAGES).delay(1000).reply(201, message());
    const e = (await sender({ timeoutMs: 100 })
      .send({ to: TO, body: 'Hi' })
      .catch((x: unknown) => x)) as SendError;
    expect(e).toBeInstanceOf(SendError);
    expect(e.httpStatus).toBe(null);
    expect(classifyError(e)).toBe('retry');
  });

  it('honours apiBaseUrl: the request goes to the other host, same path', async () => {
    const captured = interceptCreate('http://127.0.0.1:9', 201, message({ sid: 'SMstandin' }));
    const result = await sender({ apiBaseUrl: 'http://127.0.0.1:9/' }).send({ to: TO, body: 'Hi' });
    expect(result.sid).toBe('SMstandin');
    expect(captured[0].host).toBe('127.0.0.1:9');
    expect(captured[0].headers.authorization).toBe(BASIC);
  });

  it('honours an apiBaseUrl with a path prefix', async () => {
    const captured: Captured[] = [];
    nock('http://127.0.0.1:9')
      .post(`/twilio${MESSAGES}`)
      .reply(function (_uri, body) {
        captured.push({ form: new URLSearchParams(String(body)), headers: this.req.headers, host: undefined });
        return [201, message()];
      });
    await sender({ apiBaseUrl: 'http://127.0.0.1:9/twilio' }).send({ to: TO, body: 'Hi' });
    expect(captured).toHaveLength(1);
  });

  it('refuses a message with neither body nor contentSid', async () => {
    await expect(sender().send({ to: TO })).rejects.toThrow(/body or a contentSid/);
  });

  it('needs some sender in its configuration', () => {
    expect(() => new TwilioSender({ accountSid: ACCOUNT, authToken: TOKEN })).toThrow(/messagingServiceSid/);
  });
});

describe('TwilioSender.sentSince', () => {
  const since = new Date('2026-12-04T08:00:00Z');
  const body = 'Reminder: AMC drop-in today.';

  function interceptList(messages: Record<string, unknown>[], queries: URLSearchParams[] = []) {
    nock(API)
      .get(MESSAGES)
      .query(true)
      .reply(function (uri) {
        queries.push(new URL(uri, API).searchParams);
        return [200, listPage(messages)];
      });
    return queries;
  }

  it('lists the messages sent through the API since then, oldest first, leaving out older ones and webhook replies', async () => {
    const queries = interceptList([
      message({ sid: 'SMlater', body: 'Something else', date_created: 'Fri, 04 Dec 2026 08:05:00 +0000' }),
      message({ sid: 'SMreply', body: 'A reply', direction: 'outbound-reply', date_created: 'Fri, 04 Dec 2026 08:03:00 +0000' }),
      message({ sid: 'SMfirst', body, status: 'sent', date_created: 'Fri, 04 Dec 2026 08:00:01 +0000', date_sent: 'Fri, 04 Dec 2026 08:00:02 +0000' }),
      message({ sid: 'SMolder', body, date_created: 'Fri, 27 Nov 2026 08:00:01 +0000', date_sent: 'Fri, 27 Nov 2026 08:00:02 +0000' }),
    ]);
    const sent = await sender().sentSince(TO, since);
    expect(sent.map((m) => [m.sid, m.status, m.body])).toEqual([
      ['SMfirst', 'sent', body],
      ['SMlater', 'queued', 'Something else'],
    ]);
    expect(sent[0].createdAt.toISOString()).toBe('2026-12-04T08:00:01.000Z');
    expect(queries).toHaveLength(1);
    expect(queries[0].get('To')).toBe(TO);
    expect(queries[0].get('PageSize')).toBe('50');
  });

  it('includes a queued message (no date_sent yet) by its date_created, and shows an empty body as null', async () => {
    interceptList([message({ sid: 'SMqueued', body: '', status: 'queued', date_sent: null })]);
    expect(await sender().sentSince(TO, since)).toEqual([
      { sid: 'SMqueued', status: 'queued', body: null, createdAt: new Date('2026-12-04T08:00:01Z') },
    ]);
  });

  it('returns nothing for an empty list', async () => {
    interceptList([]);
    expect(await sender().sentSince(TO, since)).toEqual([]);
  });

  it('maps an error to SendError', async () => {
    nock(API).get(MESSAGES).query(true).reply(503, twilioError(503, 20503, 'Service Unavailable'));
    const e = (await sender().sentSince(TO, since).catch((x: unknown) => x)) as SendError;
    expect(e).toBeInstanceOf(SendError);
    expect(classifyError(e)).toBe('retry');
  });

  it('goes to apiBaseUrl too', async () => {
    nock('http://127.0.0.1:9')
      .get(MESSAGES)
      .query(true)
      .reply(200, listPage([message({ sid: 'SMstandin', body })]));
    expect((await sender({ apiBaseUrl: 'http://127.0.0.1:9' }).sentSince(TO, since)).map((m) => m.sid)).toEqual(['SMstandin']);
  });
});

describe('LogSender', () => {
  it('logs what would be sent with the number masked, and is not live', async () => {
    const lines: Array<[string, object]> = [];
    const s = new LogSender((line, fields) => lines.push([line, fields]));
    expect(s.live).toBe(false);
    const result = await s.send({ to: WA_TO, body: 'Hi' });
    expect(result.sid).toMatch(/^LOG[0-9a-f]{32}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0][0]).toBe('would send');
    expect(lines[0][1]).toMatchObject({ to: 'whatsapp:+44******123', sid: result.sid });
    expect(JSON.stringify(lines)).not.toContain('7700900123');
    expect(await s.sentSince(WA_TO, new Date(0))).toEqual([]);
  });

  it('TwilioSender is live', () => {
    expect(sender().live).toBe(true);
  });
});
