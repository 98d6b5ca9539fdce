import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { Bot } from '../src/bot.ts';
import { loadCatalogue } from '../src/catalogue/load.ts';
import type { Catalogue } from '../src/catalogue/types.ts';
import { loadFlows } from '../src/conversation/load-flows.ts';
import type { Flow } from '../src/conversation/types.ts';
import { signRequest } from '../src/channels/twilio/verify-signature.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import { Subjects } from '../src/store/subject.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const TOKEN = 'test-auth-token-0123456789abcdef';
export const BASE = 'https://waymark.example.org';
export const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');

let cached: { flow: Flow; catalogue: Catalogue } | null = null;
export function content(): { flow: Flow; catalogue: Catalogue } {
  cached ??= {
    flow: loadFlows(path.join(ROOT, 'flows')),
    catalogue: loadCatalogue(path.join(ROOT, 'data/services.json')),
  };
  return cached;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-test-'));
}

export interface TestAppOptions {
  dataDir?: string;
  token?: string | null;
  now?: () => Date;
  logLines?: string[];
  store?: SqliteStore;
  catalogue?: Catalogue;
  accountSid?: string | null;
  flood?: { perMinute: number; blockMs: number };
}

export async function makeApp(o: TestAppOptions = {}) {
  const dataDir = o.dataDir ?? tempDir();
  const store = o.store ?? SqliteStore.open(dataDir, SECRET);
  const lines = o.logLines;
  const logger = lines
    ? pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) })
    : pino({ level: 'silent' });
  const { flow } = content();
  const catalogue = o.catalogue ?? content().catalogue;
  const bot = new Bot({ flow, catalogue, store, subjects: new Subjects(SECRET), logger, flood: o.flood ?? { perMinute: 30, blockMs: 10 * 60_000 } });
  const app = await buildApp({
    bot,
    deliveries: store,
    logger,
    twilioAuthToken: o.token === undefined ? TOKEN : o.token,
    publicBaseUrl: BASE,
    clock: o.now ?? (() => new Date('2026-12-04T10:30:00Z')),
    accountSid: o.accountSid ?? null,
  });
  return { app, store, bot, dataDir };
}

let sidCounter = 0;
export function sid(): string {
  sidCounter++;
  return 'SM' + String(sidCounter).padStart(32, '0');
}

export function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** A webhook request as Twilio would send it, signed with the twilio library. */
export function signed(params: Record<string, string>, url = '/twilio/messages', token = TOKEN) {
  return {
    method: 'POST' as const,
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signRequest(token, BASE + url, params),
    },
    payload: form(params),
  };
}

export function sms(from: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MessageSid: sid(),
    AccountSid: 'AC' + '0'.repeat(32),
    From: from,
    To: '+447700900000',
    Body: body,
    NumMedia: '0',
    ...extra,
  };
}

/** The <Message> texts of a TwiML answer. */
export function messages(xml: string): string[] {
  return [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** A log destination that keeps every line written to it, raw and parsed (for tests of what is logged). */
export function capturedLog(): { destination: Writable; lines: Array<Record<string, unknown>>; raw: string[] } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(l);
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      done();
    },
  });
  return { destination, lines, raw };
}
