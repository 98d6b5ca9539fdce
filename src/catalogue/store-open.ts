// The catalogue store beside the configured Store: same database, same
// connection (SQLite file or PostgreSQL pool), its own tables and migrations.
import { PostgresStore } from '../store/postgres.ts';
import { SqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { PostgresCatalogueStore } from './store-postgres.ts';
import { SqliteCatalogueStore } from './store-sqlite.ts';
import type { CatalogueStore } from './store-types.ts';

export async function openCatalogueStore(store: Store): Promise<CatalogueStore> {
  if (store instanceof SqliteStore) return new SqliteCatalogueStore(store.db);
  if (store instanceof PostgresStore) return PostgresCatalogueStore.open(store.pool);
  throw new Error('the catalogue store needs the SQLite or PostgreSQL store');
}
