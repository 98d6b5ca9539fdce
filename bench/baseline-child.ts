// The baseline for `npm run bench`: a bare Fastify (the project's version)
// answering POST /twilio/messages with a fixed TwiML string. Like the real app
// it accepts only form bodies (@fastify/formbody), so both parse the same
// request; nothing else: no signature, no store, no logging.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';

const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Welcome to Waymark. Which city are you in? Reply with a number: 1 Southampton 2 Portsmouth</Message></Response>';

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
app.removeAllContentTypeParsers();
await app.register(formbody, { bodyLimit: 64 * 1024 });
app.post('/twilio/messages', async (_req, reply) => reply.type('text/xml').send(TWIML));

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(1), 5_000).unref();
  await app.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.on('disconnect', () => void shutdown());

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.send?.({ ready: true, port: (app.server.address() as AddressInfo).port });
