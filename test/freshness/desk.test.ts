// The desk's Needs attention page, Mark confirmed, and verification contacts
// on a service's page (masked numbers), on SQLite.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeskClient } from '../staff/desk-harness.ts';
import { openFresh, sqliteDb, twilioAccepts, EDITOR, type Db, type Fresh } from './harness.ts';

const HUB = 'portsmouth-refugee-hub';
const PROVIDER = '+447700900555';
const MON = new Date('2026-12-07T10:00:00Z');

describe('the desk: keeping facts fresh', () => {
  let db: Db;
  let f: Fresh;
  beforeAll(() => nock.disableNetConnect());
  afterEach(async () => {
    nock.cleanAll();
    await f?.close();
    await db?.drop();
  });
  afterAll(() => nock.enableNetConnect());

  async function signedIn() {
    db = sqliteDb();
    f = await openFresh(db, { now: MON });
    const c = new DeskClient(f.app);
    await c.signIn();
    return c;
  }

  it('adds a verification contact on the service page, shows it masked, never whole, and removes it', async () => {
    const c = await signedIn();
    const page = await c.get(`/staff/services/${HUB}`);
    expect(page.body).toContain('Verification contacts');
    const add = await c.post(`/staff/services/${HUB}/contacts`, { name: 'Sam at the Hub', number: '07700 900555' });
    expect(add.statusCode).toBe(303);
    const after = await c.get(add.headers.location as string);
    expect(after.body).toContain('Sam at the Hub, +44******555');
    expect(after.body).not.toContain('7700900555');
    expect(after.body).not.toContain('7700 900555');
    expect((await f.freshness.contacts(HUB)).map((x) => x.address)).toEqual([PROVIDER]);
    const bad = await c.post(`/staff/services/${HUB}/contacts`, { name: 'X', number: '123' });
    expect((await c.get(bad.headers.location as string)).body).toContain('Not added: give a mobile number');
    const [contact] = await f.freshness.contacts(HUB);
    const removed = await c.post(`/staff/services/${HUB}/contacts/remove`, { contact: String(contact.id) });
    expect(removed.statusCode).toBe(303);
    expect(await f.freshness.contacts(HUB)).toEqual([]);
    expect(f.logLines.join('\n')).not.toContain('7700900555');
  });

  it('Needs attention lists unconfirmed services, a provider\'s reply and an unanswered request; Mark confirmed clears them', async () => {
    const c = await signedIn();
    const other = 'all-saints-dropin';
    await f.freshness.addContact(HUB, 'Sam at the Hub', PROVIDER, MON);
    await f.freshness.addContact(other, 'Jo', '+447700900556', MON);
    twilioAccepts(2);
    expect((await f.verifier().tick(MON)).sent).toBe(2);
    expect(await f.say(PROVIDER, 'We open at 11 now, not 10:30')).toEqual(['Thank you, we will update it.']);
    await f.verifier().tick(new Date('2027-01-04T10:00:00Z')); // 28 days: All Saints is unanswered
    f.setClock(new Date('2027-01-04T11:00:00Z'));
    await c.signIn(); // four weeks on: a new session

    const page = (await c.get('/staff/attention')).body;
    expect(page).toContain("Providers' replies waiting (1)");
    expect(page).toContain('We open at 11 now, not 10:30');
    expect(page).toContain('Requests unanswered (1)');
    expect(page).toContain('no answer in 28 days');
    const unconfirmed = Number(/Not confirmed lately \((\d+)\)/.exec(page)![1]);
    expect(unconfirmed).toBe(f.live.current().services.filter((s) => s.status !== 'closed').length);
    expect(page).toContain(`href="/staff/services/${HUB}#facts"`);
    expect(page).not.toContain('7700900');

    const done = await c.post(`/staff/services/${HUB}/assure`, { how: 'staff_phone', note: 'Phoned Sam: 11:00 from January' });
    expect(done.statusCode).toBe(303);
    const hub = f.live.current().services.find((s) => s.id === HUB)!;
    expect([hub.assured_date, hub.assured_how, hub.assurer_email, hub.assured_note]).toEqual(['2027-01-04', 'staff_phone', EDITOR, 'Phoned Sam: 11:00 from January']);
    const after = (await c.get(done.headers.location as string)).body;
    expect(after).toContain('Recorded: confirmed with the organisation today');
    expect(after).toContain("Providers' replies waiting (0)");
    expect(after).toContain(`Not confirmed lately (${unconfirmed - 1})`);
    expect(after).toContain('Requests unanswered (1)');
    // The history shows who confirmed it and how.
    expect((await c.get('/staff/history')).body).toContain('confirmed with the organisation (staff phone)');
  });

  it('needs a signed-in member of staff and a CSRF token', async () => {
    db = sqliteDb();
    f = await openFresh(db, { now: MON });
    const anon = new DeskClient(f.app);
    expect((await anon.get('/staff/attention')).statusCode).toBe(303);
    const c = new DeskClient(f.app);
    await c.signIn();
    const forged = await c.post(`/staff/services/${HUB}/assure`, { how: 'staff_phone', note: 'x' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(f.live.current().services.find((s) => s.id === HUB)!.assured_date).toBeUndefined();
  });
});
