// Micro-benchmark of due(): 100,000 subscriptions over the real catalogue,
// at a moment when most of them are due.
//   npx tsx bench/due.ts [count]

import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCatalogue } from '../src/catalogue/load.ts';
import { remindable } from '../src/catalogue/offered.ts';
import { due, type SubscriptionRow, type Timing } from '../src/reminders/due.ts';
import { londonToInstant } from '../src/time/london.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const catalogue = loadCatalogue(path.join(ROOT, 'data/services.json'));
const scheduled = catalogue.services.filter(remindable);
if (scheduled.length === 0) throw new Error('no service in data/services.json can have reminders');

const count = Number(process.argv[2] ?? 100_000);
// Friday 4 December 2026, 08:30 London: the morning reminders of every
// service that runs on Fridays are due (sent at 08:00, 30 minutes ago).
const now = londonToInstant('2026-12-04', '08:30');
const createdAt = londonToInstant('2026-11-01', '12:00');

const subs: SubscriptionRow[] = [];
for (let i = 0; i < count; i++) {
  const timing: Timing = i % 10 === 0 ? 'evening' : 'morning';
  // A few subscriptions to a service that no longer exists.
  const serviceId = i % 1000 === 999 ? 'no-such-service' : scheduled[i % scheduled.length].id;
  subs.push({ id: i + 1, serviceId, timing, createdAt });
}

function run(): { ms: number; n: number } {
  const start = performance.now();
  const items = due(catalogue, subs, now);
  return { ms: performance.now() - start, n: items.length };
}

const first = run();
const times: number[] = [];
for (let i = 0; i < 20; i++) times.push(run().ms);
times.sort((a, b) => a - b);

console.log(`services with schedules: ${scheduled.map((s) => s.id).join(', ')}`);
console.log(`subscriptions: ${count}, due at ${now.toISOString()}: ${first.n}`);
console.log(`first call: ${first.ms.toFixed(1)} ms`);
console.log(
  `next 20 calls: median ${times[10].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[19].toFixed(1)} ms`,
);
