// Logs people can debug with: one line per response (method, route pattern,
// status, milliseconds), errors with message and stack, and never a number,
// a message body or a query.
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { Bot } from '../src/bot.ts';
import { errSerializer, makeLogger } from '../src/core/log.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import { Subjects } from '../src/store/subject.ts';
import { BASE, SECRET, TOKEN, capturedLog, content, form, messages, signed, sms, tempDir } from './helpers.ts';

const PERSON = '+447700900123';
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** The app with every log line (the bot's and the app's) written to `lines`, as JSON objects. */
async function appWithLog(token: string | null = TOKEN) {
  const { destination, lines, raw } = capturedLog();
  const store = SqliteStore.open(tempDir(), SECRET);
  const { flow, catalogue } = content();
  const bot = new Bot({ flow, catalogue, store, subjects: new Subjects(SECRET), logger: makeLogger('debug', destination) });
  const app = await buildApp({
    bot,
    deliveries: store,
    logDestination: destination,
    logLevel: 'debug',
    twilioAuthToken: token,
    publicBaseUrl: BASE,
    clock: () => new Date('2026-12-04T10:30:00Z'),
  });
  closers.push(() => store.close(), () => app.close());
  const responses = () => lines.filter((l) => l.msg === 'response');
  return { app, store, lines, raw, responses };
}

function expectNoSecrets(raw: string[]): void {
  const all = raw.join('\n');
  expect(all).not.toContain('7700900123');
  expect(all).not.toContain('my private words');
}

describe('one log line per response', () => {
  it('a 404 leaves exactly one line: method, status, no route matched, no URL or query', async () => {
    const { app, responses, raw } = await appWithLog();
    const res = await app.inject({ method: 'GET', url: `/nope?From=${encodeURIComponent(PERSON)}&Body=my+private+words` });
    expect(res.statusCode).toBe(404);
    expect(responses()).toHaveLength(1);
    expect(responses()[0]).toMatchObject({ method: 'GET', route: '(no route)', status: 404 });
    expect(typeof responses()[0].ms).toBe('number');
    expect(raw.join('\n')).not.toContain('/nope');
    expectNoSecrets(raw);
  });

  it('a 415 leaves exactly one line with the route pattern and status, and no body', async () => {
    const { app, responses, raw } = await appWithLog();
    const res = await app.inject({
      method: 'POST',
      url: '/twilio/messages?x=1',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ From: PERSON, Body: 'my private words' }),
    });
    expect(res.statusCode).toBe(415);
    expect(responses()).toHaveLength(1);
    expect(responses()[0]).toMatchObject({ method: 'POST', route: '/twilio/messages', status: 415 });
    expect(raw.join('\n')).not.toContain('x=1');
    expectNoSecrets(raw);
  });

  it('a 413 and a 400 leave one line each', async () => {
    const { app, responses, raw } = await appWithLog();
    expect((await app.inject(signed(sms(PERSON, 'my private words ' + 'x'.repeat(100_000))))).statusCode).toBe(413);
    const noFrom = sms(PERSON, 'my private words');
    delete (noFrom as Record<string, string>).From;
    expect((await app.inject(signed(noFrom))).statusCode).toBe(400);
    expect(responses().map((l) => [l.route, l.status])).toEqual([
      ['/twilio/messages', 413],
      ['/twilio/messages', 400],
    ]);
    expectNoSecrets(raw);
  });

  it('a message answered and a forged one: one line each, 200 and 403', async () => {
    const { app, responses, raw } = await appWithLog();
    const ok = await app.inject(signed(sms(PERSON, 'my private words')));
    expect(ok.statusCode).toBe(200);
    const forged = await app.inject({ ...signed(sms(PERSON, 'FOOD')), payload: form(sms(PERSON, 'my private words')) });
    expect(forged.statusCode).toBe(403);
    expect(responses().map((l) => [l.method, l.route, l.status])).toEqual([
      ['POST', '/twilio/messages', 200],
      ['POST', '/twilio/messages', 403],
    ]);
    expectNoSecrets(raw);
  });
});

describe('errors', () => {
  it('are logged with their message and stack, and the person still gets the apology', async () => {
    const { app, store, lines, raw } = await appWithLog();
    await store.close(); // every query now throws
    const res = await app.inject(signed(sms(PERSON, 'my private words')));
    expect(messages(res.body)[0]).toMatch(/Sorry/);
    const failure = lines.find((l) => l.msg === 'could not handle message: answered with the apology');
    expect(failure).toBeDefined();
    const err = failure!.err as { type: string; message: string; stack: string };
    expect(err.message).toMatch(/database connection is not open/);
    expect(err.stack).toMatch(/\n\s+at /);
    expectNoSecrets(raw);
  });

  it("keep the causes' messages and stacks, mask numbers, and drop whatever else an error carries", () => {
    const cause = Object.assign(new Error(`connect ECONNREFUSED to ${PERSON}`), { config: { data: 'Body=my private words' } });
    const err = Object.assign(new Error('send failed', { cause }), { code: 'E_SEND', request: { body: 'my private words' } });
    const out = errSerializer(err) as Record<string, unknown>;
    expect(out.message).toBe('send failed: connect ECONNREFUSED to [number]');
    expect(out.stack).toMatch(/send failed[\s\S]*caused by: Error: connect ECONNREFUSED to \[number\]/);
    expect(out.code).toBe('E_SEND');
    expect(Object.keys(out).sort()).toEqual(['code', 'message', 'stack', 'type']);
    expect(JSON.stringify(out)).not.toContain('private');
    expect(JSON.stringify(out)).not.toContain('7700900123');
  });
});
