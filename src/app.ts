// buildApp(): the Fastify app with its routes. Tests drive it with app.inject();
// server.ts opens the store and listens.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { Logger } from 'pino';
import type { Bot } from './bot.ts';
import { parseInbound } from './channels/twilio/inbound.ts';
import { twiml } from './channels/twilio/twiml.ts';
import { signatureValid } from './channels/twilio/verify-signature.ts';

export interface AppOptions {
  bot: Bot;
  logger: Logger;
  /** null = local mode: unsigned requests accepted (the server listens on loopback only). */
  twilioAuthToken: string | null;
  /** The URL Twilio posts to, without the path: signatures are computed over it. */
  publicBaseUrl: string | null;
  /** If set, requests naming another Twilio account are refused. */
  accountSid?: string | null;
  clock?: () => Date;
}

/** What a person gets when we cannot answer properly: short, and still safe. */
export const APOLOGY = 'Sorry, Waymark has a problem right now. Please try again later. In danger: call 999.';

// Twilio's form posts are small: 1,600 characters of body and a few fields.
const BODY_LIMIT = 64 * 1024;

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const clock = opts.clock ?? (() => new Date());
  const app = Fastify({
    loggerInstance: opts.logger as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Request logs carry method, route and status: never a body or a query.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // Only Twilio's form encoding is accepted: anything else is a 415.
  app.removeAllContentTypeParsers();
  await app.register(formbody, { bodyLimit: BODY_LIMIT });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err: { message: err.message, code: err.code }, url: req.routeOptions.url }, 'request failed');
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
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not found' }));

  app.get('/healthz', async () => ({ ok: true }));

  const verify = (req: FastifyRequest, params: Record<string, string>): boolean => {
    if (!opts.twilioAuthToken) return true; // local mode, loopback only (checked in config)
    const base = opts.publicBaseUrl ?? `${req.protocol}://${req.host}`;
    return signatureValid(opts.twilioAuthToken, req.headers['x-twilio-signature'] as string | undefined, base + req.url, params);
  };

  app.post('/twilio/messages', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, string>;
    if (typeof body !== 'object') return reply.code(400).send({ error: 'expected form fields' });
    if (!verify(req, body)) {
      req.log.warn({ sid: typeof body.MessageSid === 'string' ? body.MessageSid.slice(0, 40) : undefined }, 'bad Twilio signature');
      return reply.code(403).send({ error: 'invalid signature' });
    }
    if (opts.accountSid && body.AccountSid !== opts.accountSid) {
      req.log.warn({ sid: body.MessageSid }, 'request for another Twilio account');
      return reply.code(403).send({ error: 'wrong account' });
    }
    const parsed = parseInbound(body);
    if (!parsed.ok) return reply.code(400).send({ error: parsed.error });
    try {
      const handled = await opts.bot.handle(parsed.message, clock());
      return reply.type('text/xml').send(twiml(handled.replies));
    } catch (err) {
      req.log.error({ sid: parsed.message.messageId, err: { message: (err as Error).message } }, 'could not handle message');
      return reply.type('text/xml').send(twiml([APOLOGY]));
    }
  });

  // Delivery updates for reminders (StatusCallback). Signed like the webhook.
  app.post('/twilio/status', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, string>;
    if (!verify(req, body)) {
      req.log.warn('bad Twilio signature on status callback');
      return reply.code(403).send({ error: 'invalid signature' });
    }
    if (opts.accountSid && body.AccountSid !== opts.accountSid) return reply.code(403).send({ error: 'wrong account' });
    const sid = typeof body.MessageSid === 'string' ? body.MessageSid : '';
    const status = typeof body.MessageStatus === 'string' ? body.MessageStatus : '';
    if (!/^[A-Za-z0-9]{2,64}$/.test(sid) || !/^[a-z_]{2,20}$/.test(status)) {
      return reply.code(400).send({ error: 'MessageSid and MessageStatus are required' });
    }
    const code = typeof body.ErrorCode === 'string' && /^\d{1,6}$/.test(body.ErrorCode) ? body.ErrorCode : null;
    const known = await opts.bot.deps.store.recordDelivery(sid, status, code, clock());
    req.log.info({ sid, status, code, known }, 'delivery status');
    return reply.code(204).send();
  });

  return app;
}
