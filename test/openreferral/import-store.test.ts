// import-hsds into the live catalogue: drafts in the store, reaching nobody
// until a person publishes them on the desk; the round trip through the
// store (export as HSDS, import, the draft equals the original); the command
// as staff run it. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src/catalogue/types.ts';
import { SqliteCatalogueStore } from '../../src/catalogue/store-sqlite.ts';
import { hsdsId } from '../../src/openreferral/ids.ts';
import { readHsdsFile } from '../../src/openreferral/import-file.ts';
import { importHsdsDrafts } from '../../src/openreferral/import-store.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { ROOT, SECRET, messages, tempDir } from '../helpers.ts';
import { describePostgres, freshSchema } from '../store/pg-harness.ts';
import { DeskClient, makeDesk, type Desk } from '../staff/desk-harness.ts';
import { publishedPart } from './published-part.ts';

const NOW = () => new Date('2026-12-04T10:30:00Z');
const ORIGINAL = 'amc-dropin';

function writeJson(value: unknown): string {
  const file = path.join(tempDir(), 'feed.json');
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

/** A service from another directory: food in Southampton, but no Waymark category. */
const CAFE = {
  id: '0b0c7c59-51f7-4a0e-a0c5-6b8b3a2b5f11',
  name: 'Shirley Community Larder',
  description: 'Low-cost groceries for members.',
  status: 'active',
  organization: { id: 'a5e0f8a2-7f1e-4e6b-9a39-8b6d7c4e2f10', name: 'Shirley Larder Trust', description: 'A charity' },
  service_areas: [{ id: 'c1f6d3a0-0000-4000-8000-000000000001', name: 'Southampton' }],
  schedules: [{ id: 'c1f6d3a0-0000-4000-8000-000000000002', freq: 'WEEKLY', byday: 'FR', opens_at: '10:00+00:00', closes_at: '12:00+00:00', valid_from: '2026-10-25', valid_to: '2027-03-27' }],
};

async function say(d: Desk, text: string, n: number): Promise<string> {
  const res = await d.app.inject({
    method: 'POST',
    url: '/twilio/messages',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ MessageSid: `SM${String(n).padStart(32, '8')}`, From: '+447700900123', To: '+447700900000', Body: text, NumMedia: '0' }).toString(),
  });
  return messages(res.body).join('\n');
}

function suite(openStore: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const desk = async () => {
    const { store, cleanup } = await openStore();
    cleanups.push(cleanup);
    const d = await makeDesk({ store, now: NOW });
    cleanups.push(() => d.close());
    return d;
  };

  it('round trip: a service exported by the feed and imported again is a draft equal to the original', async () => {
    const d = await desk();
    const exported = (await d.app.inject({ method: 'GET', url: `/openreferral/services/${hsdsId.service(ORIGINAL)}` })).body;
    const result = await importHsdsDrafts(d.live, readHsdsFile(writeJson(JSON.parse(exported))), NOW());
    expect(result.ok).toBe(true);
    await d.live.refresh();
    const services = d.live.current().services;
    const original = services.find((s) => s.id === ORIGINAL)!;
    const drafts = services.filter((s) => s.draft);
    expect(drafts).toHaveLength(1);
    expect(publishedPart(drafts[0])).toEqual(publishedPart(original));
    // The store's history says who added it and from what.
    const [rev] = await d.catalogueStore.revisions({ serviceId: drafts[0].id, limit: 1 });
    expect(rev).toMatchObject({ who: 'command line (import-hsds)', action: 'create', note: 'imported as drafts from feed.json' });
  });

  it('keeps a draft from texters and from the feed until a person publishes it on the desk with a category', async () => {
    const d = await desk();
    const result = await importHsdsDrafts(d.live, readHsdsFile(writeJson([CAFE])), NOW());
    expect(result.ok).toBe(true);
    expect(result.prepared!.report[0].notMapped).toContain('no Waymark category: choose one on the desk before publishing');
    const id = result.prepared!.drafts[0].id;

    const food = async (n: number) => {
      await say(d, 'hi', n);
      return say(d, 'FOOD southampton', n + 1);
    };
    expect(await food(1)).not.toContain('Shirley Community Larder');
    expect((await d.app.inject({ method: 'GET', url: `/openreferral/services/${hsdsId.service(id)}` })).statusCode).toBe(404);

    const staff = new DeskClient(d.app);
    await staff.signIn();
    const list = await staff.get('/staff');
    expect(list.body).toMatch(/Shirley Community Larder<\/a><\/td>[\s\S]*?Draft<\/span>/);
    const page = await staff.get(`/staff/services/${id}`);
    expect(page.body).toContain('Not offered to anyone');
    const refused = await staff.post(`/staff/services/${id}/publish`, {});
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Choose at least one category');
    expect(await food(3)).not.toContain('Shirley Community Larder');

    const done = await staff.post(`/staff/services/${id}/publish`, { category: 'food' });
    expect(done.statusCode).toBe(303);
    expect((await staff.get(done.headers.location as string)).body).toContain('Published.');
    const published = d.live.current().services.find((s) => s.id === id) as Service;
    expect(published.draft).toBeUndefined();
    expect(published.categories).toEqual(['food']);
    expect(await food(5)).toContain('Shirley Community Larder');
    const feed = await d.app.inject({ method: 'GET', url: `/openreferral/services/${hsdsId.service(id)}` });
    expect(feed.statusCode).toBe(200);
    expect(JSON.parse(feed.body).last_modified).toBe(NOW().toISOString());
  });
}

