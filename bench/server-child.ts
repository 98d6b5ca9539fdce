// The real webhook server for `npm run bench`, in a child process: what
// src/server.ts does (loadConfig + openRuntime + appFromRuntime + listen),
// without the once-a-minute reminder timer, so that only the webhook path is
// measured. Tells the parent its port over IPC; exits cleanly on SIGTERM (so
// that --cpu-prof can write its profile) and when the parent goes away.
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.ts';
import { appFromRuntime, openRuntime } from '../src/runtime.ts';

const config = loadConfig();
const rt = await openRuntime(config);
const app = await appFromRuntime(rt);

let closing = false;
async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  const force = setTimeout(() => process.exit(1), 5_000);
  force.unref();
  try {
    await app.close();
    await rt.store.close();
  } finally {
    process.exit(code);
  }
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
process.on('disconnect', () => void shutdown(0));

// The parent asks, before and after the measured run, how many round trips
// the PostgreSQL store made for how many messages.
process.on('message', (m) => {
  if (m !== 'stats') return;
  const stats = (rt.store as { turnStats?: { roundTrips: number; turns: number } }).turnStats ?? null;
  process.send?.({ stats: stats ? { ...stats } : null });
});

await app.listen({ port: config.port, host: config.host });
const { port } = app.server.address() as AddressInfo;
process.send?.({ ready: true, port, services: rt.catalogue.services.length });
