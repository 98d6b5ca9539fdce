// The desk in a real browser: Debian's Chromium (/usr/bin/chromium) driven by
// playwright-core, against the server listening on 127.0.0.1, with Twilio's
// REST API intercepted by nock. Fields are found by their labels and buttons
// by their names, as a person (or a screen reader) finds them. Screenshots of
// every page go to test-artifacts/staff/ (not committed);
// UPDATE_SCREENSHOTS=1 also refreshes docs/staff-desk.png for the README.
import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, messages } from '../helpers.ts';
import { EDITOR, PASSWORD, deskDispatcher, makeDesk, type Desk } from './desk-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts/staff');
const ACCOUNT = 'AC' + 'c'.repeat(32);
const HUB = 'portsmouth-refugee-hub';
const HUB_NAME = 'Portsmouth Refugee Hub';
const SUBSCRIBERS = ['+447700900801', '+447700900802'];
const OPTED_OUT = '+447700900803';
const NUMBERS = [...SUBSCRIBERS, OPTED_OUT];

let desk: Desk;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let clock = new Date('2026-12-04T10:30:00Z'); // a Friday
let sid = 0;

async function say(text: string, from: string): Promise<string[]> {
  const res = await desk.app.inject({
    method: 'POST',
    url: '/twilio/messages',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ MessageSid: `SM${String(++sid).padStart(32, '7')}`, From: from, To: '+447700900000', Body: text, NumMedia: '0' }).toString(),
  });
  return messages(res.body);
}

async function hubDetails(from: string): Promise<string> {
  await say('hi', from);
  await say('2', from);
  await say('FOOD', from);
  return (await say('1', from)).join('\n');
}

