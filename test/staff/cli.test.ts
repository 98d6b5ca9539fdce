// npm run staff and npm run catalogue, run as staff would run them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteCatalogueStore } from '../../src/catalogue/store-sqlite.ts';
import { verifyPassword } from '../../src/staff/password.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { ROOT, SECRET, tempDir } from '../helpers.ts';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
function run(script: string, args: string[], dataDir: string, input?: string, env: Record<string, string> = {}) {
  return spawnSync(TSX, [path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '', WAYMARK_SECRET: SECRET.toString(), ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

function withStore<T>(dataDir: string, fn: (cs: SqliteCatalogueStore) => Promise<T>): Promise<T> {
  const store = SqliteStore.open(dataDir, SECRET);
  return fn(new SqliteCatalogueStore(store.db)).finally(() => store.close());
}

describe('npm run staff', () => {
  it('adds an account with the password from standard input, refuses one under 12 characters, lists, changes the password and removes', async () => {
    const dir = tempDir();
    const short = run('src/cli/staff.ts', ['add', 'Ann@Example.org', '--role', 'admin'], dir, 'too short\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('at least 12 characters');
    const added = run('src/cli/staff.ts', ['add', 'Ann@Example.org', '--role', 'admin'], dir, 'a long enough password\n');
    expect(added.status, added.stderr).toBe(0);
    expect(run('src/cli/staff.ts', ['add', 'bob@example.org', '--role', 'boss'], dir, 'a long enough password\n').status).toBe(2);
    expect(run('src/cli/staff.ts', ['add', 'bob@example.org', '--role', 'editor'], dir, 'another long password\n').status).toBe(0);
    const list = run('src/cli/staff.ts', ['list'], dir);
    expect(list.stdout).toMatch(/^ann@example\.org\tadmin\tsince \d{4}-\d\d-\d\d\nbob@example\.org\teditor\t/);
    await withStore(dir, async (cs) => expect(await verifyPassword('a long enough password', (await cs.getStaff('ann@example.org'))!.passwordHash)).toBe(true));
    expect(run('src/cli/staff.ts', ['passwd', 'ann@example.org'], dir, 'a brand new password\n').status).toBe(0);
    await withStore(dir, async (cs) => {
      const hash = (await cs.getStaff('ann@example.org'))!.passwordHash;
      expect(hash).toMatch(/^scrypt\$/);
      expect(await verifyPassword('a brand new password', hash)).toBe(true);
      expect(await verifyPassword('a long enough password', hash)).toBe(false);
    });
    expect(run('src/cli/staff.ts', ['remove', 'bob@example.org'], dir).status).toBe(0);
    expect(run('src/cli/staff.ts', ['remove', 'bob@example.org'], dir).status).toBe(1);
    expect(run('src/cli/staff.ts', ['list'], dir).stdout).not.toContain('bob@');
  });
});

describe('npm run catalogue', () => {
  it('exports the live catalogue in the format of data/services.json, and imports a changed file as revisions', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'export.json');
    const exported = run('src/cli/catalogue.ts', ['export', out], dir);
    expect(exported.status, exported.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'data/services.json'), 'utf8'));
    const data = JSON.parse(fs.readFileSync(out, 'utf8'));
    const hub = data.services.find((s: { id: string }) => s.id === 'portsmouth-refugee-hub');
    hub.name = 'Portsmouth Refugee Hub (Buckland)';
    fs.writeFileSync(out, `${JSON.stringify(data, null, 2)}\n`);
    const imported = run('src/cli/catalogue.ts', ['import', out], dir);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('1 revision recorded');
    const again = run('src/cli/catalogue.ts', ['export'], dir);
    expect(again.stdout).toBe(fs.readFileSync(out, 'utf8'));
    await withStore(dir, async (cs) => {
      const [rev] = await cs.revisions({ serviceId: 'portsmouth-refugee-hub' });
      expect(rev).toMatchObject({ who: 'command line (import)', fields: ['name'], new: { name: 'Portsmouth Refugee Hub (Buckland)' } });
    });
  });

  it('refuses an invalid file with the same errors as npm run check, and changes nothing', async () => {
    const dir = tempDir();
    const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/services.json'), 'utf8'));
    const i = data.services.findIndex((s: { schedules: unknown[] | null }) => s.schedules?.length);
    data.services[i].schedules[0].opens_at = '10am';
    const bad = path.join(dir, 'services.json');
    fs.writeFileSync(bad, JSON.stringify(data));
    const check = spawnSync(TSX, [path.join(ROOT, 'src/cli/check.ts')], { cwd: ROOT, env: { ...process.env, CATALOGUE_FILE: bad }, encoding: 'utf8' });
    const imported = run('src/cli/catalogue.ts', ['import', bad], dir);
    expect(imported.status).toBe(1);
    const problem = (s: string) => s.split('\n').filter((l) => l.includes('opens_at'));
    expect(problem(imported.stderr)).toEqual(problem(check.stderr));
    expect(problem(imported.stderr)[0]).toMatch(/services\.json: services\[\d+\]\.schedules\[0\]\.opens_at: expected "HH:MM", got "10am"/);
    await withStore(dir, async (cs) => expect(await cs.catalogueVersion()).toBe(0));
  });
});
