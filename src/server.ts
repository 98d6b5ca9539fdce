// Reads the configuration, opens storage, listens; stops cleanly on SIGTERM.
import { ConfigError, loadConfig } from './config.ts';
import { appFromRuntime, openRuntime } from './runtime.ts';
import { makeDispatcher } from './reminders/setup.ts';
import { purgeExpired } from './store/retention.ts';

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
  let rt;
  try {
    rt = await openRuntime(config);
  } catch (e) {
    console.error(`Waymark cannot start:\n${(e as Error).message}`);
    process.exit(1);
  }
  const { logger, store } = rt;
  const app = await appFromRuntime(rt);

  // Reminders: the dispatcher runs in-process once a minute.
  const dispatcher = makeDispatcher(rt);
  const tick = () =>
    dispatcher.tick(new Date()).catch((err) => logger.error({ err: { message: (err as Error).message } }, 'reminder run failed'));
  // Retention, hourly: idle sessions, old message ids, finished reminder rows.
  const purge = () =>
    purgeExpired(store, new Date(), config.sessionTtlDays)
      .then((n) => logger.info(n, 'expired data deleted'))
      .catch((err) => logger.error({ err: { message: (err as Error).message } }, 'purge failed'));
  // REMINDERS_IN_PROCESS=false: another instance or cron sends them.
  const timer = config.remindersInProcess ? setInterval(tick, 60_000) : undefined;
  timer?.unref();
  const purgeTimer = setInterval(purge, 3600_000);
  purgeTimer.unref();
  void purge();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      clearInterval(timer);
      clearInterval(purgeTimer);
      await app.close(); // stops accepting, waits for requests in flight
      await dispatcher.idle(); // lets a reminder run in progress record what it sent
      await store.close();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err: { message: (err as Error).message } }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ port: config.port, host: config.host });
  const services = rt.catalogue.services.length;
  logger.info({ listening: address, services, languages: Object.keys(rt.flow.languages) }, 'Waymark listening');
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

void main();
