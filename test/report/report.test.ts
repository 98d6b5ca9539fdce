// The needs report, messages in and counts out: through the webhook, on the
// desk (/staff/report, /staff/report.csv) and in the terminal; on SQLite and
// on PostgreSQL.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { reportReader } from '../../src/report/open.ts';
import { purgeExpired } from '../../src/store/retention.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { DeskClient, makeDesk, type Desk } from '../staff/desk-harness.ts';
import { built } from '../built.ts';
import { ROOT, SECRET, messages, sms, tempDir } from '../helpers.ts';
import { describePostgres, freshSchema } from '../store/pg-harness.ts';

const HEADER = 'week,city,language,category,outcome,channel,people';
// Wednesday 2 December 2026: the week of Monday 30 November.
const WED = new Date('2026-12-02T10:00:00Z');
const WEEK = '2026-11-30';

let clock = WED;
let n = 0;
const person = (channel: 'sms' | 'whatsapp' = 'sms') => `${channel === 'whatsapp' ? 'whatsapp:' : ''}+4477009${String(++n).padStart(5, '0')}`;

async function post(d: Desk, params: Record<string, string>): Promise<string[]> {
  const res = await d.app.inject({
    method: 'POST',
    url: '/twilio/messages',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(params).toString(),
  });
  expect(res.statusCode).toBe(200);
  return messages(res.body);
}
const say = (d: Desk, from: string, text: string) => post(d, sms(from, text));

/** A new person asks for a need by keyword, then picks their city (1 Southampton, 2 Portsmouth). */
async function asks(d: Desk, need: string, city: '1' | '2', from = person()): Promise<string> {
  await say(d, from, need);
  await say(d, from, city);
  return from;
}

async function signedIn(d: Desk): Promise<DeskClient> {
  const c = new DeskClient(d.app);
  await c.signIn();
  return c;
}

async function csv(d: Desk, query = ''): Promise<string[]> {
  const c = await signedIn(d);
  const res = await c.get(`/staff/report.csv${query}`);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/csv');
  return res.body.trimEnd().split('\n');
}

type Backend = { name: string; open: () => Promise<{ store: Store; drop: () => Promise<void> }> };
const sqlite: Backend = { name: 'SQLite', open: async () => ({ store: SqliteStore.open(tempDir(), SECRET), drop: async () => undefined }) };
const postgres = (base: string): Backend => ({
  name: 'PostgreSQL',
  open: async () => {
    const { url, drop } = await freshSchema(base);
    return { store: await PostgresStore.open(url, SECRET, { poolSize: 4 }), drop };
  },
});

