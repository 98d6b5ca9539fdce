// buildApp(): the Fastify app: the Twilio edge (a plugin under /twilio), the
// Open Referral feed (/openreferral),
// /healthz, errors and one log line per response. Tests drive it with
// app.inject(); server.ts opens the store and listens.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { Bot } from './bot.ts';
import type { DeliveryStore } from './store/store.ts';
import { twilioEdge } from './channels/twilio/plugin.ts';
import { makeLogger } from './core/log.ts';
import { staffDesk, type StaffDeskOptions } from './staff/plugin.ts';
import type { FeedSnapshot } from './openreferral/map.ts';
import { liveFeedSource } from './openreferral/live-source.ts';
import { openReferralFeed } from './openreferral/plugin.ts';

export interface AppOptions {
  bot: Bot;
  /** Where the status callback records delivery updates of reminders. */
  deliveries: DeliveryStore;
  /** The logger to use; or give logDestination (and logLevel, default 'info') to have one made. */
  logger?: Logger;
  logDestination?: DestinationStream;
  logLevel?: string;
  /** null = local mode: unsigned requests accepted (the server listens on loopback only). */
  twilioAuthToken: string | null;
  /** The URL Twilio posts to, without the path: signatures are computed over it. */
  publicBaseUrl: string | null;
  /** If set, requests naming another Twilio account are refused. */
  accountSid?: string | null;
  clock?: () => Date;
  /** The staff desk under /staff; none if not given. */
  staff?: StaffDeskOptions;
  /** What the Open Referral feed (/openreferral) publishes; by default the desk's live catalogue (or the bot's). */
  openReferralSource?: () => FeedSnapshot | Promise<FeedSnapshot>;
}

/** What a person gets when we cannot answer properly: short, and still safe. */
export const APOLOGY = 'Sorry, Waymark has a problem right now. Please try again later. In danger: call 999.';

// Twilio's form posts are small: 1,600 characters of body and a few fields.
const BODY_LIMIT = 64 * 1024;

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const clock = opts.clock ?? (() => new Date());
  const logger = opts.logger ?? makeLogger(opts.logLevel ?? 'info', opts.logDestination);
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Fastify's own request logs would write the URL (with its query): our
    // onResponse hook writes one line per response instead.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // No body parsers outside the Twilio edge (it adds its own form parser).
  app.removeAllContentTypeParsers();

  // One line per response, 404s, 413s and 415s included: method, route
  // pattern, status, milliseconds. Never the URL (its query), a body or a number.
  app.addHook('onResponse', async (req, reply) => {
    const line = {
      method: req.method,
      route: req.routeOptions.url ?? '(no route)',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (reply.statusCode >= 500) req.log.error(line, 'response');
    else req.log.info(line, 'response');
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, route: req.routeOptions.url }, 'request failed');
    const message =
      status === 415
        ? 'expected application/x-www-form-urlencoded (a Twilio webhook)'
        : status === 413
          ? 'request body too large'
          : status >= 500
            ? 'internal error'
            : err.message;
    reply.code(status).type('application/json').send({ error: message });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));

  app.get('/healthz', async () => ({ ok: true }));

  const { bot } = opts;
  await app.register(twilioEdge, {
    prefix: '/twilio',
    handle: (message, now) => bot.handle(message, now),
    recordDelivery: (sid, status, code, now) => opts.deliveries.recordDelivery(sid, status, code, now),
    authToken: opts.twilioAuthToken,
    publicBaseUrl: opts.publicBaseUrl,
    accountSid: opts.accountSid ?? null,
    bodyLimit: BODY_LIMIT,
    clock,
    apology: APOLOGY,
  });

  if (opts.staff) await app.register(staffDesk, { prefix: '/staff', clock, ...opts.staff });
  const feedBot = opts.bot;
  await app.register(openReferralFeed, {
    prefix: '/openreferral',
    // With the desk: the store's live catalogue and its revision times; else the bot's catalogue.
    source:
      opts.openReferralSource ??
      (opts.staff ? liveFeedSource(opts.staff.live, opts.staff.catalogueStore) : () => ({ catalogue: feedBot.deps.live?.current() ?? feedBot.deps.catalogue })),
    clock,
  });

  return app;
}
