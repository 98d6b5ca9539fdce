// The Twilio edge as one Fastify plugin: form parsing, signature checking,
// body schemas, TwiML out, and the delivery status callback. Registered by
// buildApp under the prefix /twilio; the bot core behind it knows nothing of
// HTTP or Twilio (it gets an InboundMessage and returns replies).
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { InboundMessage } from '../../core/inbound.ts';
import { messageFormSchema, parseInbound, statusFormSchema, type MessageForm, type StatusForm } from './inbound.ts';
import { twiml } from './twiml.ts';
import { signatureValid } from './verify-signature.ts';

export interface TwilioEdgeOptions {
  /** The bot: a message in, the replies out. */
  handle(message: InboundMessage, now: Date): Promise<{ replies: string[] }>;
  /** A delivery update for a message we sent; false if no reminder has that SID. */
  recordDelivery(sid: string, status: string, errorCode: string | null, now: Date): Promise<boolean>;
  /** null = local mode: unsigned requests accepted (the server listens on loopback only). */
  authToken: string | null;
  /** The URL Twilio posts to, without the path: signatures are computed over it. */
  publicBaseUrl: string | null;
  /** If set, requests naming another Twilio account are refused. */
  accountSid: string | null;
  /** Largest form accepted (bytes): more is a 413. */
  bodyLimit: number;
  clock: () => Date;
  /** The reply when the bot fails: short, and still safe. */
  apology: string;
}

/** A schema error as the 400's text: "From is required", "MessageSid is malformed". */
function formError(errors: FastifySchemaValidationError[]): Error {
  const e = errors[0];
  const field = e?.keyword === 'required' ? String(e.params.missingProperty) : (e?.instancePath ?? '').replace(/^\//, '');
  if (!e || !field) return new Error('expected form fields');
  if (e.keyword === 'required') return new Error(`${field} is required`);
  return new Error(field === 'From' ? 'From is not an address' : `${field} is malformed`);
}

export const twilioEdge: FastifyPluginAsync<TwilioEdgeOptions> = async (app, opts) => {
  app.setSchemaErrorFormatter((errors) => formError(errors));

  // Only Twilio's form encoding is accepted here: anything else is a 415.
  app.removeAllContentTypeParsers();
  await app.register(formbody, { bodyLimit: opts.bodyLimit });

  // Before the body schema: a forged request is a 403 whatever it holds.
  // The signature covers every field Twilio sent, as sent (before validation).
  app.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    const form = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
    if (opts.authToken) {
      const base = opts.publicBaseUrl ?? `${req.protocol}://${req.host}`;
      const signature = req.headers['x-twilio-signature'];
      if (!signatureValid(opts.authToken, typeof signature === 'string' ? signature : undefined, base + req.url, form)) {
        const sid = typeof form.MessageSid === 'string' ? form.MessageSid.slice(0, 40) : undefined;
        req.log.warn({ sid }, 'bad Twilio signature');
        return reply.code(403).send({ error: 'invalid signature' });
      }
    }
    if (opts.accountSid && form.AccountSid !== opts.accountSid) {
      req.log.warn({ sid: typeof form.MessageSid === 'string' ? form.MessageSid.slice(0, 40) : undefined }, 'request for another Twilio account');
      return reply.code(403).send({ error: 'wrong account' });
    }
  });

  app.post<{ Body: MessageForm }>('/messages', { schema: { body: messageFormSchema } }, async (req, reply) => {
    const message = parseInbound(req.body);
    try {
      const handled = await opts.handle(message, opts.clock());
      return reply.type('text/xml').send(twiml(handled.replies));
    } catch (err) {
      req.log.error({ sid: message.messageId, err }, 'could not handle message: answered with the apology');
      return reply.type('text/xml').send(twiml([opts.apology]));
    }
  });

  // Delivery updates for reminders (StatusCallback). Signed like the webhook.
  app.post<{ Body: StatusForm }>('/status', { schema: { body: statusFormSchema } }, async (req, reply) => {
    const { MessageSid: sid, MessageStatus: status, ErrorCode } = req.body;
    const code = ErrorCode !== undefined && /^\d{1,6}$/.test(ErrorCode) ? ErrorCode : null;
    const known = await opts.recordDelivery(sid, status, code, opts.clock());
    req.log.info({ sid, status, code, known }, 'delivery status');
    return reply.code(204).send();
  });
};
