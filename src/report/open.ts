// The report's reader on the configured store: same database, same connection.
import { PostgresStore } from '../store/postgres.ts';
import { SqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { PostgresCounters } from './store-postgres.ts';
import type { ReportReader } from './types.ts';

export function reportReader(store: Store): ReportReader {
  if (store instanceof SqliteStore) return store.counters;
  if (store instanceof PostgresStore) return new PostgresCounters(store.pool);
  throw new Error('the needs report needs the SQLite or PostgreSQL store');
}
