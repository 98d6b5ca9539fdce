// A local stand-in for Twilio's Messages API, as far as the reminder sender
// uses it (TWILIO_API_BASE_URL points the twilio library at it).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface Received {
  to: string;
  body: string;
  at: number;
}

export interface StandIn {
  url: string;
  received: Received[];
  rejected: number;
  close: () => Promise<void>;
}

/** Twilio's Messages API, as far as the sender uses it: create answers 201 with a queued message. */
export async function startStandIn(accountSid: string, authToken: string): Promise<StandIn> {
  const received: Received[] = [];
  let rejected = 0;
  let n = 0;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const messages = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 65_536) chunks.push(c);
    });
    req.on('end', () => {
      const at = performance.now();
      const send = (status: number, payload: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.headers.authorization !== expectedAuth) {
        rejected++;
        return send(401, { code: 20003, message: 'Authenticate', status: 401 });
      }
      if (req.method !== 'POST' || pathname !== messages || size > 65_536) {
        rejected++;
        return send(404, { code: 20404, message: 'not found (bench stand-in)', status: 404 });
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const to = form.get('To') ?? '';
      const body = form.get('Body') ?? '';
      received.push({ to, body, at });
      const sid = `SM${(++n).toString(16).padStart(32, '0')}`;
      const date = new Date().toUTCString().replace('GMT', '+0000');
      send(201, {
        sid,
        account_sid: accountSid,
        to,
        from: form.get('From'),
        messaging_service_sid: form.get('MessagingServiceSid'),
        body,
        status: 'queued',
        direction: 'outbound-api',
        num_segments: '1',
        num_media: '0',
        date_created: date,
        date_updated: date,
        date_sent: null,
        error_code: null,
        error_message: null,
        price: null,
        price_unit: 'GBP',
        api_version: '2010-04-01',
        uri: `${messages.replace('.json', '')}/${sid}.json`,
        subresource_uris: { media: `${messages.replace('.json', '')}/${sid}/Media.json` },
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get rejected() {
      return rejected;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
