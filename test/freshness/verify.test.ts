// Asking providers by SMS on SQLite and on PostgreSQL (TEST_DATABASE_URL).
import { describe } from 'vitest';
import { describePostgres } from '../store/pg-harness.ts';
import { postgresDb, sqliteDb } from './harness.ts';
import { describeVerification } from './verify-contract.ts';

describe('keeping facts fresh: SQLite', () => describeVerification(async () => sqliteDb()));

describePostgres('keeping facts fresh: PostgreSQL', (base) => describeVerification(() => postgresDb(base)));
