// npm run migrate: brings the configured store's schema up to date and says
// its version. PostgreSQL (DATABASE_URL) or SQLite (DATA_DIR/waymark.db).
// Every start migrates too; run this before rolling out a new version to
// several instances, so that none of them starts on an old schema. A
// database newer than this code is refused, never touched.
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { SchemaTooNewError, describeUrl, makePool, migratePostgres } from '../store/postgres.ts';
import { openDatabase } from '../store/sqlite.ts';
import { migrateDeskPostgres } from '../catalogue/store-postgres.ts';
import { SqliteCatalogueStore } from '../catalogue/store-sqlite.ts';
import { PostgresSql, SqliteSql } from '../freshness/db.ts';
import { migrateFreshness } from '../freshness/store.ts';
import { runMain } from './args.ts';

async function main(): Promise<number> {
  const config = loadConfig();
  if (config.databaseUrl) {
    const pool = makePool(config.databaseUrl, 1);
    try {
      const { from, to } = await migratePostgres(pool).catch((e: Error) => {
        throw e instanceof SchemaTooNewError ? e : new Error(`PostgreSQL at ${describeUrl(config.databaseUrl!)}: ${e.message}`);
      });
      await migrateDeskPostgres(pool); // the staff desk's tables (catalogue, revisions, accounts)
      await migrateFreshness(new PostgresSql(pool)); // verification contacts and requests
      console.log(`PostgreSQL ${describeUrl(config.databaseUrl)}: schema version ${to}${from === to ? ' (up to date)' : ` (was ${from})`}`);
    } finally {
      await pool.end();
    }
    return 0;
  }
  const file = path.join(config.dataDir, 'waymark.db');
  const db = openDatabase(file); // migrates
  new SqliteCatalogueStore(db); // and the staff desk's tables
  await migrateFreshness(new SqliteSql(db)); // and the verification contacts and requests
  try {
    console.log(`SQLite ${file}: schema version ${db.pragma('user_version', { simple: true }) as number}`);
  } finally {
    db.close();
  }
  return 0;
}

runMain(main, 'migrate failed: ');