function countsSuite(backend: Backend): void {
  describe(`needs report (${backend.name})`, () => {
    let desk: Desk;
    let drop: () => Promise<void>;
    const open = async () => {
      clock = WED;
      const o = await backend.open();
      drop = o.drop;
      desk = await makeDesk({ store: o.store, now: () => clock });
      return desk;
    };
    afterEach(async () => {
      await desk.close();
      await drop();
    });

    it('counts one person asking for food twice in a week once', async () => {
      const d = await open();
      const ann = await asks(d, 'FOOD', '1');
      await say(d, ann, 'food');
      clock = new Date('2026-12-05T18:00:00Z'); // Saturday, same week
      await say(d, ann, 'FOOD please');
      await say(d, ann, '1'); // a food service's details: still food, answered
      const rows = await reportReader(d.store).rows({ from: WEEK, to: WEEK });
      expect(rows).toEqual([{ week: WEEK, city: 'southampton', language: 'en', category: 'food', outcome: 'answered', channel: 'sms', people: 1 }]);
      // The next week they count again, in that week.
      clock = new Date('2026-12-07T09:00:00Z');
      await say(d, ann, 'FOOD');
      expect(await reportReader(d.store).rows({ from: '2026-12-07', to: '2026-12-07' })).toEqual([
        { week: '2026-12-07', city: 'southampton', language: 'en', category: 'food', outcome: 'answered', channel: 'sms', people: 1 },
      ]);
    });

    it('counts people asking at the same moment (saved together, one group commit) each once', async () => {
      const d = await open();
      const people: string[] = [];
      for (let n = 0; n < 12; n++) {
        const p = person();
        await say(d, p, 'hello');
        await say(d, p, n % 3 === 0 ? '2' : '1');
        people.push(p);
      }
      await Promise.all(people.map((p) => say(d, p, 'FOOD')));
      await Promise.all(people.map((p) => say(d, p, 'FOOD please')));
      const rows = await reportReader(d.store).rows({ from: WEEK, to: WEEK });
      expect(rows.map((r) => [r.city, r.category, r.outcome, r.people]).sort()).toEqual(
        [
          ['portsmouth', 'food', 'answered', 4],
          ['southampton', 'food', 'answered', 8],
        ].sort(),
      );
    });

    it('counts a redelivered MessageSid once, even when Twilio retries it after midnight on Sunday', async () => {
      const d = await open();
      const bob = person();
      await say(d, bob, 'hello');
      await say(d, bob, '2'); // Portsmouth
      clock = new Date('2026-12-06T23:59:58Z'); // Sunday 23:59:58 London (GMT)
      const food = sms(bob, 'FOOD');
      const first = await post(d, food);
      clock = new Date('2026-12-07T00:00:20Z'); // Monday: a new week
      expect(await post(d, food)).toEqual(first);
      expect(await reportReader(d.store).rows({ from: WEEK, to: '2026-12-07' })).toEqual([
        { week: WEEK, city: 'portsmouth', language: 'en', category: 'food', outcome: 'answered', channel: 'sms', people: 1 },
      ]);
    });

    it('counts nothing listed, not understood and danger, and nothing for menus and greetings', async () => {
      const d = await open();
      const p = await asks(d, 'DOCTOR', '2'); // no GP listed in Portsmouth
      await say(d, p, 'MENU');
      await say(d, p, 'HELP');
      await say(d, p, 'zzgrq wibble');
      await say(d, p, 'I want to kill myself');
      const rows = await reportReader(d.store).rows({ from: WEEK, to: WEEK });
      expect(rows.map((r) => [r.city, r.category, r.outcome, r.people]).sort()).toEqual(
        [
          ['portsmouth', '', 'not_understood', 1],
          ['portsmouth', 'crisis', 'crisis', 1],
          ['portsmouth', 'doctor', 'nothing_listed', 1],
        ].sort(),
      );
    });

    it('shows any figure under 5 as <5 in the CSV, on the page and in the chart, and gives no total that gives one back', async () => {
      const d = await open();
      for (let i = 0; i < 5; i++) await asks(d, 'FOOD', '1');
      for (let i = 0; i < 2; i++) await asks(d, 'FOOD', '1', person('whatsapp'));
      for (let i = 0; i < 4; i++) await asks(d, 'ENGLISH', '1');
      const lines = await csv(d);
      expect(lines[0]).toBe(HEADER);
      expect(lines.slice(1)).toEqual([
        `${WEEK},southampton,en,english,answered,sms,<5`,
        `${WEEK},southampton,en,food,answered,sms,5`,
        `${WEEK},southampton,en,food,answered,whatsapp,<5`,
      ]);
      const page = await (await signedIn(d)).get('/staff/report?city=southampton');
      expect(page.statusCode).toBe(200);
      const table = page.body.slice(page.body.indexOf('<table>'), page.body.indexOf('</table>'));
      const row = (name: string) => [...table.matchAll(new RegExp(`<th scope="row">${name}</th>(.*?)</tr>`, 'g'))][0][1];
      // Food: 7 people, but 7 minus the 5 shown would give the 2 on WhatsApp back.
      expect(row('Food')).toContain('<td class="num">5+</td>');
      expect(row('English classes')).toContain('<td class="num">&#60;5</td>');
      expect(page.body).not.toMatch(/>(7|4|2)</);
      const svg = page.body.slice(page.body.indexOf('<svg'), page.body.indexOf('</svg>'));
      expect(svg).toContain('>5+</text>');
      expect(svg).toContain('>&#60;5</text>');
      expect(svg).not.toMatch(/>(7|4|2)<\/text>/);
      // Five more on WhatsApp: every hidden figure is gone, the sum is exact.
      for (let i = 0; i < 3; i++) await asks(d, 'FOOD', '1', person('whatsapp'));
      const again = await (await signedIn(d)).get('/staff/report?city=southampton');
      expect(again.body).toMatch(/<th scope="row">Food<\/th>.*?<td class="num">10<\/td>/);
    });

    it('lists unmet needs, most asked first, and the CSV has their rows', async () => {
      const d = await open();
      for (let i = 0; i < 6; i++) await asks(d, 'DOCTOR', '2');
      await asks(d, 'WOMEN', '1'); // nothing for women listed in Southampton
      await asks(d, 'FOOD', '2');
      const page = await (await signedIn(d)).get('/staff/report');
      const unmet = page.body.slice(page.body.indexOf('<h2>Unmet needs</h2>'));
      const rows = [...unmet.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td class="num">([^<]*)<\/td><\/tr>/g)].map((m) => m.slice(1));
      expect(rows).toEqual([
        ['Doctor (GP)', 'Portsmouth', '6'],
        ['Women', 'Southampton', '&#60;5'],
      ]);
      const lines = await csv(d);
      expect(lines).toContain(`${WEEK},portsmouth,en,doctor,nothing_listed,sms,6`);
      expect(lines).toContain(`${WEEK},southampton,en,women,nothing_listed,sms,<5`);
    });

    it('keeps no number, no words, no one person: the people hashes go when the week closes', async () => {
      const d = await open();
      const from = await asks(d, 'FOOD secret-words-here', '1');
      await say(d, from, 'my name is Zed, asylum number 12345');
      const tables = async () => {
        if (d.store instanceof SqliteStore) {
          return {
            counts: d.store.db.prepare('SELECT * FROM report_counts').all(),
            seen: d.store.db.prepare('SELECT * FROM report_seen').all() as Array<{ week: string; hash: string }>,
          };
        }
        const pool = (d.store as PostgresStore).pool;
        return { counts: (await pool.query('SELECT * FROM report_counts')).rows, seen: (await pool.query('SELECT * FROM report_seen')).rows as Array<{ week: string; hash: string }> };
      };
      const before = await tables();
      const dump = JSON.stringify(before);
      expect(dump).not.toContain('7700');
      expect(dump).not.toMatch(/secret|Zed|12345/);
      expect(Object.keys(before.counts[0] as object).sort()).toEqual(['category', 'channel', 'city', 'language', 'outcome', 'people', 'week']);
      expect(before.seen.length).toBe(2); // food answered, not understood
      // The person's own key (their session's) is nowhere in the report.
      const subject = d.bot.deps.subjects.subject(from);
      expect(before.seen.map((s) => s.hash)).not.toContain(subject);
      // Still this week: kept. The week closed: the hashes go, the counters stay.
      await purgeExpired(d.store, new Date('2026-12-06T23:00:00Z'), 30);
      expect((await tables()).seen.length).toBe(2);
      await purgeExpired(d.store, new Date('2026-12-07T00:30:00Z'), 30);
      const after = await tables();
      expect(after.seen).toEqual([]);
      expect(after.counts.length).toBe(2);
    });
  });
}

