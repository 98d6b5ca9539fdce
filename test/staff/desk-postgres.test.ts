// The desk on PostgreSQL end to end (the rest of test/staff runs it on
// SQLite): sign in, edit, the bot's answer, a closure, a message queued once
// per subscriber, revert, and a second instance that sees the edit.
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SECRET, messages } from '../helpers.ts';
import { describePostgres, freshSchema } from '../store/pg-harness.ts';
import { DeskClient, EDITOR, makeDesk, serviceFields, type Desk } from './desk-harness.ts';

const HUB = 'portsmouth-refugee-hub';

describePostgres('PostgreSQL', (base) => {
  describe('the staff desk on PostgreSQL', () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    it('edits, closes, messages and reverts, and a second instance answers with the edit', async () => {
      const { url, drop } = await freshSchema(base);
      cleanups.push(drop);
      const now = () => new Date('2026-12-04T10:30:00Z');
      const desk: Desk = await makeDesk({ store: await PostgresStore.open(url, SECRET, { poolSize: 4 }), now });
      cleanups.push(() => desk.close());
      let n = 0;
      const say = async (d: Desk, text: string, from: string) =>
        messages(
          (
            await d.app.inject({
              method: 'POST',
              url: '/twilio/messages',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              payload: new URLSearchParams({ MessageSid: `SM${String(++n).padStart(32, '5')}`, From: from, To: '+447700900000', Body: text, NumMedia: '0' }).toString(),
            })
          ).body,
        ).join('\n');
      const details = async (d: Desk, from: string) => {
        await say(d, 'hi', from);
        await say(d, '2', from);
        await say(d, 'FOOD', from);
        return say(d, '1', from);
      };
      expect(await details(desk, '+447700900901')).toContain('Portsmouth Refugee Hub');
      await say(desk, 'REMIND', '+447700900901');

      const c = new DeskClient(desk.app);
      expect((await c.signIn()).statusCode).toBe(303);
      const page = await c.get(`/staff/services/${HUB}`);
      expect((await c.post(`/staff/services/${HUB}`, serviceFields(page.body, { phone: '023 9200 7788', note: 'phoned them' }))).statusCode).toBe(303);
      expect(await details(desk, '+447700900902')).toContain('023 9200 7788');
      expect((await c.post(`/staff/services/${HUB}/closures`, { date: '2026-12-07' })).statusCode).toBe(303);
      await c.get(`/staff/services/${HUB}`);
      expect((await c.post(`/staff/services/${HUB}/messages`, { message: 'Closed on Monday.' })).statusCode).toBe(303);
      expect((await desk.store.outboxRows()).filter((r) => r.kind === 'staff_message')).toHaveLength(1);

      // A second instance on the same database follows within seconds.
      const other: Desk = await makeDesk({ store: await PostgresStore.open(url, SECRET, { poolSize: 2 }), now });
      cleanups.push(() => other.close());
      other.live.start(200);
      expect(await details(other, '+447700900903')).toContain('023 9200 7788');

      const edit = (await desk.catalogueStore.revisions({ serviceId: HUB })).find((r) => r.action === 'edit')!;
      await c.get('/staff/history');
      expect((await c.post(`/staff/history/${edit.id}/revert`, {})).statusCode).toBe(303);
      const started = Date.now();
      while ((await details(other, `+4477009009${String(10 + (Date.now() % 80)).padStart(2, '0')}`)).includes('023 9200 7788')) {
        expect(Date.now() - started).toBeLessThan(5000);
        await new Promise((r) => setTimeout(r, 100));
      }
      const revs = await other.catalogueStore.revisions({ serviceId: HUB });
      expect(revs.map((r) => [r.action, r.who])).toEqual([
        ['revert', EDITOR],
        ['closure_add', EDITOR],
        ['edit', EDITOR],
      ]);
    });
  });
});
