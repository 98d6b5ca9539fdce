// Asking providers by SMS on SQLite and on PostgreSQL (TEST_DATABASE_URL).
import { describe } from 'vitest';
import { TEST_DATABASE_URL, postgresHalfNotConfigured } from '../store/pg-harness.ts';
import { postgresDb, sqliteDb } from './harness.ts';
import { describeVerification } from './verify-contract.ts';

describe('keeping facts fresh: SQLite', () => describeVerification(async () => sqliteDb()));

if (!TEST_DATABASE_URL) postgresHalfNotConfigured('test/freshness/verify.test.ts');
else {
  const base = TEST_DATABASE_URL;
  describe('keeping facts fresh: PostgreSQL', () => describeVerification(() => postgresDb(base)));
}
