// The needs report in a real browser: Debian's Chromium (/usr/bin/chromium)
// driven by playwright-core, as the desk's browser tests do. Six weeks of
// people asking through the webhook, then the page: its chart (server-drawn
// SVG), its table, the unmet needs and the CSV download. Screenshots go to
// test-artifacts/report/ (not committed); UPDATE_SCREENSHOTS=1 also refreshes
// docs/needs-report.png for the README.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, messages } from '../helpers.ts';
import { EDITOR, PASSWORD, makeDesk, type Desk } from '../staff/desk-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts/report');

let desk: Desk;
let base: string;
let browser: Browser;
let page: Page;
let clock = new Date('2026-12-02T10:00:00Z');
let sid = 0;
let people = 0;

async function say(text: string, from: string): Promise<string[]> {
  const res = await desk.app.inject({
    method: 'POST',
    url: '/twilio/messages',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ MessageSid: `SM${String(++sid).padStart(32, '0')}`, From: from, To: '+447700900000', Body: text, NumMedia: '0' }).toString(),
  });
  expect(res.statusCode).toBe(200);
  return messages(res.body);
}

/** `count` new people ask for `need` in a city (1 Southampton, 2 Portsmouth). */
async function ask(count: number, need: string, city: '1' | '2', channel: 'sms' | 'whatsapp' = 'sms'): Promise<void> {
  for (let i = 0; i < count; i++) {
    const from = `${channel === 'whatsapp' ? 'whatsapp:' : ''}+4477009${String(++people).padStart(5, '0')}`;
    await say(need, from);
    await say(city, from);
  }
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  desk = await makeDesk({ now: () => clock });
  // Six weeks, Wednesday of each: from 28 Oct to 2 Dec 2026.
  const weeks = ['2026-10-28', '2026-11-04', '2026-11-11', '2026-11-18', '2026-11-25', '2026-12-02'];
  for (const [i, day] of weeks.entries()) {
    clock = new Date(`${day}T11:00:00Z`);
    await ask(6 + i, 'FOOD', '1');
    await ask(i % 2 ? 2 : 5, 'FOOD', '1', 'whatsapp');
    await ask(5 + (i % 3), 'ENGLISH', '1');
    await ask(i < 3 ? 3 : 6, 'DOCTOR', '2'); // no GP listed in Portsmouth
    await ask(2, 'LEGAL', '2');
    await ask(i === 5 ? 1 : 0, 'WOMEN', '1'); // none listed in Southampton
  }
  base = await desk.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-GB', acceptDownloads: true });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await desk?.close();
});

describe('the needs report in Chromium', () => {
  it('draws people per need and week as a chart with the table beside it, small numbers hidden', async () => {
    const problems: string[] = [];
    // Nothing refused by the Content-Security-Policy, nothing missing (the browser's own favicon request aside).
    page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && problems.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
    await page.goto(`${base}/staff/login`);
    await page.getByLabel('Email').fill(EDITOR);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/staff');
    await page.getByRole('link', { name: 'Needs report' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/staff/report');
    await page.getByLabel('City').selectOption({ label: 'All cities' });
    await page.getByLabel('From the week of').fill('2026-10-19');
    await page.getByLabel('To the week of').fill('2026-12-02');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => new URL(page.url()).search).toContain('from=2026-10-19');

    const chart = page.getByRole('img', { name: /People who asked, per need and week: All cities/ });
    expect(await chart.isVisible()).toBe(true);
    const box = (await chart.boundingBox())!;
    expect(box.width).toBeGreaterThan(600);
    expect(box.height).toBeGreaterThan(200);
    // The chart's rows are the table's rows, and its labels the table's figures.
    const rowNames = await page.locator('tbody th[scope=row]').allTextContents();
    expect(rowNames).toEqual(['Food', 'Doctor (GP)', 'Legal advice', 'English classes', 'Women']);
    const labels = await chart.locator('text').allTextContents();
    for (const name of rowNames) expect(labels).toContain(name);
    const figures = (await page.locator('tbody tr').first().locator('td').allTextContents());
    // Food, week by week: the week before any data, then 6+5, 7 and 2 on WhatsApp (hidden: 5+), 8+5, 9 (5+), 10+5, 11 (5+).
    expect(figures).toEqual(['0', '11', '5+', '13', '5+', '15', '5+']);
    const foodBars = labels.filter((t) => ['11', '13', '15', '5+'].includes(t));
    expect(foodBars.length).toBeGreaterThanOrEqual(6);
    expect(await page.getByRole('table', { name: /People who asked/ }).textContent()).toContain('<5');
    expect(labels).toContain('<5');
    // Unmet needs: Doctor in Portsmouth (three weeks of 3, three of 6: 27, but any one week of 3 could be
    // worked out from two ranges, so only "5+"), then Women in Southampton.
    const unmet = page.getByRole('table', { name: /nothing listed/ });
    expect(await unmet.locator('tbody tr').allInnerTexts()).toEqual(['Doctor (GP)\tPortsmouth\t5+', 'Women\tSouthampton\t<5']);
    // With only the last three weeks (6 each) nothing is hidden: the exact figure.
    await page.getByLabel('From the week of').fill('2026-11-16');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => unmet.locator('tbody tr').first().innerText()).toBe('Doctor (GP)\tPortsmouth\t18');
    await page.getByLabel('From the week of').fill('2026-10-19');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => new URL(page.url()).search).toContain('from=2026-10-19');
    expect(await page.locator('script').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, '01-report.png'), fullPage: true });
    await chart.screenshot({ path: path.join(ARTIFACTS, '02-chart.png') });
  });

  it('downloads the same figures as CSV with the agreed header', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download these figures (CSV)' }).click()]);
    expect(download.suggestedFilename()).toBe('waymark-needs-2026-10-19-to-2026-11-30.csv');
    const text = fs.readFileSync((await download.path())!, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('week,city,language,category,outcome,channel,people');
    expect(lines).toContain('2026-10-26,southampton,en,food,answered,sms,6');
    expect(lines).toContain('2026-11-02,southampton,en,food,answered,whatsapp,<5');
    expect(lines).toContain('2026-11-30,portsmouth,en,doctor,nothing_listed,sms,6');
    expect(lines.some((l) => /,[1-4]$/.test(l))).toBe(false);
  });

  it('fits a phone: the page no wider than the screen, the chart and tables readable and scrolling sideways', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
    const cookies = await page.context().cookies();
    await phone.addCookies(cookies);
    const p = await phone.newPage();
    await p.goto(`${base}/staff/report?from=2026-10-19&to=2026-12-02`);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const svg = (await p.locator('svg').boundingBox())!;
    expect(svg.width).toBeGreaterThanOrEqual(560);
    const figure = (await p.locator('figure').boundingBox())!;
    expect(figure.width).toBeLessThanOrEqual(390);
    await p.screenshot({ path: path.join(ARTIFACTS, '03-phone.png'), fullPage: true });
    await phone.close();
  });

  it('keeps the README screenshot current when asked (UPDATE_SCREENSHOTS=1)', async () => {
    const src = path.join(ARTIFACTS, '01-report.png');
    expect(fs.statSync(src).size).toBeGreaterThan(20_000);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
      fs.copyFileSync(src, path.join(ROOT, 'docs/needs-report.png'));
    }
  });
});
