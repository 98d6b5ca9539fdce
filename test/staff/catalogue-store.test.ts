// The CatalogueStore contract on SQLite and on PostgreSQL (TEST_DATABASE_URL).
import fs from 'node:fs';
import { openCatalogueStore } from '../../src/catalogue/store-open.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { SECRET, tempDir } from '../helpers.ts';
import { describePostgres, freshSchema } from '../store/pg-harness.ts';
import { describeCatalogueStore } from './catalogue-store-contract.ts';

describeCatalogueStore('SQLite', async () => {
  const dir = tempDir();
  const opened: Store[] = [];
  const one = async () => {
    const store = SqliteStore.open(dir, SECRET);
    opened.push(store);
    return { store, catalogueStore: await openCatalogueStore(store) };
  };
  return {
    ...(await one()),
    another: one,
    cleanup: async () => {
      for (const s of opened) await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describePostgres('PostgreSQL', (base) => {
  describeCatalogueStore('PostgreSQL', async () => {
    const { url, drop } = await freshSchema(base);
    const opened: Store[] = [];
    const one = async () => {
      const store = await PostgresStore.open(url, SECRET, { poolSize: 3 });
      opened.push(store);
      return { store, catalogueStore: await openCatalogueStore(store) };
    };
    return {
      ...(await one()),
      another: one,
      cleanup: async () => {
        for (const s of opened) await s.close();
        await drop();
      },
    };
  });
});
