// Several instances of Waymark on one PostgreSQL database: each with its own
// PostgresStore (its own pool), as two servers behind a load balancer would
// be. Twilio may deliver one person's messages to either, and may deliver the
// same message to both; the reminder dispatchers of both run at once.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { Bot } from '../../src/bot.ts';
import { Dispatcher, type TickReport } from '../../src/reminders/dispatcher.ts';
import type { OutgoingMessage, SendResult, Sender } from '../../src/reminders/sender.ts';
import { AddressCipher } from '../../src/store/address-cipher.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { Subjects } from '../../src/store/subject.ts';
import { BASE, SECRET, TOKEN, content, messages, signed, sms } from '../helpers.ts';
import { describePostgres, freshSchema } from './pg-harness.ts';

const HUB = 'portsmouth-refugee-hub'; // Mondays 10:30-12:30

describePostgres('PostgreSQL: several instances', (base) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  /** A fresh schema, and a way to open stores on it (closed after the test). */
  async function database() {
    const { url, drop } = await freshSchema(base);
    cleanups.push(drop);
    return {
      url,
      open: async () => {
        const store = await PostgresStore.open(url, SECRET, { poolSize: 5 });
        cleanups.push(() => store.close());
        return store;
      },
    };
  }

  /** One instance: what src/server.ts builds, on its own store. */
  async function instance(store: PostgresStore, now: () => Date) {
    const { flow, catalogue } = content();
    const logger = pino({ level: 'silent' });
    const bot = new Bot({ flow, catalogue, store, subjects: new Subjects(SECRET), logger });
    const app = await buildApp({ bot, deliveries: store, logger, twilioAuthToken: TOKEN, publicBaseUrl: BASE, clock: now, accountSid: null });
    cleanups.push(() => app.close());
    return app;
  }

  async function twoInstances() {
    const db = await database();
    const now = () => new Date('2026-12-04T10:30:00Z');
    const [sa, sb] = [await db.open(), await db.open()];
    const [a, b] = [await instance(sa, now), await instance(sb, now)];
    return { a, b, sa, sb };
  }

  const say = async (app: FastifyInstance, from: string, text: string) => messages((await app.inject(signed(sms(from, text)))).body);

  describe('several instances on one PostgreSQL database', () => {
    it("one person's messages, alternately to each instance, make one conversation in order", async () => {
      const { a, b, sa } = await twoInstances();
      const who = '+447700900501';
      expect((await say(a, who, 'hi'))[0]).toContain('Welcome');
      expect((await say(b, who, '2'))[0]).toContain('Portsmouth');
      expect((await say(a, who, 'FOOD'))[0]).toMatch(/Portsmouth/);
      const details = await say(b, who, '1');
      expect(details[0]).toContain('Portsmouth Refugee Hub');
      expect((await say(a, who, 'REMIND'))[0]).toContain('Reminder set: Portsmouth Refugee Hub');
      expect((await say(b, who, 'REMINDERS'))[0]).toContain('1 Portsmouth Refugee Hub');
      expect((await sa.activeSubscriptions()).map((s) => s.serviceId)).toEqual([HUB]);
      const subject = new Subjects(SECRET).subject(who);
      expect((await sa.getSession(subject))!.version).toBe(6);
    });

    it('the same MessageSid delivered to both at once: one effect, and both answer the same', async () => {
      const { a, b, sa } = await twoInstances();
      const subject = (n: string) => new Subjects(SECRET).subject(n);
      // A new person (no session row yet), then someone mid-conversation, then a subscription.
      const who = '+447700900502';
      const steps = ['hi', '2', 'FOOD', '1', 'REMIND'];
      for (const [i, text] of steps.entries()) {
        const params = sms(who, text);
        const [ra, rb] = await Promise.all([a.inject(signed(params)), b.inject(signed(params))]);
        expect(ra.statusCode).toBe(200);
        expect(rb.body).toBe(ra.body);
        expect(messages(ra.body)[0]).not.toMatch(/^Sorry, Waymark has a problem/);
        const { rows } = await sa.pool.query('SELECT count(*)::int AS n FROM processed WHERE message_id = $1', [params.MessageSid]);
        expect(rows[0].n).toBe(1);
        expect((await sa.getSession(subject(who)))!.version).toBe(i + 1);
      }
      expect((await sa.activeSubscriptions()).length).toBe(1);
      const { rows } = await sa.pool.query('SELECT count(*)::int AS n FROM subscriptions');
      expect(rows[0].n).toBe(1);
    });

    it('many people at once, each message to a random instance and some to both: every session advances exactly once per message', async () => {
      const { a, b, sa } = await twoInstances();
      const people = Array.from({ length: 20 }, (_, i) => `+4477009006${String(i).padStart(2, '0')}`);
      const script = ['hi', '2', 'FOOD', '1', 'MENU', '1', '0'];
      let seed = 7;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      await Promise.all(
        people.map(async (who) => {
          for (const text of script) {
            const params = sms(who, text);
            const r = rand();
            const targets = r < 0.3 ? [a, b] : r < 0.65 ? [a] : [b];
            const replies = await Promise.all(targets.map((t) => t.inject(signed(params))));
            for (const res of replies) expect(messages(res.body)[0]).not.toMatch(/^Sorry, Waymark has a problem/);
            if (replies.length === 2) expect(replies[1].body).toBe(replies[0].body);
          }
        }),
      );
      const subjects = new Subjects(SECRET);
      for (const who of people) expect((await sa.getSession(subjects.subject(who)))!.version).toBe(script.length);
      const { rows } = await sa.pool.query('SELECT count(*)::int AS n FROM processed');
      expect(rows[0].n).toBe(people.length * script.length);
    });

    it('1,000 due reminders and two dispatchers at once: each sent exactly once, and both did some', async () => {
      const db = await database();
      const setup = await db.open();
      // 1,000 people with a morning reminder for the Hub, made directly.
      const cipher = new AddressCipher(SECRET);
      const subjects = new Subjects(SECRET);
      const numbers = Array.from({ length: 1000 }, (_, i) => `+4477009${String(10000 + i)}`);
      const created = new Date('2026-12-01T12:00:00Z');
      await setup.pool.query(
        `INSERT INTO contacts (subject, address_enc, channel, lang, last_inbound_at)
         SELECT s, a, 'sms', 'en', $3 FROM unnest($1::text[], $2::text[]) AS t(s, a)`,
        [numbers.map((n) => subjects.subject(n)), numbers.map((n) => cipher.encrypt(n)), created],
      );
      await setup.pool.query(
        `INSERT INTO subscriptions (subject, service_id, timing, created_at) SELECT s, $2, 'morning', $3 FROM unnest($1::text[]) AS t(s)`,
        [numbers.map((n) => subjects.subject(n)), HUB, created],
      );

      // A stand-in for Twilio shared by both: records every send, after a small delay.
      const sent: Array<{ to: string; body: string | undefined; by: string }> = [];
      let sids = 0;
      const sender = (by: string): Sender => ({
        live: true,
        async send(msg: OutgoingMessage): Promise<SendResult> {
          await new Promise((r) => setTimeout(r, Math.random() * 2));
          sent.push({ to: msg.to, body: msg.body, by });
          return { sid: `SM${String(++sids).padStart(32, '0')}`, status: 'queued' };
        },
        async sentSince() {
          return [];
        },
      });
      const { flow, catalogue } = content();
      const dispatcher = (store: PostgresStore, worker: string) =>
        new Dispatcher({
          store,
          sender: sender(worker),
          flow,
          catalogue,
          logger: pino({ level: 'silent' }),
          mps: 1000,
          worker,
          whatsappContentSid: null,
          statusCallbackUrl: null,
        });
      const one = dispatcher(await db.open(), 'instance-1');
      const two = dispatcher(await db.open(), 'instance-2');

      const monday8 = new Date('2026-12-07T08:00:00Z'); // 08:00 London, the Hub's Monday
      const reports: TickReport[] = await Promise.all([one.tick(monday8), two.tick(new Date(monday8.getTime() + 1000))]);

      expect(sent).toHaveLength(1000);
      expect(new Set(sent.map((s) => s.to)).size).toBe(1000);
      expect(new Set(sent.map((s) => s.to))).toEqual(new Set(numbers));
      expect(sent.every((s) => s.body?.includes('Portsmouth Refugee Hub'))).toBe(true);
      // Both enqueued the same 1,000 (due → outbox, at once): 1,000 rows in all.
      expect(reports[0].enqueued + reports[1].enqueued).toBe(1000);
      expect(reports[0].sent + reports[1].sent).toBe(1000);
      const byWorker = new Map<string, number>();
      for (const s of sent) byWorker.set(s.by, (byWorker.get(s.by) ?? 0) + 1);
      expect(byWorker.get('instance-1')).toBeGreaterThan(0);
      expect(byWorker.get('instance-2')).toBeGreaterThan(0);
      expect(reports.map((r) => r.sent)).toEqual([byWorker.get('instance-1'), byWorker.get('instance-2')]);

      const rows = await setup.outboxRows();
      expect(rows).toHaveLength(1000);
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.twilioSid)).toBe(true);
      const { rows: claimedBy } = await setup.pool.query<{ claimed_by: string; n: number }>(
        'SELECT claimed_by, count(*)::int AS n FROM outbox GROUP BY claimed_by ORDER BY claimed_by',
      );
      expect(claimedBy).toEqual([
        { claimed_by: 'instance-1', n: byWorker.get('instance-1') },
        { claimed_by: 'instance-2', n: byWorker.get('instance-2') },
      ]);

      // Ticking both again later sends nothing more.
      const later = new Date(monday8.getTime() + 30 * 60_000);
      const again = await Promise.all([one.tick(later), two.tick(later)]);
      expect(again.map((r) => r.sent + r.enqueued)).toEqual([0, 0]);
      expect(sent).toHaveLength(1000);
    });
  });
});