countsSuite(sqlite);
describePostgres('PostgreSQL', (base) => countsSuite(postgres(base)));

describe('the report on the desk', () => {
  let desk: Desk;
  afterEach(async () => desk.close());

  it('is for signed-in staff only', async () => {
    desk = await makeDesk({ now: () => WED });
    for (const url of ['/staff/report', '/staff/report.csv']) {
      const res = await desk.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/staff/login');
    }
  });

  it('shows the last 12 weeks by default, a chosen range on asking, and says what is wrong with a bad date', async () => {
    desk = await makeDesk({ now: () => WED });
    const c = await signedIn(desk);
    const page = await c.get('/staff/report');
    expect(page.body).toContain('value="2026-09-14"'); // 12 Mondays back to 14 Sep
    expect(page.body).toContain('value="2026-11-30"');
    expect(page.body).toContain('href="/staff/report.csv?from=2026-09-14&#38;to=2026-11-30"');
    const chosen = await c.get('/staff/report?from=2026-11-18&to=2026-12-02&city=portsmouth');
    expect(chosen.body).toContain('value="2026-11-16"');
    expect(chosen.body).toContain('<option value="portsmouth" selected>');
    const bad = await c.get('/staff/report?from=2026-13-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('&#34;From&#34; must be a date like 2026-11-30');
    const csvBad = await c.get('/staff/report.csv?from=2026-12-02&to=2026-11-01');
    expect(csvBad.statusCode).toBe(400);
    const empty = await c.get('/staff/report.csv');
    expect(empty.body).toBe(`${HEADER}\n`);
  });
});

describe('npm run report', () => {
  // As npm runs it: the built JavaScript (dist/, built by the tests' global setup).
  const run = (args: string[], dataDir: string) =>
    spawnSync(process.execPath, [built('src/cli/report.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '', WAYMARK_SECRET: SECRET.toString() },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('prints people per need and week and the unmet needs, small numbers hidden', async () => {
    const dir = tempDir();
    clock = WED;
    const d = await makeDesk({ store: SqliteStore.open(dir, SECRET), now: () => clock });
    for (let i = 0; i < 5; i++) await asks(d, 'FOOD', '2');
    await asks(d, 'DOCTOR', '2');
    await d.close();
    const r = run(['--from', '2026-11-23', '--to', '2026-12-02'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('weeks starting 2026-11-23 to 2026-11-30');
    expect(r.stdout).toMatch(/^Need\s+23 Nov\s+30 Nov$/m);
    expect(r.stdout).toMatch(/^Food\s+0\s+5$/m);
    expect(r.stdout).toMatch(/^Doctor \(GP\)\s+0\s+<5$/m);
    expect(r.stdout).toMatch(/^Doctor \(GP\)\s+Portsmouth\s+<5$/m);
    const bad = run(['--from', 'yesterday'], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--from must be a date like 2026-11-30, not "yesterday"');
  });
});
