// The staff desk through app.inject (the browser tests drive the same pages in
// Chromium): signing in, what a page without a session does, CSRF, lockout,
// editing a service and the bot's answer, refusing bad input, revert,
// headers, and that no page shows a texter's number.
import { afterEach, describe, expect, it } from 'vitest';
import { IDLE_MS, SIGN_IN_FAILED } from '../../src/staff/auth.ts';
import { messages } from '../helpers.ts';
import { ADMIN, DeskClient, EDITOR, PASSWORD, makeDesk, serviceFields, type Desk } from './desk-harness.ts';

const HUB = 'portsmouth-refugee-hub';
const PERSON = '+447700900555';
let desk: Desk;
afterEach(async () => desk?.close());

async function say(d: Desk, text: string, from = PERSON): Promise<string[]> {
  const res = await d.app.inject({
    method: 'POST',
    url: '/twilio/messages',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`, From: from, To: '+447700900000', Body: text, NumMedia: '0' }).toString(),
  });
  return messages(res.body);
}

/** The hub's details as the bot gives them: hi → Portsmouth → FOOD → the hub (first). */
async function hubDetails(d: Desk, from = PERSON): Promise<string> {
  await say(d, 'hi', from);
  await say(d, '2', from);
  await say(d, 'FOOD', from);
  return (await say(d, '1', from)).join('\n');
}

describe('signing in', () => {
  it('sends every desk page to the sign-in page (303) without a session, and the sign-in page has Email, Password and Sign in', async () => {
    desk = await makeDesk();
    for (const url of ['/staff', '/staff/history', `/staff/services/${HUB}`, '/staff/accounts']) {
      const res = await desk.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe('/staff/login');
    }
    const post = await desk.app.inject({ method: 'POST', url: `/staff/services/${HUB}/confirm`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(post.statusCode).toBe(303);
    const login = await desk.app.inject({ method: 'GET', url: '/staff/login' });
    expect(login.statusCode).toBe(200);
    expect(login.body).toMatch(/<label for="email">Email<\/label>\s*<input type="email" id="email"/);
    expect(login.body).toMatch(/<label for="password">Password<\/label>\s*<input type="password" id="password"/);
    expect(login.body).toContain('<button type="submit">Sign in</button>');
  });

  it('signs in with the right password into an HttpOnly, SameSite=Strict session cookie, and Sign out ends it', async () => {
    desk = await makeDesk();
    const c = new DeskClient(desk.app);
    const res = await c.signIn();
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/staff');
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]).find((s) => s.startsWith('waymark_staff='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/); // PUBLIC_BASE_URL is not https here
    const list = await c.get('/staff');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(EDITOR);
    expect(list.body).toContain('<button type="submit">Sign out</button>');
    const out = await c.post('/staff/logout', {});
    expect(out.statusCode).toBe(303);
    expect((await c.get('/staff')).statusCode).toBe(303);
    expect((await desk.catalogueStore.auditLog()).map((a) => [a.who, a.action])).toEqual([
      [EDITOR, 'signed out'],
      [EDITOR, 'signed in'],
    ]);
  });

  it('ends a session after 8 hours without use', async () => {
    let now = new Date('2026-12-04T09:00:00Z');
    desk = await makeDesk({ now: () => now });
    const c = new DeskClient(desk.app);
    await c.signIn();
    now = new Date(now.getTime() + IDLE_MS - 60_000);
    expect((await c.get('/staff')).statusCode).toBe(200); // used: the idle clock starts again
    now = new Date(now.getTime() + IDLE_MS + 1000);
    expect((await c.get('/staff')).statusCode).toBe(303);
  });

  it('says the same for a wrong password, an unknown email and a locked account, and locks an account after 5 failures for 15 minutes', async () => {
    let now = new Date('2026-12-04T09:00:00Z');
    desk = await makeDesk({ now: () => now });
    const c = new DeskClient(desk.app, '198.51.100.7');
    const unknown = await c.signIn('nobody@example.org', PASSWORD);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toContain(SIGN_IN_FAILED.replace(/'/g, '&#39;'));
    for (let i = 0; i < 5; i++) {
      const res = await c.signIn(EDITOR, 'wrong password!');
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain(SIGN_IN_FAILED.replace(/'/g, '&#39;'));
    }
    // Locked: the right password is refused, with the same words.
    const locked = await c.signIn(EDITOR, PASSWORD);
    expect(locked.statusCode).toBe(401);
    expect(locked.body).toContain(SIGN_IN_FAILED.replace(/'/g, '&#39;'));
    // Someone else in the same office still signs in.
    expect((await new DeskClient(desk.app, '198.51.100.7').signIn(ADMIN, PASSWORD)).statusCode).toBe(303);
    now = new Date(now.getTime() + 14 * 60_000);
    expect((await c.signIn(EDITOR, PASSWORD)).statusCode).toBe(401);
    now = new Date(now.getTime() + 2 * 60_000);
    expect((await c.signIn(EDITOR, PASSWORD)).statusCode).toBe(303);
    expect((await desk.catalogueStore.auditLog()).some((a) => a.who === EDITOR && a.action === 'account locked')).toBe(true);
  });

  it('refuses an address after 20 failed attempts in 15 minutes, whatever the account', async () => {
    desk = await makeDesk({ now: () => new Date('2026-12-04T09:00:00Z') });
    const c = new DeskClient(desk.app, '192.0.2.44');
    for (let i = 0; i < 20; i++) await c.signIn(`guess${i}@example.org`, 'not the password');
    const res = await c.signIn(ADMIN, PASSWORD);
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Too many failed sign-ins from this network');
    expect((await new DeskClient(desk.app, '192.0.2.45').signIn(ADMIN, PASSWORD)).statusCode).toBe(303);
  });
});

describe('CSRF and headers', () => {
  it('refuses a POST without a valid CSRF token with 403 and changes nothing', async () => {
    desk = await makeDesk();
    const c = new DeskClient(desk.app);
    await c.signIn();
    const page = await c.get(`/staff/services/${HUB}`);
    const before = desk.live.version;
    const fields = serviceFields(page.body, { phone: '023 9200 0000', note: 'phoned them' });
    const none = await c.post(`/staff/services/${HUB}`, fields, { csrf: false });
    expect(none.statusCode).toBe(403);
    expect(none.body).toContain('This form has expired');
    const forged = await c.post(`/staff/services/${HUB}`, { ...fields, _csrf: 'forged-token' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(await desk.catalogueStore.catalogueVersion()).toBe(before);
    expect(await desk.catalogueStore.revisions({ serviceId: HUB })).toEqual([]);
    // A login without a token is refused too.
    const login = await desk.app.inject({ method: 'POST', url: '/staff/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `email=${ADMIN}&password=${encodeURIComponent(PASSWORD)}` });
    expect(login.statusCode).toBe(403);
  });

  it('sends a CSP without scripts, DENY framing and no-store on desk pages, and Secure cookies when the public URL is https', async () => {
    desk = await makeDesk();
    const res = await desk.app.inject({ method: 'GET', url: '/staff/login' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    await desk.close();

    const { makeDesk: make } = await import('./desk-harness.ts');
    desk = await make({ secureCookies: true });
    const c = new DeskClient(desk.app);
    const signedIn = await c.signIn();
    const cookies = ([] as string[]).concat(signedIn.headers['set-cookie'] as string[]);
    expect(cookies.find((s) => s.startsWith('waymark_staff='))).toMatch(/; Secure/);
  });
});

describe('editing a service', () => {
  it('saves a new phone number: the bot gives it at once, and the revision says who, which field, old and new, and the source note', async () => {
    desk = await makeDesk();
    expect(await hubDetails(desk)).not.toContain('023 9200 0000');
    const c = new DeskClient(desk.app);
    await c.signIn();
    const page = await c.get(`/staff/services/${HUB}`);
    expect(page.body).toMatch(/<label for="phone">Phone<\/label>/);
    const oldPhone = desk.live.current().services.find((s) => s.id === HUB)!.phones?.[0]?.number ?? null;
    const res = await c.post(`/staff/services/${HUB}`, serviceFields(page.body, { phone: '023 9200 0000', note: 'phoned the hub on Monday' }));
    expect(res.statusCode).toBe(303);
    expect((await c.get(res.headers.location as string)).body).toContain('Saved.');
    expect(await hubDetails(desk, '+447700900556')).toContain('023 9200 0000');
    const [rev] = await desk.catalogueStore.revisions({ serviceId: HUB });
    expect(rev.who).toBe(EDITOR);
    expect(rev.action).toBe('edit');
    expect(rev.fields).toEqual(expect.arrayContaining(['phones', 'provenance.phones']));
    expect((rev.old.phones as Array<{ number: string }> | null)?.[0]?.number ?? null).toBe(oldPhone);
    expect((rev.new.phones as Array<{ number: string }>)[0].number).toBe('023 9200 0000');
    expect(rev.note).toBe('phoned the hub on Monday');
    // The new fact names its source and the day it was checked.
    const svc = desk.live.current().services.find((s) => s.id === HUB)!;
    const src = svc.provenance.phones!.sources[0];
    expect(desk.live.current().sources[src].title).toContain('phoned the hub on Monday');
  });

  it.each([
    ['a time like 10am', { 'opens-0': '10am' }, 'opens-0', 'Enter a time like 09:30'],
    ['an unknown day', { 'day-0': 'XX' }, 'day-0', 'Choose a day of the week'],
    ['a malformed postcode', { postcode: 'PO1 XYZ' }, 'postcode', 'Enter a UK postcode'],
    ['closing before opening', { 'opens-0': '14:00', 'closes-0': '10:00' }, 'closes-0', 'The closing time must be after the opening time'],
    ['a change without a source note', { phone: '023 9200 0001', note: '' }, 'note', 'Say where the new facts came from'],
  ])('refuses %s beside the field and saves nothing', async (_what, change, id, message) => {
    desk = await makeDesk();
    const c = new DeskClient(desk.app);
    await c.signIn();
    const page = await c.get(`/staff/services/${HUB}`);
    const before = await desk.catalogueStore.loadCatalogue();
    const res = await c.post(`/staff/services/${HUB}`, serviceFields(page.body, { note: 'from a poster', ...change }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Nothing was saved');
    expect(res.body).toMatch(new RegExp(`id="${id}"[^>]*aria-invalid="true" aria-describedby="${id}-error"`));
    expect(res.body).toContain(`<p class="error" id="${id}-error">${message}`);
    expect(await desk.catalogueStore.loadCatalogue()).toEqual(before);
    expect(await desk.catalogueStore.revisions({ serviceId: HUB })).toEqual([]);
  });

  it('adds and removes opening times with rows, without JavaScript', async () => {
    desk = await makeDesk();
    const c = new DeskClient(desk.app);
    await c.signIn();
    const page = await c.get(`/staff/services/${HUB}`);
    const fields = serviceFields(page.body);
    const existing = desk.live.current().services.find((s) => s.id === HUB)!.schedules!.flatMap((s) => s.byday).length;
    const res = await c.post(`/staff/services/${HUB}`, { ...fields, [`day-${existing}`]: 'TH', [`opens-${existing}`]: '9:30', [`closes-${existing}`]: '12:00', 'remove-0': '1', note: 'new leaflet' });
    expect(res.statusCode).toBe(303);
    const svc = desk.live.current().services.find((s) => s.id === HUB)!;
    expect(svc.schedules).toEqual([{ freq: 'WEEKLY', byday: ['TH'], opens_at: '09:30', closes_at: '12:00', note: null }]);
  });

  it('Confirm unchanged records who checked, and today as the date every fact was checked', async () => {
    desk = await makeDesk({ now: () => new Date('2026-12-04T10:00:00Z') });
    const c = new DeskClient(desk.app);
    await c.signIn();
    await c.get(`/staff/services/${HUB}`);
    expect((await c.post(`/staff/services/${HUB}/confirm`, {})).statusCode).toBe(303);
    const svc = desk.live.current().services.find((s) => s.id === HUB)!;
    const { categories, ...facts } = svc.provenance;
    const all = [...Object.values(facts), ...Object.values(categories ?? {})];
    expect(all.length).toBeGreaterThan(0);
    for (const p of all) {
      expect(p!.checked).toBe('2026-12-04');
      // Today's check is a source of its own, so the bot no longer calls the fact old.
      expect(p!.sources.map((id) => desk.live.current().sources[id].published)).toContain('2026-12-04');
    }
    expect(svc.doubts).toBeUndefined();
    const [rev] = await desk.catalogueStore.revisions({ serviceId: HUB });
    expect([rev.who, rev.action]).toEqual([EDITOR, 'confirm']);
    expect((await c.get('/staff')).body).toMatch(/Portsmouth Refugee Hub<\/a><\/td>[\s\S]*?4 Dec 2026/);
  });

  it('reverts a change from the history as a new revision, and the bot goes back to the old fact', async () => {
    desk = await makeDesk();
    const c = new DeskClient(desk.app);
    await c.signIn();
    const before = await hubDetails(desk);
    const page = await c.get(`/staff/services/${HUB}`);
    await c.post(`/staff/services/${HUB}`, serviceFields(page.body, { phone: '023 9200 0000', note: 'a typo, as it turns out' }));
    const [edit] = await desk.catalogueStore.revisions({ serviceId: HUB });
    const history = await c.get('/staff/history');
    expect(history.body).toContain(`action="/staff/history/${edit.id}/revert"`);
    const res = await c.post(`/staff/history/${edit.id}/revert`, {});
    expect(res.statusCode).toBe(303);
    const [revert, kept] = await desk.catalogueStore.revisions({ serviceId: HUB });
    expect([revert.action, revert.revertOf, revert.who]).toEqual(['revert', edit.id, EDITOR]);
    expect(kept.id).toBe(edit.id); // the edit stays in the history
    expect(await hubDetails(desk, '+447700900557')).toBe(before);
  });
});

describe('accounts on the desk', () => {
  it('lets an admin add and remove accounts, and refuses editors', async () => {
    desk = await makeDesk();
    const editor = new DeskClient(desk.app);
    await editor.signIn(EDITOR);
    expect((await editor.get('/staff/accounts')).statusCode).toBe(403);
    expect((await editor.post('/staff/accounts', { email: 'x@example.org', role: 'admin', password: 'long enough password' })).statusCode).toBe(403);
    const admin = new DeskClient(desk.app, '203.0.113.11');
    await admin.signIn(ADMIN);
    const page = await admin.get('/staff/accounts');
    expect(page.body).toContain(EDITOR);
    expect((await admin.post('/staff/accounts', { email: 'new@example.org', role: 'editor', password: 'short' })).body).toContain('at least 12 characters');
    expect((await admin.post('/staff/accounts', { email: 'New@Example.org', role: 'editor', password: 'a long enough password' })).statusCode).toBe(303);
    expect((await desk.catalogueStore.getStaff('new@example.org'))?.role).toBe('editor');
    expect((await new DeskClient(desk.app, '203.0.113.12').signIn('new@example.org', 'a long enough password')).statusCode).toBe(303);
    await admin.get('/staff/accounts');
    expect((await admin.post('/staff/accounts/remove', { email: EDITOR })).statusCode).toBe(303);
    expect(await desk.catalogueStore.getStaff(EDITOR)).toBeNull();
    expect((await editor.get('/staff')).statusCode).toBe(303); // their session ended
    const audit = (await desk.catalogueStore.auditLog()).filter((a) => a.who === ADMIN).map((a) => [a.action, a.detail]);
    expect(audit).toEqual(expect.arrayContaining([['account added', 'new@example.org (editor)'], ['account removed', EDITOR]]));
  });
});

describe('privacy', () => {
  it('never shows a texter\'s number or words on any page, even with subscribers and messages sent', async () => {
    desk = await makeDesk();
    await hubDetails(desk);
    await say(desk, 'REMIND');
    await say(desk, 'my secret words here');
    const c = new DeskClient(desk.app);
    await c.signIn(ADMIN);
    await c.get(`/staff/services/${HUB}`);
    await c.post(`/staff/services/${HUB}/messages`, { message: 'Closed early today.' });
    const pages = ['/staff', `/staff/services/${HUB}`, '/staff/history', '/staff/accounts'];
    const digits = PERSON.replace(/\D/g, '');
    for (const url of pages) {
      const body = (await c.get(url)).body;
      expect(body.replace(/[\s-]/g, ''), url).not.toContain(digits.slice(-9));
      expect(body, url).not.toContain('secret words');
    }
    expect((await c.get(`/staff/services/${HUB}`)).body).toContain('1 person gets');
    expect(desk.logLines.join('\n')).not.toContain(digits.slice(-9));
    expect(desk.logLines.join('\n')).not.toContain('secret words');
  });
});
