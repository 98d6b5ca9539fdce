// The Store contract: every implementation (SQLite, PostgreSQL) must pass
// these, so that switching DATABASE_URL changes nothing a person can notice.
// Run by test/store/sqlite.test.ts and test/store/postgres.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Effect } from '../../src/conversation/types.ts';
import type { DueItem } from '../../src/reminders/due.ts';
import type { Store, TurnRecord } from '../../src/store/store.ts';

export const TABLES = ['sessions', 'processed', 'contacts', 'subscriptions', 'outbox'] as const;

export interface StoreHarness {
  store: Store;
  /** Closes every store opened and removes the database (or schema). */
  cleanup: () => Promise<void>;
  /** How many rows each table holds about this subject (FORGET must leave none). */
  rowsAbout: (subject: string) => Promise<Record<(typeof TABLES)[number], number>>;
  /** Every row of every table as text (numbers must never be there in clear). */
  dump: () => Promise<string>;
  /** Another store on the same database, as a second instance would open it; closed by cleanup. */
  another: () => Promise<Store>;
}

const T0 = new Date('2026-12-04T10:30:00.123Z');
const min = (n: number) => new Date(T0.getTime() + n * 60_000);
const ADDRESS = '+447700900123';

let counter = 0;
function msgId(): string {
  counter++;
  return `SMcontract${String(counter).padStart(24, '0')}`;
}

function turn(subject: string, over: Partial<TurnRecord> = {}): TurnRecord {
  return {
    subject,
    messageId: msgId(),
    session: { state: 'start', lang: 'en', n: 1 },
    expectedVersion: 0,
    replies: ['hello'],
    at: T0,
    effects: [],
    contact: { address: ADDRESS, channel: 'sms', lang: 'en' },
    ...over,
  };
}

const subscribe = (service: string, timing: 'morning' | 'evening' = 'morning'): Effect => ({ type: 'subscribe', service, timing });

function item(subscriptionId: number, serviceId: string, date: string, sendAt: Date, kind: DueItem['kind'] = 'reminder'): DueItem {
  return { key: `${subscriptionId}:${date}`, subscriptionId, serviceId, occurrenceDate: date, sendAt, kind };
}

