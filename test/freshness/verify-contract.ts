// Asking providers by SMS, end to end, on one database (verify.test.ts runs it
// on SQLite and on PostgreSQL): contacts, the 10:00 weekday request, answers
// through the signed webhook, the 14-day reminder, 28 days unanswered, STOP,
// and exactly once across a crash between claim and send.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ASK, THANKS_OTHER, THANKS_YES } from '../../src/freshness/messages.ts';
import { segmentInfo } from '../../src/text/segments.ts';
import { content } from '../helpers.ts';
import { API, MESSAGES, openFresh, twilioAccepts, type Db, type Fresh } from './harness.ts';

const HUB = 'portsmouth-refugee-hub'; // Mondays 10:30-12:30, no phone
const PROVIDER = '+447700900555';
const PERSON = '+447700900321';
const MON = new Date('2026-12-07T10:00:00Z'); // Monday 7 Dec 2026, 10:00 London (GMT)
const at = (iso: string) => new Date(iso);

export function describeVerification(open: () => Promise<Db>): void {
  let db: Db;
  let f: Fresh;
  beforeAll(() => nock.disableNetConnect());
  afterEach(async () => {
    nock.cleanAll();
    await f?.close();
    await db?.drop();
  });
  afterAll(() => nock.enableNetConnect());

  async function setup(now = MON) {
    db = await open();
    f = await openFresh(db, { now });
    await f.freshness.addContact(HUB, 'Sam at the Hub', PROVIDER, now);
    return f;
  }

  /** Sends the request for the hub at `when` and returns its text. */
  async function asked(when = MON): Promise<string> {
    const sent = twilioAccepts(1);
    const r = await f.verifier().tick(when);
    expect(r.opened).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0].To).toBe(PROVIDER);
    return sent[0].Body!;
  }

  describe('confirmation as data', () => {
    it('keeps every source of the catalogue, and no service starts confirmed', async () => {
      await setup();
      const cat = f.live.current();
      expect(cat.sources).toEqual(content().catalogue.sources);
      expect(cat.services.map((s) => s.provenance)).toEqual(content().catalogue.services.map((s) => s.provenance));
      expect(cat.services.filter((s) => s.assured_date !== undefined)).toEqual([]);
    });

    it('stores the contact number encrypted: the tables never hold it', async () => {
      await setup();
      expect((await f.freshness.contacts(HUB)).map((c) => [c.name, c.address, c.status])).toEqual([['Sam at the Hub', PROVIDER, 'active']]);
      const raw = JSON.stringify(await (f.freshness as unknown as { sql: { all(s: string): Promise<unknown[]> } }).sql.all('SELECT * FROM freshness_contacts'));
      expect(raw).not.toContain('7700900555');
    });
  });

  describe('the request', () => {
    it('goes once, at 10:00 London time on a weekday, saying what Waymark tells people, within 3 segments', async () => {
      await setup();
      const none = twilioAccepts();
      expect((await f.verifier().tick(at('2026-12-07T09:59:00Z'))).opened).toBe(0); // 09:59
      expect((await f.verifier().tick(at('2026-12-05T10:00:00Z'))).opened).toBe(0); // Saturday
      expect(none).toEqual([]);
      nock.cleanAll();
      const body = await asked();
      expect(body).toBe(`Waymark tells people who text us about Portsmouth Refugee Hub:\nOpen: Mon 10:30-12:30\nWhere: St Luke's Church hall, Greetham Street, Southsea\nPhone: no phone listed\n${ASK}`);
      expect(segmentInfo(body).segments).toBeLessThanOrEqual(3);
      // A second request is not sent while one is open.
      const again = twilioAccepts();
      expect((await f.verifier().tick(at('2026-12-07T10:01:00Z'))).opened).toBe(0);
      expect((await f.verifier().tick(at('2026-12-08T10:00:00Z'))).opened).toBe(0);
      expect(again).toEqual([]);
      expect((await f.freshness.outboxRows()).map((r) => [r.key, r.status])).toEqual([[`verify:1`, 'sent']]);
    });

    it('goes at 10:00 British Summer Time after the clocks change (09:00 UTC)', async () => {
      await setup(at('2027-03-29T08:00:00Z'));
      const none = twilioAccepts();
      expect((await f.verifier().tick(at('2027-03-29T08:59:00Z'))).opened).toBe(0);
      expect(none).toEqual([]);
      nock.cleanAll();
      await asked(at('2027-03-29T09:00:00Z')); // Monday 29 Mar 2027, 10:00 BST
    });
  });

  describe("the provider's answer", () => {
    it('YES confirms the service now, by provider SMS, and texters see "Checked"', async () => {
      await setup();
      await asked();
      f.setClock(at('2026-12-07T11:00:00Z'));
      expect(await f.say(PROVIDER, 'yes it is')).toEqual([THANKS_YES]);
      const hub = f.live.current().services.find((s) => s.id === HUB)!;
      expect([hub.assured_date, hub.assured_how, hub.assurer_email, hub.assured_note]).toEqual(['2026-12-07', 'provider_sms', null, 'Sam at the Hub']);
      expect((await f.catalogueStore.revisions({ serviceId: HUB, limit: 1 }))[0].action).toBe('assure');
      expect((await f.freshness.requests()).map((r) => r.status)).toEqual(['confirmed']);
      // The Open Referral feed publishes it as the service's assured_date (the others have none).
      const feed = JSON.parse((await f.app.inject({ method: 'GET', url: '/openreferral/services?per_page=100' })).body) as { contents: Array<{ name: string; assured_date?: string }> };
      expect(feed.contents.filter((s) => s.assured_date).map((s) => [s.name, s.assured_date])).toEqual([['Portsmouth Refugee Hub', '2026-12-07']]);
      // A person asking about it now is told when it was checked.
      await f.say(PERSON, 'hi');
      await f.say(PERSON, '2');
      await f.say(PERSON, 'FOOD');
      const details = (await f.say(PERSON, '1')).join('\n');
      expect(details).toContain('Portsmouth Refugee Hub');
      expect(details + (await f.say(PERSON, 'MORE')).join('\n')).toContain('Checked: Dec 2026');
    });

    for (const word of ['YES', 'Y', 'YES.', 'yes']) {
      it(`"${word}" is a yes`, async () => {
        await setup();
        await asked();
        expect(await f.say(PROVIDER, word)).toEqual([THANKS_YES]);
        expect(f.live.current().services.find((s) => s.id === HUB)!.assured_date).toBe('2026-12-07');
      });
    }

    it('anything else is kept with the service for staff, and confirms nothing', async () => {
      await setup();
      await asked();
      expect(await f.say(PROVIDER, 'Yes but we now open at 11')).toEqual([THANKS_OTHER]);
      const [req] = await f.freshness.requests();
      expect([req.status, req.answerText]).toEqual(['changes', 'Yes but we now open at 11']);
      expect(f.live.current().services.find((s) => s.id === HUB)!.assured_date).toBeUndefined();
      // Its words are not in the logs.
      expect(f.logLines.join('\n')).not.toContain('open at 11');
      expect(f.logLines.join('\n')).not.toContain('7700900555');
    });

    it('an answer that speaks of danger still gets the crisis numbers first', async () => {
      await setup();
      await asked();
      const reply = await f.say(PROVIDER, 'I want to kill myself');
      expect(reply[0]).toContain('999');
      expect(reply.at(-1)).toBe(THANKS_OTHER);
    });

    it('a repeated delivery of the answer gets the same reply, once', async () => {
      await setup();
      await asked();
      const sid = 'SM' + '7'.repeat(32);
      expect(await f.say(PROVIDER, 'We moved', sid)).toEqual([THANKS_OTHER]);
      expect(await f.say(PROVIDER, 'We moved', sid)).toEqual([THANKS_OTHER]);
      expect((await f.freshness.requests()).map((r) => r.status)).toEqual(['changes']);
    });

    it('a provider texting after the answer gets the normal conversation', async () => {
      await setup();
      await asked();
      await f.say(PROVIDER, 'YES');
      const reply = await f.say(PROVIDER, 'FOOD');
      expect(reply.join('\n')).not.toContain('Thank you');
      expect(reply.join('\n')).toMatch(/Southampton|Portsmouth/);
    });

    it('a contact who texts before any request is a person like anyone', async () => {
      await setup();
      const reply = await f.say(PROVIDER, 'YES');
      expect(reply).not.toEqual([THANKS_YES]);
      expect(f.live.current().services.find((s) => s.id === HUB)!.assured_date).toBeUndefined();
    });

    it('STOP still works: it stops verification texts to that number, and is not an answer', async () => {
      await setup();
      await asked();
      expect(await f.say(PROVIDER, 'STOP')).toEqual([]);
      expect((await f.freshness.requests()).map((r) => r.status)).toEqual(['stopped']);
      expect((await f.freshness.contacts(HUB))[0].status).toBe('opted_out');
      const none = twilioAccepts();
      await f.verifier().tick(at('2026-12-21T10:00:00Z')); // 14 days on: no reminder
      await f.verifier().tick(at('2027-03-15T10:00:00Z')); // 98 days on: no new request
      expect(none).toEqual([]);
    });
  });

  describe('no answer', () => {
    it('one reminder after 14 days, none after; at 28 days the request is unanswered', async () => {
      await setup();
      await asked();
      const sent = twilioAccepts();
      expect((await f.verifier().tick(at('2026-12-18T10:00:00Z'))).reminded).toBe(0); // day 11
      expect((await f.verifier().tick(at('2026-12-21T10:00:00Z'))).reminded).toBe(1); // day 14, a Monday
      expect((await f.verifier().tick(at('2026-12-22T10:00:00Z'))).reminded).toBe(0);
      expect(sent).toHaveLength(1);
      expect(sent[0].Body).toMatch(/^Reminder: Waymark tells people who text us about Portsmouth Refugee Hub:/);
      expect(sent[0].Body).toContain(ASK);
      expect(segmentInfo(sent[0].Body!).segments).toBeLessThanOrEqual(3);
      expect((await f.verifier().tick(at('2027-01-04T09:59:00Z'))).expired).toBe(0); // 27 days 23:59
      expect((await f.verifier().tick(at('2027-01-04T10:00:00Z'))).expired).toBe(1);
      expect((await f.freshness.requests()).map((r) => r.status)).toEqual(['unanswered']);
      // An answer now is not taken as one: the number is a person again.
      expect(await f.say(PROVIDER, 'YES')).not.toEqual([THANKS_YES]);
      // Nothing changes for texters but the freshness line: the hub is still offered.
      expect(f.live.current().services.find((s) => s.id === HUB)!.status).toBe('active');
    });
  });

  describe('exactly once', () => {
    /**
     * Opens the request, claims its text and records its body as a sender
     * does, then dies (the process and its database connection) without
     * recording a send; then the server starts again on the same database.
     */
    async function crashAfterClaim(): Promise<string> {
      await setup();
      const contact = (await f.freshness.contacts(HUB))[0];
      await f.freshness.openRequest(HUB, contact, '2026-12-07', MON);
      const [row] = await f.freshness.claim(10, MON, 'dead-worker');
      const { requestText } = await import('../../src/freshness/messages.ts');
      const body = requestText(content().flow, f.live.current().services.find((s) => s.id === HUB)!);
      expect(await f.freshness.prepare(row.id, body, 'dead-worker')).toBe(true);
      await f.close(); // the crash
      f = await openFresh(db, { now: at('2026-12-07T10:05:00Z') });
      expect((await f.freshness.outboxRows()).map((r) => r.status)).toEqual(['sending']);
      return body;
    }

    it('neither loses nor doubles the request when the sender dies between claim and send (Twilio never got it)', async () => {
      await crashAfterClaim();
      nock(API).get(MESSAGES).query(true).reply(200, { messages: [], next_page_uri: null, page: 0, page_size: 50 });
      const sent = twilioAccepts();
      const r = await f.verifier('restarted').tick(at('2026-12-07T10:05:00Z'));
      expect(r.recovered).toBe(1);
      expect(sent).toHaveLength(1);
      expect((await f.verifier('restarted').tick(at('2026-12-07T10:10:00Z'))).sent).toBe(0);
      expect(sent).toHaveLength(1);
    });

    it('marks it sent without sending again when Twilio already had it', async () => {
      const body = await crashAfterClaim();
      nock(API)
        .get(MESSAGES)
        .query(true)
        .reply(200, {
          messages: [{ sid: 'SM' + 'e'.repeat(32), to: PROVIDER, body, status: 'delivered', date_created: 'Mon, 07 Dec 2026 10:00:01 +0000', date_sent: 'Mon, 07 Dec 2026 10:00:02 +0000' }],
          next_page_uri: null,
          page: 0,
          page_size: 50,
        });
      const create = nock(API).post(MESSAGES).reply(201, { sid: 'SMnever', status: 'queued' });
      await f.verifier('restarted').tick(at('2026-12-07T10:05:00Z'));
      expect(create.isDone()).toBe(false);
      const rows = await f.freshness.outboxRows();
      expect([rows[0].status, rows[0].twilioSid]).toEqual(['sent', 'SM' + 'e'.repeat(32)]);
      // The provider can answer it.
      expect(await f.say(PROVIDER, 'YES')).toEqual([THANKS_YES]);
    });

    it('two senders at once send it once', async () => {
      await setup();
      const sent = twilioAccepts();
      const [a, b] = await Promise.all([f.verifier('a').tick(MON), f.verifier('b').tick(MON)]);
      expect(a.opened + b.opened).toBe(1);
      expect(a.sent + b.sent).toBe(1);
      expect(sent).toHaveLength(1);
    });
  });
}
