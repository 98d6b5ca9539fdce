// The subscriptions table is the one truth about a person's reminders. When
// the dispatcher drops a subscription (Twilio 21211: not a mobile) or marks
// the number opted out (21610), what the person sees through the webhook
// follows at once: REMINDERS no longer lists it and it no longer counts
// toward the limit of five. On SQLite and on PostgreSQL.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { Bot } from '../../src/bot.ts';
import { MAX_REMINDERS } from '../../src/conversation/reminder-actions.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { Subjects } from '../../src/store/subject.ts';
import { BASE, SECRET, TOKEN, content, messages, signed, sms, tempDir } from '../helpers.ts';
import { TEST_DATABASE_URL, describePostgres, freshSchema } from '../store/pg-harness.ts';

const PERSON = '+447700900321';
const HUB = 'portsmouth-refugee-hub'; // Mondays 10:30-12:30
const SUBJECT = new Subjects(SECRET).subject(PERSON);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function sqlite(): Promise<Store> {
  const store = SqliteStore.open(tempDir(), SECRET);
  cleanups.push(() => store.close());
  return store;
}

async function postgres(): Promise<Store> {
  const { url, drop } = await freshSchema(TEST_DATABASE_URL!);
  cleanups.push(drop);
  const store = await PostgresStore.open(url, SECRET, { poolSize: 3 });
  cleanups.push(() => store.close());
  return store;
}

async function person(store: Store) {
  const { flow, catalogue } = content();
  const logger = pino({ level: 'silent' });
  const bot = new Bot({ flow, catalogue, store, subjects: new Subjects(SECRET), logger });
  const app = await buildApp({ bot, deliveries: store, logger, twilioAuthToken: TOKEN, publicBaseUrl: BASE, clock: () => new Date('2026-12-04T10:30:00Z'), accountSid: null });
  cleanups.push(() => app.close());
  const say = async (text: string) => messages((await app.inject(signed(sms(PERSON, text)))).body)[0];
  // Four reminders asked for earlier (the store does not check the catalogue),
  // then the hub's through the conversation: five, the most we keep.
  await say('hi');
  const v = (await store.getSession(SUBJECT))!;
  await store.saveTurn({
    subject: SUBJECT,
    messageId: null,
    session: v.data,
    expectedVersion: v.version,
    replies: [],
    at: new Date('2026-12-04T10:29:00Z'),
    effects: ['older-1', 'older-2', 'older-3', 'older-4'].map((service) => ({ type: 'subscribe' as const, service, timing: 'morning' as const })),
    contact: { address: PERSON, channel: 'sms', lang: 'en' },
  });
  await say('2'); // Portsmouth
  expect(await say(hubNumber(await say('FOOD')))).toContain('Portsmouth Refugee Hub');
  expect(await say('REMIND')).toMatch(/^Reminder set: Portsmouth Refugee Hub/);
  const hub = (await store.activeSubscriptions()).find((s) => s.serviceId === HUB)!;
  return { say, hub };
}

/** The number the hub has in a list of services. */
function hubNumber(menu: string): string {
  const n = /^(\d+) Portsmouth Refugee Hub/m.exec(menu)?.[1];
  expect(n, menu).toBeDefined();
  return n!;
}

function listed(reply: string): string[] {
  return reply.split('\n').filter((l) => /^\d /.test(l));
}

function cases(name: string, open: () => Promise<Store>) {
  describe(`one truth for reminders: ${name}`, () => {
    it('after Twilio said "not a mobile" (21211, dropSubscription): REMINDERS no longer lists it and it no longer counts', async () => {
      const store = await open();
      const { say, hub } = await person(store);
      expect(listed(await say('REMINDERS'))).toHaveLength(MAX_REMINDERS);
      expect(await say('REMIND EVENING')).toMatch(/^Reminder set/); // a change of timing is not a new one
      await store.dropSubscription(hub.id);
      const after = listed(await say('REMINDERS'));
      expect(after).toHaveLength(MAX_REMINDERS - 1);
      expect(after.join('\n')).not.toContain('Portsmouth Refugee Hub');
      // Four left, so asking again is a fifth, not "you have 5".
      expect(await say('REMIND')).toMatch(/^Reminder set: Portsmouth Refugee Hub/);
      expect(listed(await say('REMINDERS'))).toHaveLength(MAX_REMINDERS);
      expect((await store.activeSubscriptions()).filter((s) => s.serviceId === HUB)).toHaveLength(1);
    });

    it('after Twilio said the number opted out (21610, markOptedOut): none listed or counted; START brings them back', async () => {
      const store = await open();
      const { say } = await person(store);
      await store.markOptedOut(SUBJECT);
      expect(await say('REMINDERS')).toBe('You have no reminders. Choose a drop-in and text REMIND.');
      expect(await say('REMIND OFF 1')).toBe('You have no reminders. Choose a drop-in and text REMIND.');
      // The session never saw a STOP: START still turns them back on.
      expect(await say('START')).toBe(`You will get texts from Waymark again. Reminders on: ${MAX_REMINDERS}. Text MENU for help.`);
      expect(await store.activeSubscriptions()).toHaveLength(MAX_REMINDERS);
      expect(listed(await say('REMINDERS'))).toHaveLength(MAX_REMINDERS);
    });

    it('a session stored with its own copy of the reminders (before this change) is revived without it: the table decides', async () => {
      const store = await open();
      const { say } = await person(store);
      const v = (await store.getSession(SUBJECT))!;
      const old = { ...(v.data as object), reminders: [{ service: 'ghost', timing: 'morning' }, { service: HUB, timing: 'morning' }] };
      await store.saveTurn({ subject: SUBJECT, messageId: null, session: old, expectedVersion: v.version, replies: [], at: new Date('2026-12-04T10:31:00Z'), effects: [], contact: { address: PERSON, channel: 'sms', lang: 'en' } });
      const list = listed(await say('REMINDERS'));
      expect(list).toHaveLength(MAX_REMINDERS);
      expect(list.join('\n')).not.toContain('ghost');
      expect((await store.getSession(SUBJECT))!.data).not.toHaveProperty('reminders');
    });

    it('REMIND OFF removes it from the table, and REMINDERS says so at once', async () => {
      const store = await open();
      const { say } = await person(store);
      expect(await say('REMIND OFF 5')).toBe('Stopped: reminders for Portsmouth Refugee Hub.');
      expect(listed(await say('REMINDERS'))).toHaveLength(MAX_REMINDERS - 1);
      expect(await say('REMIND OFF')).toBe('All your reminders are stopped.');
      expect(await store.remindersOf(SUBJECT)).toEqual({ list: [], optedOut: false });
      expect(await say('REMINDERS')).toBe('You have no reminders. Choose a drop-in and text REMIND.');
    });
  });
}

cases('SQLite', sqlite);
// Skipped without TEST_DATABASE_URL; failed under REQUIRE_PG=1 (see pg-harness.ts).
describePostgres('PostgreSQL (TEST_DATABASE_URL)', () => cases('PostgreSQL', postgres));