export function describeStore(name: string, open: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(async () => {
      await h.cleanup();
    });

    /** A person with a session (version `turns`) and the given effects on the last turn. */
    async function person(subject: string, effects: Effect[] = [], o: Partial<TurnRecord> = {}): Promise<number> {
      const v = (await store.getSession(subject))?.version ?? 0;
      expect(await store.saveTurn(turn(subject, { expectedVersion: v, effects, ...o }))).toBe('saved');
      return v + 1;
    }

    async function subscribed(subject: string, services: string[], o: Partial<TurnRecord> = {}): Promise<Map<string, number>> {
      await person(subject, services.map((s) => subscribe(s)), o);
      const subs = await store.activeSubscriptions();
      const contacts = await store.subscriptionContacts(subs.map((s) => s.id));
      const mine = new Map<string, number>();
      const address = o.contact?.address ?? ADDRESS;
      for (const s of subs) if (contacts.get(s.id)?.address === address && services.includes(s.serviceId)) mine.set(s.serviceId, s.id);
      expect(mine.size).toBe(services.length);
      return mine;
    }

    describe('sessions and saveTurn', () => {
      it('has no session for a stranger; saves one at version 1, then 2', async () => {
        expect(await store.getSession('a')).toBeNull();
        const first = turn('a', { session: { state: 'city', lang: 'fa', list: [1, 2] } });
        expect(await store.saveTurn(first)).toBe('saved');
        expect(await store.getSession('a')).toEqual({ data: { state: 'city', lang: 'fa', list: [1, 2] }, version: 1 });
        expect(await store.getProcessed(first.messageId!)).toEqual(['hello']);
        expect(await store.saveTurn(turn('a', { expectedVersion: 1, session: { state: 'menu' }, replies: ['a', 'b'] }))).toBe('saved');
        expect(await store.getSession('a')).toEqual({ data: { state: 'menu' }, version: 2 });
      });

      it('keeps non-ASCII text exactly (replies and session)', async () => {
        const t = turn('a', { session: { note: 'غذا ۲ — “x”', emoji: '🙂' }, replies: ['سلام\n\u2066 10:00 \u2069'] });
        await store.saveTurn(t);
        expect((await store.getSession('a'))!.data).toEqual({ note: 'غذا ۲ — “x”', emoji: '🙂' });
        expect(await store.getProcessed(t.messageId!)).toEqual(['سلام\n\u2066 10:00 \u2069']);
      });

      it("'duplicate': a MessageSid handled before writes nothing, even with a current version", async () => {
        const t = turn('a');
        expect(await store.saveTurn(t)).toBe('saved');
        expect(await store.saveTurn({ ...t, expectedVersion: 1, session: { state: 'other' }, replies: ['other'], effects: [subscribe('svc')] })).toBe('duplicate');
        expect(await store.getSession('a')).toEqual({ data: t.session, version: 1 });
        expect(await store.getProcessed(t.messageId!)).toEqual(['hello']);
        expect(await store.activeSubscriptions()).toEqual([]);
      });

      it("'duplicate' is checked before the version ('conflict')", async () => {
        const t = turn('a');
        await store.saveTurn(t);
        await person('a');
        expect(await store.saveTurn({ ...t, expectedVersion: 0 })).toBe('duplicate');
      });

      it("'conflict': the session changed since it was read: nothing is written", async () => {
        await person('a');
        await person('a'); // version 2
        const stale = turn('a', { expectedVersion: 1, session: { state: 'stale' }, effects: [subscribe('svc')] });
        expect(await store.saveTurn(stale)).toBe('conflict');
        expect(await store.getSession('a')).toEqual({ data: { state: 'start', lang: 'en', n: 1 }, version: 2 });
        expect(await store.getProcessed(stale.messageId!)).toBeNull();
        expect(await store.activeSubscriptions()).toEqual([]);
        expect((await h.rowsAbout('a')).contacts).toBe(0);
        // Stepping again from the current version works.
        expect(await store.saveTurn({ ...stale, expectedVersion: 2 })).toBe('saved');
        expect((await store.getSession('a'))!.version).toBe(3);
      });

      it("'conflict' for a second 'first message' (expected 0, a session exists) and for a version ahead", async () => {
        await person('a');
        expect(await store.saveTurn(turn('a', { expectedVersion: 0 }))).toBe('conflict');
        expect(await store.saveTurn(turn('a', { expectedVersion: 5 }))).toBe('conflict');
        expect(await store.saveTurn(turn('b', { expectedVersion: 1 }))).toBe('conflict');
        expect(await store.getSession('b')).toBeNull();
      });

      it('a turn without a MessageSid (the simulator) records no processed id', async () => {
        expect(await store.saveTurn(turn('a', { messageId: null }))).toBe('saved');
        expect(await store.saveTurn(turn('a', { messageId: null, expectedVersion: 1 }))).toBe('saved');
        expect(await h.rowsAbout('a')).toMatchObject({ sessions: 1, processed: 0 });
      });

      it('people do not affect each other', async () => {
        await person('a');
        await person('b');
        await person('b');
        expect((await store.getSession('a'))!.version).toBe(1);
        expect((await store.getSession('b'))!.version).toBe(2);
      });

      it('two instances saving the same version of one person: one is saved, the other told to step again', async () => {
        const other = await h.another();
        await person('a');
        const results = await Promise.all([
          store.saveTurn(turn('a', { expectedVersion: 1, session: { by: 'one' } })),
          other.saveTurn(turn('a', { expectedVersion: 1, session: { by: 'two' } })),
        ]);
        expect(results.sort()).toEqual(['conflict', 'saved']);
        expect((await store.getSession('a'))!.version).toBe(2);
      });

      it('two instances saving a first message of one new person: one saved, one conflict', async () => {
        const other = await h.another();
        const results = await Promise.all([store.saveTurn(turn('new')), other.saveTurn(turn('new'))]);
        expect(results.sort()).toEqual(['conflict', 'saved']);
        expect((await store.getSession('new'))!.version).toBe(1);
      });

      it('one MessageSid saved by two instances at once has one effect', async () => {
        const other = await h.another();
        await person('a');
        const t = turn('a', { expectedVersion: 1, effects: [subscribe('svc')] });
        const results = await Promise.all([store.saveTurn(t), other.saveTurn({ ...t })]);
        expect(results.sort()).toEqual(['duplicate', 'saved']);
        expect((await store.getSession('a'))!.version).toBe(2);
        expect(await h.rowsAbout('a')).toMatchObject({ processed: 2, subscriptions: 1, contacts: 1 });
      });

      it("startTurn after this instance's own turn gives what that turn saved: session, version, reminders", async () => {
        await person('a');
        expect(await store.saveTurn(turn('a', { expectedVersion: 1, session: { state: 'mine', n: 2 }, effects: [subscribe('hub')] }))).toBe('saved');
        const start = await store.startTurn('a', msgId());
        expect(start.repeated).toBeNull();
        expect(start.session).toEqual({ data: { state: 'mine', n: 2 }, version: 2 });
        expect(start.reminders).toEqual({ list: [{ service: 'hub', timing: 'morning' }], optedOut: false });
        // What the engine does to the start it was given changes nothing held.
        (start.session!.data as { n: number }).n = 99;
        start.reminders.list.length = 0;
        expect((await store.startTurn('a', msgId())).session).toEqual({ data: { state: 'mine', n: 2 }, version: 2 });
        expect((await store.startTurn('a', msgId())).reminders.list).toHaveLength(1);
      });

      it('a start made stale by another instance is told to step again, and the next start is the truth', async () => {
        const other = await h.another();
        await person('a');
        await store.startTurn('a', msgId()); // this instance now knows version 1
        expect(await other.saveTurn(turn('a', { expectedVersion: 1, session: { by: 'other' } }))).toBe('saved');
        const stale = await store.startTurn('a', msgId());
        const t = turn('a', { expectedVersion: stale.session?.version ?? 0, session: { by: 'me' }, reminders: stale.reminders });
        expect(await store.saveTurn(t)).toBe('conflict');
        expect(await store.getProcessed(t.messageId!)).toBeNull();
        const fresh = await store.startTurn('a', msgId());
        expect(fresh.session).toEqual({ data: { by: 'other' }, version: 2 });
        expect(await store.saveTurn({ ...t, expectedVersion: 2, reminders: fresh.reminders })).toBe('saved');
        expect((await store.getSession('a'))!.data).toEqual({ by: 'me' });
      });

      it('a start whose reminders changed since (the dispatcher dropped one) is told to step again with the truth', async () => {
        const subs = await subscribed('a', ['hub', 'food']);
        const before = await store.startTurn('a', msgId());
        expect(before.reminders.list.map((r) => r.service)).toEqual(['hub', 'food']);
        await store.dropSubscription(subs.get('food')!); // Twilio: not a mobile
        const t = turn('a', { expectedVersion: before.session!.version, reminders: before.reminders });
        expect(await store.saveTurn(t)).toBe('conflict');
        const after = await store.startTurn('a', msgId());
        expect(after.reminders.list.map((r) => r.service)).toEqual(['hub']);
        expect(await store.saveTurn({ ...t, expectedVersion: after.session!.version, reminders: after.reminders })).toBe('saved');
      });

      it('a repeated MessageSid is found by startTurn after the turn that handled it', async () => {
        const t = turn('a', { replies: ['first answer'] });
        expect(await store.saveTurn(t)).toBe('saved');
        expect((await store.startTurn('a', t.messageId)).repeated ?? (await store.getProcessed(t.messageId!))).toEqual(['first answer']);
      });

      it('turns of several people saved at once (one group commit) each get their own outcome; one failing fails alone', async () => {
        await person('old');
        const dup = turn('dup');
        expect(await store.saveTurn(dup)).toBe('saved');
        const results = await Promise.allSettled([
          store.saveTurn(turn('p1', { effects: [subscribe('hub')] })),
          store.saveTurn(turn('p2')),
          store.saveTurn({ ...dup, expectedVersion: 1 }), // the same MessageSid again
          store.saveTurn(turn('old', { expectedVersion: 0 })), // stale: 'old' is at version 1
          store.saveTurn(turn('bad', { effects: [subscribe('hub')], session: { cannot: 1n } })), // not JSON
          store.saveTurn(turn('p3', { count: null })),
        ]);
        expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed'))).toEqual(['saved', 'saved', 'duplicate', 'conflict', 'failed', 'saved']);
        // The failing turn wrote nothing; the others' writes are all there.
        expect(await h.rowsAbout('bad')).toMatchObject({ sessions: 0, processed: 0, contacts: 0, subscriptions: 0 });
        expect(await h.rowsAbout('p1')).toMatchObject({ sessions: 1, processed: 1, contacts: 1, subscriptions: 1 });
        expect((await store.getSession('p2'))!.version).toBe(1);
        expect((await store.getSession('old'))!.version).toBe(1);
        expect((await store.startTurn('p1', null)).reminders.list).toEqual([{ service: 'hub', timing: 'morning' }]);
      });

      it('many turns of one person from two instances, stepping again on conflict, lose none', async () => {
        const other = await h.another();
        const run = async (s: Store, tag: string) => {
          for (let i = 0; i < 10; i++) {
            for (let attempt = 0; ; attempt++) {
              const cur = await s.getSession('a');
              const n = ((cur?.data as { n?: number } | undefined)?.n ?? 0) + 1;
              const r = await s.saveTurn(turn('a', { expectedVersion: cur?.version ?? 0, session: { n, last: tag } }));
              if (r === 'saved') break;
              expect(r).toBe('conflict');
              expect(attempt).toBeLessThan(100);
            }
          }
        };
        await Promise.all([run(store, 'one'), run(other, 'two')]);
        const s = await store.getSession('a');
        expect(s!.version).toBe(20);
        expect((s!.data as { n: number }).n).toBe(20);
      });
    });

    describe('effects', () => {
      it('subscribe keeps the contact (number encrypted) and lists the subscription', async () => {
        await person('a', [subscribe('hub', 'evening')], { contact: { address: 'whatsapp:+447700900555', channel: 'whatsapp', lang: 'ar' }, at: min(1) });
        const subs = await store.activeSubscriptions();
        expect(subs).toEqual([{ id: expect.any(Number), serviceId: 'hub', timing: 'evening', createdAt: min(1) }]);
        const contacts = await store.subscriptionContacts([subs[0].id, 999_999]);
        expect([...contacts.keys()]).toEqual([subs[0].id]);
        expect(contacts.get(subs[0].id)).toEqual({ address: 'whatsapp:+447700900555', channel: 'whatsapp', lang: 'ar', lastInboundAt: min(1), optedOut: false });
        expect(await h.rowsAbout('a')).toMatchObject({ contacts: 1, subscriptions: 1 });
        const dump = await h.dump();
        expect(dump).not.toContain('447700900555');
        expect(dump).not.toContain('7700900555');
      });

      it('subscribing again to the same service changes its timing (one subscription)', async () => {
        await person('a', [subscribe('hub', 'morning')]);
        await person('a', [subscribe('hub', 'evening')]);
        const subs = await store.activeSubscriptions();
        expect(subs.map((s) => [s.serviceId, s.timing])).toEqual([['hub', 'evening']]);
      });

      it("the contact follows the person's later messages (number, channel, language, time) while they have reminders", async () => {
        await person('a', [subscribe('hub')], { at: min(0) });
        await person('a', [], { contact: { address: 'whatsapp:+447700900999', channel: 'whatsapp', lang: 'so' }, at: min(5) });
        const [sub] = await store.activeSubscriptions();
        expect((await store.subscriptionContacts([sub.id])).get(sub.id)).toEqual({
          address: 'whatsapp:+447700900999',
          channel: 'whatsapp',
          lang: 'so',
          lastInboundAt: min(5),
          optedOut: false,
        });
      });

      it('no contact is kept for a person without reminders', async () => {
        await person('a');
        await person('a');
        expect(await h.rowsAbout('a')).toMatchObject({ sessions: 1, contacts: 0, subscriptions: 0 });
        expect(await h.dump()).not.toContain('7700900123');
      });

      it('unsubscribe one service: its subscription and pending rows go; the contact stays while others remain', async () => {
        const subs = await subscribed('a', ['hub', 'food']);
        await store.enqueue([item(subs.get('hub')!, 'hub', '2026-12-07', min(10)), item(subs.get('food')!, 'food', '2026-12-07', min(10))], T0);
        await person('a', [{ type: 'unsubscribe', service: 'hub' }]);
        expect((await store.activeSubscriptions()).map((s) => s.serviceId)).toEqual(['food']);
        expect((await store.outboxRows()).map((r) => r.serviceId)).toEqual(['food']);
        expect((await h.rowsAbout('a')).contacts).toBe(1);
      });

      it('unsubscribe all: subscriptions, pending rows and the contact go; rows already sent stay', async () => {
        const subs = await subscribed('a', ['hub', 'food']);
        await store.enqueue(
          [item(subs.get('hub')!, 'hub', '2026-12-07', min(-10)), item(subs.get('food')!, 'food', '2026-12-07', min(10)), item(subs.get('food')!, 'food', '2026-12-08', min(20))],
          T0,
        );
        const [claimed] = await store.claim(1, T0, 'w');
        await store.markSent(claimed.id, 'SMsent', T0);
        await person('a', [{ type: 'unsubscribe', service: null }]);
        expect(await store.activeSubscriptions()).toEqual([]);
        expect((await store.outboxRows()).map((r) => [r.key, r.status])).toEqual([[`${subs.get('hub')}:2026-12-07`, 'sent']]);
        expect(await h.rowsAbout('a')).toMatchObject({ contacts: 0, subscriptions: 0, outbox: 1, sessions: 1 });
      });

      it('unsubscribing from a service one does not have changes nothing', async () => {
        await subscribed('a', ['hub']);
        await person('a', [{ type: 'unsubscribe', service: 'other' }]);
        expect((await store.activeSubscriptions()).map((s) => s.serviceId)).toEqual(['hub']);
      });

      it('opt_out: the contact is kept (to remember it) and its subscriptions are no longer active; opt_in restores them', async () => {
        await subscribed('a', ['hub']);
        await subscribed('b', ['food'], { contact: { address: '+447700900002', channel: 'sms', lang: 'en' } });
        await person('a', [{ type: 'opt_out' }]);
        expect((await store.activeSubscriptions()).map((s) => s.serviceId)).toEqual(['food']);
        const [food] = await store.activeSubscriptions();
        expect((await store.subscriptionContacts([food.id])).get(food.id)!.optedOut).toBe(false);
        expect((await h.rowsAbout('a')).contacts).toBe(1);
        await person('a', [{ type: 'opt_in' }]);
        expect((await store.activeSubscriptions()).map((s) => s.serviceId).sort()).toEqual(['food', 'hub']);
      });

      it('opt_out with no reminders left keeps the contact; opt_in then lets it go', async () => {
        await subscribed('a', ['hub']);
        await person('a', [{ type: 'opt_out' }, { type: 'unsubscribe', service: null }]);
        expect(await h.rowsAbout('a')).toMatchObject({ contacts: 1, subscriptions: 0 });
        await person('a', [{ type: 'opt_in' }]);
        expect((await h.rowsAbout('a')).contacts).toBe(0);
      });

      it('opt_out of a person without a contact stores nothing about them', async () => {
        await person('a', [{ type: 'opt_out' }]);
        expect((await h.rowsAbout('a')).contacts).toBe(0);
      });

      it('opt_out reported on claimed rows (the dispatcher skips them)', async () => {
        const subs = await subscribed('a', ['hub']);
        await store.enqueue([item(subs.get('hub')!, 'hub', '2026-12-07', min(-1))], T0);
        await person('a', [{ type: 'opt_out' }]);
        const rows = await store.claim(10, T0, 'w');
        expect(rows.map((r) => r.optedOut)).toEqual([true]);
      });

      it('a forget effect erases every table about the person, the asking message id too, and nobody else', async () => {
        const subs = await subscribed('a', ['hub']);
        await subscribed('b', ['hub'], { contact: { address: '+447700900002', channel: 'sms', lang: 'en' } });
        await store.enqueue([item(subs.get('hub')!, 'hub', '2026-12-07', min(10))], T0);
        const before = await h.rowsAbout('b');
        const v = (await store.getSession('a'))!.version;
        const forget = turn('a', { expectedVersion: v, effects: [{ type: 'forget' }] });
        expect(await store.saveTurn(forget)).toBe('saved');
        expect(await h.rowsAbout('a')).toEqual({ sessions: 0, processed: 0, contacts: 0, subscriptions: 0, outbox: 0 });
        expect(await store.getProcessed(forget.messageId!)).toBeNull();
        expect(await store.getSession('a')).toBeNull();
        expect(await h.rowsAbout('b')).toEqual(before);
        // And they start again as a stranger.
        expect(await store.saveTurn(turn('a'))).toBe('saved');
        expect((await store.getSession('a'))!.version).toBe(1);
      });
    });

    describe('forget()', () => {
      it('erases everything about the person in every table, and nobody else', async () => {
        const subs = await subscribed('a', ['hub', 'food']);
        await subscribed('b', ['hub'], { contact: { address: '+447700900002', channel: 'sms', lang: 'en' } });
        await store.enqueue([item(subs.get('hub')!, 'hub', '2026-12-07', min(-5)), item(subs.get('food')!, 'food', '2026-12-07', min(10))], T0);
        const [r] = await store.claim(1, T0, 'w');
        await store.markSent(r.id, 'SMx', T0);
        await person('a', [{ type: 'opt_out' }]);
        expect(await h.rowsAbout('a')).toEqual({ sessions: 1, processed: 2, contacts: 1, subscriptions: 2, outbox: 2 });
        const before = await h.rowsAbout('b');
        await store.forget('a');
        expect(await h.rowsAbout('a')).toEqual({ sessions: 0, processed: 0, contacts: 0, subscriptions: 0, outbox: 0 });
        expect(await h.rowsAbout('b')).toEqual(before);
        expect(await store.recordDelivery('SMx', 'delivered', null, T0)).toBe(false);
      });

      it('of a stranger does nothing', async () => {
        await store.forget('nobody');
        expect(await h.rowsAbout('nobody')).toEqual({ sessions: 0, processed: 0, contacts: 0, subscriptions: 0, outbox: 0 });
      });
    });

    describe('outbox', () => {
      it('enqueue adds each (subscription, occurrence) once and says how many were new', async () => {
        const subs = await subscribed('a', ['hub', 'food']);
        const hub = subs.get('hub')!;
        const food = subs.get('food')!;
        const items = [item(hub, 'hub', '2026-12-07', min(10)), item(food, 'food', '2026-12-08', min(20), 'closed_notice')];
        expect(await store.enqueue(items, T0)).toBe(2);
        expect(await store.enqueue(items, min(1))).toBe(0);
        expect(await store.enqueue([...items, item(food, 'food', '2026-12-09', min(30))], min(1))).toBe(1);
        expect(await store.enqueue([], T0)).toBe(0);
        // An item whose subscription is gone is not added.
        expect(await store.enqueue([item(999_999, 'hub', '2026-12-07', min(10))], T0)).toBe(0);
        const rows = await store.outboxRows();
        expect(rows.map((r) => r.key)).toEqual([`${hub}:2026-12-07`, `${food}:2026-12-08`, `${food}:2026-12-09`]);
        expect(rows[0]).toEqual({
          id: expect.any(Number),
          key: `${hub}:2026-12-07`,
          subscriptionId: hub,
          subject: 'a',
          serviceId: 'hub',
          timing: 'morning',
          occurrenceDate: '2026-12-07',
          kind: 'reminder',
          sendAt: min(10),
          status: 'pending',
          attempts: 0,
          claimedAt: null,
          body: null,
          twilioSid: null,
          errorCode: null,
          deliveryStatus: null,
        });
        expect(rows[1].kind).toBe('closed_notice');
      });

      it('claim takes due rows in send order, up to the limit, with the decrypted number, and marks them sending', async () => {
        const subs = await subscribed('a', ['hub', 'food', 'gp'], { contact: { address: 'whatsapp:+447700900777', channel: 'whatsapp', lang: 'ti' }, at: min(-60) });
        await store.enqueue(
          [
            item(subs.get('food')!, 'food', '2026-12-07', min(-1)),
            item(subs.get('hub')!, 'hub', '2026-12-07', min(-2)),
            item(subs.get('gp')!, 'gp', '2026-12-07', min(5)), // not due yet
          ],
          min(-3),
        );
        const first = await store.claim(1, T0, 'worker-1');
        expect(first).toHaveLength(1);
        expect(first[0]).toMatchObject({
          serviceId: 'hub',
          status: 'sending',
          attempts: 1,
          claimedAt: T0,
          address: 'whatsapp:+447700900777',
          channel: 'whatsapp',
          lang: 'ti',
          lastInboundAt: min(-60),
          optedOut: false,
          subject: 'a',
        });
        const second = await store.claim(10, T0, 'worker-1');
        expect(second.map((r) => r.serviceId)).toEqual(['food']);
        expect(await store.claim(10, T0, 'worker-1')).toEqual([]);
        expect((await store.claim(10, min(5), 'worker-1')).map((r) => r.serviceId)).toEqual(['gp']);
        expect((await store.outboxRows()).map((r) => r.status)).toEqual(['sending', 'sending', 'sending']);
      });

      it('claim never returns a row twice: repeated, concurrent, and from two instances', async () => {
        const other = await h.another();
        const ids: number[] = [];
        for (let p = 0; p < 6; p++) {
          const subs = await subscribed(`p${p}`, ['s1', 's2', 's3', 's4', 's5'], { contact: { address: `+4477009001${p}0`, channel: 'sms', lang: 'en' } });
          const items = [...subs.entries()].map(([svc, id]) => item(id, svc, '2026-12-07', min(-p)));
          expect(await store.enqueue(items, T0)).toBe(5);
        }
        for (const r of await store.outboxRows()) ids.push(r.id);
        expect(ids).toHaveLength(30);
        const batches = await Promise.all([
          store.claim(4, T0, 'a'),
          other.claim(4, T0, 'b'),
          store.claim(4, T0, 'c'),
          other.claim(4, T0, 'd'),
        ]);
        const rest: number[] = [];
        for (;;) {
          const [x, y] = await Promise.all([store.claim(3, T0, 'e'), other.claim(3, T0, 'f')]);
          if (x.length + y.length === 0) break;
          rest.push(...x.map((r) => r.id), ...y.map((r) => r.id));
        }
        const all = [...batches.flat().map((r) => r.id), ...rest];
        expect(new Set(all).size).toBe(all.length);
        expect([...all].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
        expect((await store.outboxRows()).every((r) => r.status === 'sending' && r.attempts === 1)).toBe(true);
      });

      it('prepare records the body; staleClaims finds rows claimed before a moment; release puts them back', async () => {
        const subs = await subscribed('a', ['hub', 'food']);
        await store.enqueue([item(subs.get('hub')!, 'hub', '2026-12-07', min(-5)), item(subs.get('food')!, 'food', '2026-12-07', min(-4))], T0);
        const [hub] = await store.claim(1, min(0), 'dead');
        const [food] = await store.claim(1, min(3), 'alive');
        expect(await store.prepare(hub.id, 'Reminder: hub today 10:30', 'dead')).toBe(true);
        // Only the worker holding the claim may prepare (and so send) it.
        expect(await store.prepare(food.id, 'not mine', 'dead')).toBe(false);
        const stale = await store.staleClaims(min(2));
        expect(stale.map((r) => [r.id, r.body, r.claimedAt, r.address])).toEqual([[hub.id, 'Reminder: hub today 10:30', min(0), ADDRESS]]);
        expect((await store.staleClaims(min(4))).map((r) => r.id)).toEqual([hub.id, food.id]);
        await store.release(hub.id);
        expect((await store.staleClaims(min(4))).map((r) => r.id)).toEqual([food.id]);
        // Released: the dead worker's late prepare is refused, the row is claimable again.
        expect(await store.prepare(hub.id, 'late', 'dead')).toBe(false);
        const again = await store.claim(10, min(5), 'w');
        expect(again.map((r) => [r.id, r.attempts, r.body])).toEqual([[hub.id, 2, 'Reminder: hub today 10:30']]);
        expect(await store.prepare(hub.id, 'Reminder: hub today 10:30', 'dead')).toBe(false);
        expect(await store.prepare(hub.id, 'Reminder: hub today 10:30', 'w')).toBe(true);
        // release only moves a row that is 'sending'.
        await store.markSent(food.id, 'SMfood', min(5));
        await store.release(food.id);
        expect((await store.outboxRows()).find((r) => r.id === food.id)!.status).toBe('sent');
      });

      it('markSent, recordDelivery (by sid; keeps an error code), markFailed, markSkipped', async () => {
        const subs = await subscribed('a', ['s1', 's2', 's3']);
        await store.enqueue([...subs.entries()].map(([svc, id]) => item(id, svc, '2026-12-07', min(-1))), T0);
        const [r1, r2, r3] = await store.claim(10, T0, 'w');
        await store.markRetry(r1.id, min(1), '20429', T0);
        await store.claim(10, min(1), 'w');
        await store.markSent(r1.id, 'SMone', min(1));
        await store.markFailed(r2.id, '21612', T0);
        await store.markSkipped(r3.id, 'too_late', T0);
        let rows = await store.outboxRows();
        expect(rows.map((r) => [r.status, r.twilioSid, r.errorCode])).toEqual([
          ['sent', 'SMone', null],
          ['failed', null, '21612'],
          ['skipped', null, 'too_late'],
        ]);
        expect(await store.recordDelivery('SMone', 'undelivered', '30003', min(2))).toBe(true);
        expect(await store.recordDelivery('SMone', 'failed', null, min(3))).toBe(true);
        expect(await store.recordDelivery('SMnone', 'delivered', null, min(3))).toBe(false);
        rows = await store.outboxRows();
        expect([rows[0].deliveryStatus, rows[0].errorCode]).toEqual(['failed', '30003']);
      });

      it('markRetry: pending again, not claimable before the next attempt, attempts counted', async () => {
        const subs = await subscribed('a', ['hub']);
        await store.enqueue([item(subs.get('hub')!, 'hub', '2026-12-07', min(-1))], T0);
        const [r] = await store.claim(1, T0, 'w');
        await store.markRetry(r.id, min(2), 'http_503', T0);
        const row = (await store.outboxRows())[0];
        expect([row.status, row.errorCode, row.claimedAt]).toEqual(['pending', 'http_503', null]);
        expect(await store.claim(1, min(1), 'w')).toEqual([]);
        expect(await store.staleClaims(min(100))).toEqual([]);
        const [again] = await store.claim(1, min(2), 'w');
        expect([again.id, again.attempts, again.errorCode]).toEqual([r.id, 2, 'http_503']);
        await store.markSent(again.id, 'SMok', min(2));
        expect((await store.outboxRows())[0].errorCode).toBeNull();
      });

      it("markOptedOut: the person's pending rows are skipped, subscriptions inactive; rows being sent are left alone", async () => {
        const subs = await subscribed('a', ['hub', 'food']);
        await subscribed('b', ['hub'], { contact: { address: '+447700900002', channel: 'sms', lang: 'en' } });
        await store.enqueue([item(subs.get('hub')!, 'hub', '2026-12-07', min(-1)), item(subs.get('food')!, 'food', '2026-12-07', min(10))], T0);
        const [sending] = await store.claim(1, T0, 'w');
        await store.markOptedOut('a');
        const rows = await store.outboxRows();
        expect(rows.map((r) => [r.id, r.status, r.errorCode])).toEqual([
          [sending.id, 'sending', null],
          [rows[1].id, 'skipped', 'opted_out'],
        ]);
        expect((await store.activeSubscriptions()).length).toBe(1);
        const b = (await store.activeSubscriptions())[0];
        expect((await store.subscriptionContacts([b.id])).get(b.id)!.address).toBe('+447700900002');
        expect((await store.subscriptionContacts([subs.get('hub')!])).get(subs.get('hub')!)!.optedOut).toBe(true);
        // The person texts START: active again.
        await person('a', [{ type: 'opt_in' }]);
        expect((await store.activeSubscriptions()).length).toBe(3);
      });

      it("remindersOf: a person's reminders in the order asked; the table is the truth after drop, opt-out and opt-in", async () => {
        expect(await store.remindersOf('a')).toEqual({ list: [], optedOut: false });
        const subs = await subscribed('a', ['hub', 'food', 'gp']);
        await subscribed('b', ['other'], { contact: { address: '+447700900002', channel: 'sms', lang: 'en' } });
        await person('a', [subscribe('hub', 'evening')]); // a new timing keeps its place
        expect(await store.remindersOf('a')).toEqual({
          list: [
            { service: 'hub', timing: 'evening' },
            { service: 'food', timing: 'morning' },
            { service: 'gp', timing: 'morning' },
          ],
          optedOut: false,
        });
        await store.dropSubscription(subs.get('food')!); // Twilio 21211
        expect((await store.remindersOf('a')).list.map((r) => r.service)).toEqual(['hub', 'gp']);
        await store.markOptedOut('a'); // Twilio 21610
        expect(await store.remindersOf('a')).toEqual({ list: [{ service: 'hub', timing: 'evening' }, { service: 'gp', timing: 'morning' }], optedOut: true });
        await person('a', [{ type: 'opt_in' }]);
        expect((await store.remindersOf('a')).optedOut).toBe(false);
        expect(await store.remindersOf('b')).toEqual({ list: [{ service: 'other', timing: 'morning' }], optedOut: false });
        await store.forget('a');
        expect(await store.remindersOf('a')).toEqual({ list: [], optedOut: false });
      });

      it('remindersOf: opted out with none left still says opted out (START must turn it off)', async () => {
        await subscribed('a', ['hub']);
        await person('a', [{ type: 'opt_out' }, { type: 'unsubscribe', service: null }]);
        expect(await store.remindersOf('a')).toEqual({ list: [], optedOut: true });
      });

      it('dropSubscription removes one subscription (a number that is not a mobile)', async () => {
        const subs = await subscribed('a', ['hub', 'food']);
        await store.dropSubscription(subs.get('hub')!);
        await store.dropSubscription(987_654); // unknown: nothing
        expect((await store.activeSubscriptions()).map((s) => s.serviceId)).toEqual(['food']);
        expect((await store.subscriptionContacts([subs.get('hub')!])).size).toBe(0);
        // The last one dropped: the number is not kept for nothing.
        await store.dropSubscription(subs.get('food')!);
        expect((await h.rowsAbout('a')).contacts).toBe(0);
      });

      it('a due row whose number was deleted meanwhile is still claimed (address empty), never stranded', async () => {
        const subs = await subscribed('a', ['hub', 'food']);
        await store.enqueue([item(subs.get('hub')!, 'hub', '2026-12-07', min(-1)), item(subs.get('food')!, 'food', '2026-12-07', min(-1))], T0);
        // Twilio said "not a mobile" for both: the subscriptions and the number go.
        await store.dropSubscription(subs.get('hub')!);
        await store.dropSubscription(subs.get('food')!);
        const claimed = await store.claim(10, T0, 'w');
        expect(claimed.map((r) => [r.serviceId, r.address])).toEqual([
          ['hub', ''],
          ['food', ''],
        ]);
        await store.markSkipped(claimed[0].id, 'no_contact', T0);
        await store.markSkipped(claimed[1].id, 'no_contact', T0);
        expect((await store.outboxRows()).map((r) => r.status)).toEqual(['skipped', 'skipped']);
      });

      it('claim on an empty outbox, and subscriptionContacts of nothing', async () => {
        expect(await store.claim(10, T0, 'w')).toEqual([]);
        expect(await store.staleClaims(T0)).toEqual([]);
        expect((await store.subscriptionContacts([])).size).toBe(0);
        expect(await store.outboxRows()).toEqual([]);
      });
    });

    describe('purge', () => {
      it('deletes idle sessions (not of people with reminders), old message ids and old finished rows', async () => {
        const day = 24 * 3600_000;
        const old = new Date(T0.getTime() - 40 * day);
        await person('idle', [], { at: old });
        const subs = await subscribed('kept', ['hub', 'food', 'gp'], { at: old });
        await person('recent', [], { at: T0 });
        await store.enqueue(
          [
            item(subs.get('hub')!, 'hub', '2026-10-26', old),
            item(subs.get('food')!, 'food', '2026-10-26', old),
            item(subs.get('gp')!, 'gp', '2026-10-26', old),
          ],
          old,
        );
        const [sent, pending] = await store.claim(2, old, 'w');
        await store.markSent(sent.id, 'SMold', old);
        await store.markRetry(pending.id, T0, 'http_500', old); // pending again: kept whatever its age
        const [failed] = await store.claim(1, old, 'w');
        await store.markFailed(failed.id, '21612', T0); // finished recently: kept
        const n = await store.purge({ sessionsBefore: new Date(T0.getTime() - 30 * day), processedBefore: new Date(T0.getTime() - day), outboxBefore: new Date(T0.getTime() - 30 * day) });
        expect(n).toEqual({ sessions: 1, processed: 2, outbox: 1 });
        expect(await store.getSession('idle')).toBeNull();
        expect(await store.getSession('kept')).not.toBeNull();
        expect(await store.getSession('recent')).not.toBeNull();
        expect(await h.rowsAbout('recent')).toMatchObject({ processed: 1 });
        expect((await store.outboxRows()).map((r) => r.status).sort()).toEqual(['failed', 'pending']);
        expect(await store.purge({ sessionsBefore: old, processedBefore: old, outboxBefore: old })).toEqual({ sessions: 0, processed: 0, outbox: 0 });
      });
    });

    it('close() can be called twice', async () => {
      const other = await h.another();
      await other.close();
      await other.close();
    });
  });
}
