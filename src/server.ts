// Reads the configuration, opens storage, listens; stops cleanly on SIGTERM.
// A start-up failure is one line on stderr saying what and how to fix it, and exit code 1.
import { ConfigError, StartupError, listenProblem, loadConfig, prepareDataDir, startupWarnings } from './config.ts';
import { makeSender } from './channels/twilio/index.ts';
import { appFromRuntime, openRuntime, type Runtime } from './runtime.ts';
import { makeDispatcher } from './reminders/setup.ts';
import { Pacer } from './reminders/pacer.ts';
import { makeVerifier } from './freshness/setup.ts';
import { purgeExpired } from './store/retention.ts';

/** How long SIGTERM may take: a reminder in flight is finished, then the process exits 0. */
const SHUTDOWN_GRACE_MS = 10_000;

function cannotStart(message: string, err?: unknown): never {
  console.error(`Waymark cannot start: ${message.replace(/\s*\n\s*/g, '; ')}`);
  // A bug (not a problem with the setup): its stack helps whoever fixes it.
  if (err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError || err instanceof SyntaxError) {
    console.error(err.stack);
  }
  process.exit(1);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    throw e;
  }
  let rt: Runtime;
  try {
    // SQLite, and a key generated outside production, live in DATA_DIR.
    if (!config.databaseUrl || !config.secret) prepareDataDir(config.dataDir);
    rt = await openRuntime(config);
  } catch (e) {
    if (e instanceof StartupError) cannotStart(e.message);
    cannotStart((e as Error).message ?? String(e), e);
  }
  const { logger, store } = rt;
  const app = await appFromRuntime(rt);

  // Reminders: the dispatcher runs in-process once a minute. On shutdown it
  // stops claiming; the reminder in flight is finished and recorded.
  const sender = makeSender(config, logger);
  // Verification texts to providers (keeping facts fresh) go with the reminders,
  // through the same sender and within the same REMINDER_MPS.
  const pacer = new Pacer(config.reminderMps);
  const dispatcher = makeDispatcher(rt, sender, pacer);
  const verifier = makeVerifier(rt, sender, pacer);
  const stopping = new AbortController();
  const tick = () =>
    dispatcher
      .tick(new Date(), stopping.signal)
      .catch((err: unknown) => logger.error({ err }, 'reminder run failed'))
      .then(() => verifier.tick(new Date(), stopping.signal))
      .catch((err: unknown) => logger.error({ err }, 'verification run failed'));
  // Retention, hourly: idle sessions, old message ids, finished reminder rows.
  const purge = () =>
    purgeExpired(store, new Date(), config.sessionTtlDays)
      .then((n) => logger.info(n, 'expired data deleted'))
      .catch((err: unknown) => logger.error({ err }, 'purge failed'));
  // REMINDERS_IN_PROCESS=false: another instance or cron sends them.
  const timer = config.remindersInProcess ? setInterval(tick, 60_000) : undefined;
  timer?.unref();
  const purgeTimer = setInterval(purge, 3600_000);
  purgeTimer.unref();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing requests and the reminder in flight');
    const force = setTimeout(() => {
      logger.error({ graceMs: SHUTDOWN_GRACE_MS }, 'shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    try {
      stopping.abort();
      clearInterval(timer);
      clearInterval(purgeTimer);
      await app.close(); // stops accepting, waits for requests in flight
      await dispatcher.idle(); // the reminder in flight is recorded; the rest stay pending
      await verifier.idle();
      await store.close();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await store.close().catch((err: unknown) => logger.warn({ err }, 'could not close the store'));
    cannotStart(listenProblem(e, config) ?? `cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`, e);
  }
  void purge();
  const services = rt.catalogue.services.length;
  logger.info({ listening: address, services, languages: Object.keys(rt.flow.languages) }, 'Waymark listening');
  for (const warning of startupWarnings(config)) logger.warn(warning);
  if (config.remindersInProcess) void tick();
  else logger.info('reminders: not sent by this instance (REMINDERS_IN_PROCESS=false)');
  if (!config.remindersLive) {
    logger.warn('reminders: no Twilio credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN), so reminders are only logged as "would send"');
  }
  if (config.localMode) {
    logger.warn(
      `local mode: TWILIO_AUTH_TOKEN is not set, so unsigned requests are accepted on ${config.host} only. Try: curl -d From=+447700900123 -d Body=FOOD ${address}/twilio/messages`,
    );
  }
}

main().catch((e: unknown) => cannotStart((e as Error).message ?? String(e), e));
