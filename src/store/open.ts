// Which store a configuration asks for: PostgreSQL when DATABASE_URL is set
// (several instances can share it), else SQLite under DATA_DIR. Each is
// imported only when chosen: a PostgreSQL server never loads better-sqlite3
// (a native module), and a SQLite one never loads pg.
import type { Config } from '../config.ts';
import type { Store, StoreLogger } from './store.ts';

export type StoreConfig = Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'dataDir'>;

/** Opens (and migrates) the configured store. `secret` encrypts the numbers reminders need. */
export async function openStore(config: StoreConfig, secret: Buffer, logger?: StoreLogger): Promise<Store> {
  if (config.databaseUrl) {
    const { PostgresStore } = await import('./postgres.ts');
    return PostgresStore.open(config.databaseUrl, secret, { poolSize: config.databasePoolSize, logger });
  }
  const { SqliteStore } = await import('./sqlite.ts');
  return SqliteStore.open(config.dataDir, secret, logger, { backgroundCheckpoints: true });
}
