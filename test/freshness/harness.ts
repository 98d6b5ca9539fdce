// Keeping facts fresh, for tests: a store (SQLite or PostgreSQL), the live
// catalogue seeded from data/services.json, the freshness store, the bot with
// providers' answers, the webhook and desk app, and a verifier that sends
// through Twilio's REST API (intercept it with nock).
import fs from 'node:fs';
import nock from 'nock';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { Bot } from '../../src/bot.ts';
import { TwilioSender } from '../../src/channels/twilio/sender.ts';
import { LiveCatalogue } from '../../src/catalogue/live.ts';
import { openCatalogueStore } from '../../src/catalogue/store-open.ts';
import type { CatalogueStore } from '../../src/catalogue/store-types.ts';
import { ProviderAnswers } from '../../src/freshness/answers.ts';
import { confirmer } from '../../src/freshness/confirm.ts';
import { FreshnessStore } from '../../src/freshness/store.ts';
import { Verifier } from '../../src/freshness/verifier.ts';
import { catalogueProblems } from '../../src/runtime.ts';
import { hashPassword } from '../../src/staff/password.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { Subjects } from '../../src/store/subject.ts';
import { BASE, SECRET, TOKEN, content, messages, signed, sms, tempDir } from '../helpers.ts';
import { freshSchema } from '../store/pg-harness.ts';

export const ACCOUNT = 'AC' + 'b'.repeat(32);
export const API = 'https://api.twilio.com';
export const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
export const EDITOR = 'editor@example.org';
export const PASSWORD = 'correct horse battery';

/** A database: SQLite in a temporary folder, or a fresh PostgreSQL schema. */
export interface Db {
  name: string;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

export function sqliteDb(): Db {
  const dir = tempDir();
  return { name: 'SQLite', open: async () => SqliteStore.open(dir, SECRET), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function postgresDb(base: string): Promise<Db> {
  const { url, drop } = await freshSchema(base);
  return { name: 'PostgreSQL', open: () => PostgresStore.open(url, SECRET, { poolSize: 3 }), drop };
}

export interface Fresh {
  store: Store;
  catalogueStore: CatalogueStore;
  live: LiveCatalogue;
  freshness: FreshnessStore;
  bot: Bot;
  app: Awaited<ReturnType<typeof buildApp>>;
  logLines: string[];
  verifier(worker?: string): Verifier;
  /** A text through the signed webhook at the harness's clock: the replies. */
  say(from: string, text: string, messageSid?: string): Promise<string[]>;
  setClock(d: Date): void;
  close(): Promise<void>;
}

export async function openFresh(db: Db, o: { now?: Date } = {}): Promise<Fresh> {
  const store = await db.open();
  const catalogueStore = await openCatalogueStore(store);
  const { flow, catalogue } = content();
  let clock = o.now ?? new Date('2026-12-07T10:00:00Z');
  const live = await LiveCatalogue.open(catalogueStore, () => structuredClone(catalogue), (c) => catalogueProblems(flow, c), { now: clock });
  const subjects = new Subjects(SECRET);
  const freshness = await FreshnessStore.open(store, SECRET, subjects);
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  const confirm = confirmer(live);
  const bot = new Bot({ flow, catalogue, live, store, subjects, logger, providers: new ProviderAnswers({ store: freshness, confirm, subjects, logger }) });
  const app = await buildApp({
    bot,
    deliveries: store,
    logger,
    twilioAuthToken: TOKEN,
    publicBaseUrl: BASE,
    clock: () => clock,
    staff: { live, catalogueStore, secureCookies: false, freshness },
  });
  await catalogueStore.addStaff({ email: EDITOR, role: 'editor', passwordHash: await hashPassword(PASSWORD), createdAt: clock });
  return {
    store,
    catalogueStore,
    live,
    freshness,
    bot,
    app,
    logLines,
    verifier: (worker = 'test') =>
      new Verifier({
        store: freshness,
        sender: new TwilioSender({ accountSid: ACCOUNT, authToken: 'token', smsFrom: '+447700900000', whatsappFrom: null }),
        flow,
        live,
        subjects,
        logger,
        worker,
        verifyAfterDays: 90,
        mps: 1000,
        backoffMs: 60_000,
        maxAttempts: 3,
      }),
    say: async (from, text, messageSid) => {
      const res = await app.inject(signed(sms(from, text, messageSid ? { MessageSid: messageSid } : {})));
      return messages(res.body);
    },
    setClock: (d) => (clock = d),
    close: async () => {
      await app.close();
      live.stop();
      await store.close();
    },
  };
}

export interface Sent {
  To: string;
  Body?: string;
  From?: string;
}

/** Intercepts message creation; returns the list of what Twilio was asked to send. */
export function twilioAccepts(times = 20): Sent[] {
  const sent: Sent[] = [];
  nock(API)
    .post(MESSAGES)
    .times(times)
    .reply(201, (_uri, body) => {
      const fields = Object.fromEntries(new URLSearchParams(body as string)) as unknown as Sent;
      sent.push(fields);
      return { sid: `SM${String(sent.length).padStart(2, '0')}${'0'.repeat(30)}`, status: 'queued', to: fields.To, body: fields.Body ?? null };
    });
  return sent;
}
