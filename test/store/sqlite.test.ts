// The Store contract against SQLite (the default store).
import fs from 'node:fs';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { SECRET, tempDir } from '../helpers.ts';
import { TABLES, describeStore } from './store-contract.ts';

describeStore('SQLite', async () => {
  const dir = tempDir();
  const store = SqliteStore.open(dir, SECRET);
  const opened: Store[] = [store];
  return {
    store,
    rowsAbout: async (subject) =>
      Object.fromEntries(
        TABLES.map((t) => [t, (store.db.prepare(`SELECT count(*) AS n FROM ${t} WHERE subject = ?`).get(subject) as { n: number }).n]),
      ) as Record<(typeof TABLES)[number], number>,
    dump: async () => TABLES.map((t) => JSON.stringify(store.db.prepare(`SELECT * FROM ${t}`).all())).join('\n'),
    another: async () => {
      const other = SqliteStore.open(dir, SECRET);
      opened.push(other);
      return other;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      fs.rmSync(path.resolve(dir), { recursive: true, force: true });
    },
  };
});
