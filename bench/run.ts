// npm run bench: one run that measures the webhook against a bare Fastify
// baseline, due() over 100,000 subscriptions, and the reminder dispatcher
// against a local stand-in of Twilio's REST API. Prints a table and, as its
// last line, one JSON object with the figures.
//
//   npm run bench
//   npm run bench -- --cpu-prof            also profile the webhook server child
//                                          (profile in /tmp, top self-time printed)
//   npm run bench -- --only=webhook        just the baseline and the webhook
//   BENCH_DURATION=5 npm run bench         seconds per load run (default 10)
//   DATABASE_URL=postgres://… npm run bench
//                                          also run the webhook server and the
//                                          dispatcher on PostgreSQL: a second
//                                          column (SQLite | PostgreSQL)
//
// With DATABASE_URL, each PostgreSQL run gets a schema of its own, created
// empty (bench_<random>_hook, bench_<random>_dispatch: the store migrates it
// as on a first start) and dropped at the end, so that nothing already in the
// database is touched or skews the figures; the user needs CREATE on the
// database. The PostgreSQL server's own CPU (when it runs on this machine) is
// reported apart and not counted as other processes' CPU.
//
// Everything listens on 127.0.0.1 only. Children and temporary directories are
// removed at the end, also on error. Exit status: 0, or 1 on an error (a non-2xx
// or malformed answer, a socket error, a duplicate reminder, a second dispatcher
// run that sends again); a missed goal is printed as MISS but is not an error.
//
// The parts: settings.ts (options, goals), children.ts (child processes,
// cleanup, /proc figures), load.ts (autocannon and the signed conversations),
// webhook.ts (baseline and webhook phases), profile.ts (--cpu-prof),
// reminders.ts (due() and dispatch), twilio-stand-in.ts, postgres.ts (the
// PostgreSQL column), report.ts (table and JSON).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCatalogue } from '../src/catalogue/load.ts';
import { describeUrl } from '../src/store/postgres.ts';
import { cleanup, log } from './children.ts';
import { pgSetup } from './postgres.ts';
import { dispatchPhase, duePhase } from './reminders.ts';
import { report } from './report.ts';
import { DATABASE_URL, ONLY, ROOT } from './settings.ts';
import { baselinePhase, webhookPhase } from './webhook.ts';

async function main(): Promise<number> {
  const startedAt = performance.now();
  const catalogue = loadCatalogue(path.join(ROOT, 'data/services.json'));

  const pgb = DATABASE_URL === null ? null : (log(`PostgreSQL: connecting to ${describeUrl(DATABASE_URL)}`), await pgSetup(DATABASE_URL));
  const b = await baselinePhase();
  const w = await webhookPhase(null);
  const wp = pgb ? await webhookPhase(pgb) : null;
  const d = ONLY === 'webhook' ? null : (log('due(): 100,000 subscriptions, best of 3'), duePhase(catalogue));
  const x = ONLY === 'webhook' ? null : (log('dispatch: setting up'), await dispatchPhase(catalogue, null));
  const xp = ONLY === 'webhook' || !pgb ? null : (log('dispatch (PostgreSQL): setting up'), await dispatchPhase(catalogue, pgb));

  return report({ b, w, wp, d, x, xp, pgb, startedAt }) ? 1 : 0;
}

let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    log(`${signal}: stopping children and removing temporary files`);
    void cleanup().finally(() => process.exit(130));
  });
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);

