// The stores' module boundaries: a PostgreSQL server must not need the
// native better-sqlite3 (nor a SQLite one pg), and the store depends on the
// shared domain types, never on the reminders code that uses it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

function driversLoadedBy(file: string): { sqlite: boolean; pg: boolean } {
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/store/fixtures/loaded-packages.mjs'), path.join(ROOT, file)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!);
}

describe('store modules', () => {
  it('importing the PostgreSQL store does not load better-sqlite3', () => {
    expect(driversLoadedBy('src/store/postgres.ts')).toEqual({ sqlite: false, pg: true });
  });

  it('importing openStore loads neither driver until one is chosen; the SQLite store does not load pg', () => {
    expect(driversLoadedBy('src/store/open.ts')).toEqual({ sqlite: false, pg: false });
    expect(driversLoadedBy('src/store/sqlite.ts')).toEqual({ sqlite: true, pg: false });
  });

  it('src/store imports nothing from src/reminders (shared types live in src/core/domain.ts)', () => {
    const dir = path.join(ROOT, 'src/store');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      expect(text, `src/store/${f}`).not.toMatch(/from '\.\.\/reminders\//);
    }
  });
});
