// The bench's settings: the command line, the environment (checked), the
// goals, and the run's random names and keys.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
export const CPU_PROF = argv.includes('--cpu-prof');
export const ONLY = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? null;
if (ONLY !== null && ONLY !== 'webhook') throw new Error(`--only: expected "webhook", got "${ONLY}"`);

export const CONNECTIONS = 20;
export const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
if (!(DURATION_S > 0 && DURATION_S <= 60)) throw new Error('BENCH_DURATION: expected 0 < seconds <= 60');
export const WARMUP_S = 2;
export const SENDERS = 10_000;
/** Senders per group in the request pool: a sender's next step comes 4 × GROUP requests later, far more than are in flight. */
export const GROUP = 500;
export const DUE_SUBS = 100_000;
export const DISPATCH_SUBS = 10_000;
export const DISPATCH_MPS = 500;
export const DISPATCH_TIMEOUT_MS = 90_000;

/** PostgreSQL for a second column; null: SQLite only. */
export const DATABASE_URL = process.env.DATABASE_URL || null;
if (DATABASE_URL !== null && !/^postgres(ql)?:\/\/\S+$/.test(DATABASE_URL)) {
  // Never echo the value: it may hold a password.
  throw new Error('DATABASE_URL: expected postgres://user:password@host:5432/database (or postgresql://…)');
}
/** Connections of the PostgreSQL store (the server child reads the same variable). */
export const PG_POOL_SIZE = Number(process.env.DATABASE_POOL_SIZE ?? 10);
if (!(Number.isInteger(PG_POOL_SIZE) && PG_POOL_SIZE >= 1 && PG_POOL_SIZE <= 1000)) throw new Error('DATABASE_POOL_SIZE: expected a whole number from 1 to 1000');

export const GOAL_RATIO = 0.5;
export const GOAL_P99_MS = 10;
export const GOAL_DUE_MS = 1000;

/** Other work on the machine skews every figure: printed with them. */
export const LOAD_AT_START = os.loadavg();

export const PATH = '/twilio/messages';
export const PUBLIC_BASE_URL = 'http://bench.local';
export const RUN_TAG = crypto.randomBytes(4).toString('hex');
export const AUTH_TOKEN = crypto.randomBytes(16).toString('hex');
export const SECRET = crypto.randomBytes(32).toString('hex'); // 64 characters
export const ACCOUNT_SID = 'AC' + crypto.randomBytes(16).toString('hex');
export const FORM = 'application/x-www-form-urlencoded';
