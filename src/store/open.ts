// Which store a configuration asks for: PostgreSQL when DATABASE_URL is set
// (several instances can share it), else SQLite under DATA_DIR.
import type { Config } from '../config.ts';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export type StoreConfig = Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'dataDir'>;

/** Opens (and migrates) the configured store. `secret` encrypts the numbers reminders need. */
export async function openStore(config: StoreConfig, secret: Buffer): Promise<Store> {
  if (config.databaseUrl) return PostgresStore.open(config.databaseUrl, secret, { poolSize: config.databasePoolSize });
  return SqliteStore.open(config.dataDir, secret);
}
