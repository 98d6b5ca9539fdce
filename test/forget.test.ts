// FORGET, in every language, and what is deleted by itself as time passes.
import { afterEach, describe, expect, it } from 'vitest';
import { purgeExpired } from '../src/store/retention.ts';
import { Subjects } from '../src/store/subject.ts';
import { SECRET, content, makeApp, messages, signed, sms } from './helpers.ts';

const made: Array<Awaited<ReturnType<typeof makeApp>>> = [];
afterEach(async () => {
  while (made.length) {
    const m = made.pop()!;
    await m.app.close();
    await m.store.close();
  }
});

const TABLES = ['sessions', 'processed', 'contacts', 'subscriptions', 'outbox'];
function rowsAbout(db: import('better-sqlite3').Database, subject: string): Record<string, number> {
  return Object.fromEntries(TABLES.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t} WHERE subject = ?`).get(subject) as { n: number }).n]));
}

describe('FORGET', () => {
  const { flow } = content();
  for (const code of Object.keys(flow.languages)) {
    it(`erases everything about the sender (${code}: "${flow.languages[code].keywords.forget[0]}")`, async () => {
      let t = new Date('2026-12-04T10:30:00Z');
      const m = await makeApp({ now: () => t });
      made.push(m);
      const person = '+447700900444';
      const say = async (text: string) => messages((await m.app.inject(signed(sms(person, text)))).body);
      await say('hi');
      await say('2');
      if (code !== 'en') await m.bot.setLanguage(person, code, t);
      await say('FOOD');
      await say('1');
      await say('REMIND');
      // A reminder row in the outbox too.
      t = new Date('2026-12-07T08:00:00Z');
      const { due } = await import('../src/reminders/due.ts');
      await m.store.enqueue(due(content().catalogue, await m.store.activeSubscriptions(), t), t);
      const subject = new Subjects(SECRET).subject(person);
      expect(rowsAbout(m.store.db, subject)).toMatchObject({ sessions: 1, subscriptions: 1, outbox: 1, contacts: 1 });

      const rtl = ['ar', 'fa', 'ps', 'ckb', 'ur'].includes(code);
      const pack = flow.languages[code];
      // The erase word only asks, and says what will go; nothing is erased yet.
      const asked = await say(pack.keywords.forget.at(-1)!);
      expect(asked).toEqual([rtl ? expect.any(String) : pack.templates.forget_ask.replace('{minutes}', '10')]);
      expect(rowsAbout(m.store.db, subject)).toMatchObject({ sessions: 1, subscriptions: 1, outbox: 1, contacts: 1 });
      // The language's own confirmation, within 10 minutes, erases.
      t = new Date(t.getTime() + 9 * 60_000);
      const reply = await say(pack.keywords.forget_yes.at(-1)!);
      expect(reply).toEqual([rtl ? expect.any(String) : pack.templates.forget_done]);
      expect(rowsAbout(m.store.db, subject)).toEqual({ sessions: 0, processed: 0, contacts: 0, subscriptions: 0, outbox: 0 });
      // And they start again as a stranger.
      expect((await say('hi'))[0]).toContain('Welcome');
    });
  }

  it('FORGET YES more than 10 minutes after FORGET asks again and erases nothing; so does FORGET YES alone', async () => {
    let t = new Date('2026-12-04T10:30:00Z');
    const m = await makeApp({ now: () => t });
    made.push(m);
    const person = '+447700900446';
    const say = async (text: string) => messages((await m.app.inject(signed(sms(person, text)))).body);
    const subject = new Subjects(SECRET).subject(person);
    await say('hi');
    await say('1');
    expect((await say('FORGET YES'))[0]).toMatch(/reply FORGET YES within 10 minutes/);
    await say('FORGET');
    t = new Date(t.getTime() + 11 * 60_000);
    expect((await say('forget yes'))[0]).toMatch(/reply FORGET YES within 10 minutes/);
    expect(rowsAbout(m.store.db, subject).sessions).toBe(1);
    // Anything else in between cancels the request.
    await say('FORGET');
    await say('FOOD');
    expect((await say('FORGET YES'))[0]).toMatch(/reply FORGET YES within 10 minutes/);
    expect(rowsAbout(m.store.db, subject).sessions).toBe(1);
    // YES alone is Twilio's opt-in word, never an erase.
    await say('FORGET');
    await say('YES');
    expect(rowsAbout(m.store.db, subject).sessions).toBe(1);
  });

  it('erase words never fire inside a sentence or with a typo, in any script', async () => {
    const m = await makeApp();
    made.push(m);
    const person = '+447700900447';
    const say = async (text: string) => messages((await m.app.inject(signed(sms(person, text)))).body);
    const subject = new Subjects(SECRET).subject(person);
    await say('hi');
    await say('1');
    for (const text of ['I forgot', 'forgot', 'forget it', 'please forget me now thanks', 'forgett', '我忘记我选的城市了', '请删除我的数据好吗', 'mos më harro', 'não quero esquecer', "j'ai oublié"]) {
      const reply = (await say(text)).join(' ');
      expect(reply, text).not.toMatch(/FORGET YES|deleted everything/);
    }
    expect(rowsAbout(m.store.db, subject).sessions).toBe(1);
  });

  it('"forget it, I need food" does not erase anything', async () => {
    const m = await makeApp();
    made.push(m);
    const say = async (text: string) => messages((await m.app.inject(signed(sms('+447700900445', text)))).body);
    await say('hi');
    await say('1');
    expect((await say('forget it, I really need some food'))[0]).toMatch(/^Food in Southampton/);
  });
});

describe('retention', () => {
  it('deletes idle sessions after SESSION_TTL_DAYS (not those with reminders) and message ids after a day', async () => {
    let t = new Date('2026-12-04T10:30:00Z');
    const m = await makeApp({ now: () => t });
    made.push(m);
    const say = async (who: string, text: string) => m.app.inject(signed(sms(who, text)));
    await say('+447700900001', 'hi'); // idle, no reminders
    for (const x of ['hi', '2', 'FOOD', '1', 'REMIND']) await say('+447700900002', x); // has a reminder
    const subjects = new Subjects(SECRET);
    const idle = subjects.subject('+447700900001');
    const kept = subjects.subject('+447700900002');

    t = new Date('2026-12-05T11:00:00Z'); // a day later: message ids go, sessions stay
    let n = await purgeExpired(m.store, t, 30);
    expect(n.processed).toBe(6);
    expect(n.sessions).toBe(0);

    t = new Date('2027-01-04T11:00:00Z'); // 31 days idle
    n = await purgeExpired(m.store, t, 30);
    expect(n.sessions).toBe(1);
    expect(rowsAbout(m.store.db, idle).sessions).toBe(0);
    expect(rowsAbout(m.store.db, kept)).toMatchObject({ sessions: 1, subscriptions: 1 });
  });
});