describe('import-hsds on SQLite', () => {
  suite(async () => {
    const store = SqliteStore.open(tempDir(), SECRET);
    return { store, cleanup: async () => undefined };
  });
});

describePostgres('PostgreSQL', (base) => {
  describe('import-hsds on PostgreSQL', () => {
    suite(async () => {
      const { url, drop } = await freshSchema(base);
      return { store: await PostgresStore.open(url, SECRET, { poolSize: 4 }), cleanup: drop };
    });
  });
});

describe('npm run catalogue -- import-hsds FILE', () => {
  const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
  const run = (args: string[], dataDir: string) =>
    spawnSync(TSX, [path.join(ROOT, 'src/cli/catalogue.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '', WAYMARK_SECRET: SECRET.toString() },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('adds the services as drafts and says, per service, what it could not map', async () => {
    const dir = tempDir();
    const monthly = { ...CAFE, id: '0b0c7c59-51f7-4a0e-a0c5-6b8b3a2b5f12', name: 'Monthly Clinic', schedules: [{ id: 'c1f6d3a0-0000-4000-8000-000000000003', freq: 'MONTHLY', byday: '1WE' }] };
    const out = run(['import-hsds', writeJson({ total_items: 3, contents: [CAFE, monthly, { id: CAFE.id, name: 'No description', status: 'active' }] })], dir);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain(
      [
        'Shirley Community Larder → draft shirley-community-larder',
        '  - no Waymark category: choose one on the desk before publishing',
        'Monthly Clinic → draft monthly-clinic',
        '  - schedule 1 (1WE): MONTHLY schedules cannot be kept: Waymark keeps weekly ones',
        '  - no Waymark category: choose one on the desk before publishing',
        'No description → not imported',
        '  - not imported: Waymark needs a description',
        '2 drafts, 1 not imported; 1 new organization',
      ].join('\n'),
    );
    expect(out.stdout).toMatch(/Saved as drafts \(version \d+\)/);
    const store = SqliteStore.open(dir, SECRET);
    const snap = await new SqliteCatalogueStore(store.db).loadCatalogue();
    await store.close();
    const drafts = snap!.catalogue.services.filter((s) => s.draft);
    expect(drafts.map((s) => s.id)).toEqual(['shirley-community-larder', 'monthly-clinic']);
    expect(drafts[1].schedules).toBeNull();
  });

  it('refuses a file that is not HSDS, and changes nothing', () => {
    const dir = tempDir();
    const out = run(['import-hsds', writeJson({ hello: 'world' })], dir);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('feed.json: expected an HSDS service, an array of them, or a page with "contents"');
    expect(run(['import-hsds'], dir).status).toBe(2);
  });
});