async function shot(name: string, p: Page = page): Promise<void> {
  await p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** What every desk page must hold to: labels, heading order, no texter's number, fits a phone. */
async function checkPage(p: Page = page): Promise<void> {
  const unlabelled = await p.evaluate(() =>
    [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.outerHTML),
  );
  expect(unlabelled).toEqual([]);
  const levels = await p.evaluate(() => [...document.querySelectorAll('h1, h2, h3, h4')].map((h) => Number(h.tagName[1])));
  expect(levels[0]).toBe(1);
  levels.forEach((l, i) => i > 0 && expect(l - levels[i - 1]).toBeLessThanOrEqual(1));
  const text = (await p.content()).replace(/[\s-]/g, '');
  for (const n of NUMBERS) expect(text).not.toContain(n.slice(3));
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  desk = await makeDesk({ now: () => clock });
  base = await desk.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-GB' });
  page = await context.newPage();
  // Subscribers of the hub (one of whom then opts out), through the bot.
  for (const n of NUMBERS) {
    await hubDetails(n);
    expect((await say('REMIND', n))[0]).toContain('Reminder set');
  }
  expect(await say('STOP', OPTED_OUT)).toEqual([]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await desk?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('the staff desk in Chromium', () => {
  it('sends a visitor to the sign-in page, and signs in with Email, Password and Sign in', async () => {
    await page.goto(`${base}/staff`);
    expect(new URL(page.url()).pathname).toBe('/staff/login');
    await checkPage();
    await shot('01-sign-in');
    await page.getByLabel('Email').fill(EDITOR);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/staff');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Services');
    expect(await page.getByRole('columnheader').allTextContents()).toEqual(['Name', 'City', 'Status', 'Last confirmed']);
    await checkPage();
    await shot('02-services');
  });

  it('shows a visible focus ring on the keyboard', async () => {
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(outline.style).not.toBe('none');
    expect(outline.width).toBeGreaterThanOrEqual(2);
  });

  it('edits a phone number, and the bot answers with it', async () => {
    await page.getByRole('link', { name: HUB_NAME }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/staff/services/${HUB}`);
    await checkPage();
    await shot('03-service');
    await page.screenshot({ path: path.join(ARTIFACTS, '03-service-top.png') });
    await page.getByLabel('Phone', { exact: true }).fill('023 9200 4455');
    await page.getByLabel('Source note').fill('Phoned the hub, Friday morning');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    expect(await page.getByRole('status').innerText()).toContain('Saved.');
    expect(await hubDetails('+447700900899')).toContain('023 9200 4455');
  });

  it('refuses a time like 10am beside the field and saves nothing', async () => {
    const version = await desk.catalogueStore.catalogueVersion();
    await page.getByLabel('Opens, row 1').fill('10am');
    await page.getByLabel('Source note').fill('a poster');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#opens-0-error').waitFor();
    expect(await page.locator('#opens-0-error').textContent()).toContain('Enter a time like 09:30');
    expect(await page.getByLabel('Opens, row 1').getAttribute('aria-invalid')).toBe('true');
    expect(await desk.catalogueStore.catalogueVersion()).toBe(version);
    await checkPage();
    await shot('04-invalid-time');
  });

  it('adds a closure, listed on the page', async () => {
    await page.goto(`${base}/staff/services/${HUB}`);
    await page.getByLabel('Closed on').fill('2026-12-07');
    await page.getByRole('button', { name: 'Add closure' }).click();
    expect(await page.getByRole('status').innerText()).toContain('Closure added');
    expect(await page.locator('ul.closures').textContent()).toContain('7 Dec 2026');
    expect(desk.live.current().services.find((s) => s.id === HUB)!.holiday_schedules.some((h) => h.closed && h.start_date === '2026-12-07')).toBe(true);
    await shot('05-closure');
  });

  it('previews a message (people, segments) and sends it once to each subscriber, never to the one who opted out', async () => {
    await page.getByLabel('Message to subscribers').fill('Closed on Monday 7 December for a burst pipe. Open as usual the week after.');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: 'Check the message' }).waitFor();
    const figures = await page.locator('dl.figures').innerText();
    expect(figures).toMatch(/People\s+2/);
    expect(figures).toMatch(/Encoding\s+GSM-7/);
    expect(figures).toMatch(/SMS parts each\s+1/);
    expect(figures).toMatch(/Total SMS parts\s+2/);
    await checkPage();
    await shot('06-preview');

    const sent: Array<{ To: string; Body: string }> = [];
    nock('https://api.twilio.com')
      .post(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`)
      .times(10)
      .reply(201, (_uri, body) => {
        const f = Object.fromEntries(new URLSearchParams(body as string)) as { To: string; Body: string };
        sent.push(f);
        return { sid: `SM${String(sent.length).padStart(32, '0')}`, status: 'queued', to: f.To, body: f.Body };
      });
    await page.getByRole('button', { name: 'Send' }).click();
    expect(await page.getByRole('status').innerText()).toContain('Message queued');
    const dispatcher = deskDispatcher(desk, ACCOUNT, 'browser-test');
    await dispatcher.tick(new Date(clock.getTime() + 60_000));
    await dispatcher.tick(new Date(clock.getTime() + 120_000));
    expect(sent.map((s) => s.To).sort()).toEqual([...SUBSCRIBERS].sort());
    expect(sent.every((s) => s.Body === `${HUB_NAME}: Closed on Monday 7 December for a burst pipe. Open as usual the week after.`)).toBe(true);
    await page.reload();
    const row = await page.locator('table:has(caption:text("Messages sent")) tbody tr').first().innerText();
    expect(row).toMatch(/\t2\t2\t0\t0\t0$/); // people, sent, failed, waiting, not sent
    await checkPage();
    await shot('07-after-send');
  });

  it('lists changes in the history and reverts one', async () => {
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'History', level: 1 }).waitFor();
    await checkPage();
    await shot('08-history');
    const edit = (await desk.catalogueStore.revisions({ serviceId: HUB })).find((r) => r.action === 'edit')!;
    await page.getByRole('button', { name: `Revert change #${edit.id}` }).click();
    expect(await page.getByRole('status').innerText()).toContain('Reverted.');
    expect(await hubDetails('+447700900898')).not.toContain('023 9200 4455');
    const [latest] = await desk.catalogueStore.revisions({ serviceId: HUB });
    expect([latest.action, latest.revertOf, latest.who]).toEqual(['revert', edit.id, EDITOR]);
  });

  it('refuses a POST without a CSRF token (403) and changes nothing', async () => {
    const version = await desk.catalogueStore.catalogueVersion();
    const res = await page.request.post(`${base}/staff/services/${HUB}/confirm`, { form: { nothing: 'here' }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    expect(await desk.catalogueStore.catalogueVersion()).toBe(version);
  });

  it('reads on a phone without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const url of ['/staff', '/staff/history', `/staff/services/${HUB}`]) {
      await page.goto(base + url);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
    await shot('09-phone-service');
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it('signs out', async () => {
    await page.goto(`${base}/staff`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/staff/login');
    await page.goto(`${base}/staff`);
    expect(new URL(page.url()).pathname).toBe('/staff/login');
  });

  it('locks an account after 5 failures: the right password is refused with the same message', async () => {
    const other = await browser.newContext({ locale: 'en-GB' });
    const p = await other.newPage();
    const attempt = async (password: string) => {
      await p.goto(`${base}/staff/login`);
      await p.getByLabel('Email').fill(EDITOR);
      await p.getByLabel('Password').fill(password);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('alert').waitFor();
      return p.getByRole('alert').innerText();
    };
    const wrong = await attempt('not my password');
    for (let i = 0; i < 4; i++) expect(await attempt('not my password')).toBe(wrong);
    expect(await attempt(PASSWORD)).toBe(wrong);
    expect(new URL(p.url()).pathname).toBe('/staff/login');
    await shot('10-locked', p);
    await other.close();
  });

  it('keeps the README screenshot current when asked (UPDATE_SCREENSHOTS=1)', async () => {
    const src = path.join(ARTIFACTS, '03-service-top.png');
    expect(fs.statSync(src).size).toBeGreaterThan(10_000);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
      fs.copyFileSync(src, path.join(ROOT, 'docs/staff-desk.png'));
    }
  });
});
