// A desk for tests: SQLite (or PostgreSQL) store, the live catalogue seeded
// from data/services.json, the bot and the app with the desk, and accounts.
import pino from 'pino';
import { TwilioSender } from '../../src/channels/twilio/sender.ts';
import { Dispatcher } from '../../src/reminders/dispatcher.ts';
import { buildApp } from '../../src/app.ts';
import { Bot } from '../../src/bot.ts';
import { LiveCatalogue } from '../../src/catalogue/live.ts';
import { openCatalogueStore } from '../../src/catalogue/store-open.ts';
import type { CatalogueStore } from '../../src/catalogue/store-types.ts';
import { catalogueProblems } from '../../src/runtime.ts';
import { hashPassword } from '../../src/staff/password.ts';
import type { Store } from '../../src/store/store.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { Subjects } from '../../src/store/subject.ts';
import { reportReader } from '../../src/report/open.ts';
import { BASE, SECRET, content, tempDir } from '../helpers.ts';

export const EDITOR = 'editor@example.org';
export const ADMIN = 'admin@example.org';
export const PASSWORD = 'correct horse battery';

export interface Desk {
  app: Awaited<ReturnType<typeof buildApp>>;
  bot: Bot;
  store: Store;
  catalogueStore: CatalogueStore;
  live: LiveCatalogue;
  logLines: string[];
  close: () => Promise<void>;
}

export async function makeDesk(o: { store?: Store; now?: () => Date; logLines?: string[]; secureCookies?: boolean } = {}): Promise<Desk> {
  const store = o.store ?? SqliteStore.open(tempDir(), SECRET);
  const catalogueStore = await openCatalogueStore(store);
  const { flow, catalogue } = content();
  const live = await LiveCatalogue.open(catalogueStore, () => structuredClone(catalogue), (c) => catalogueProblems(flow, c), { now: o.now?.() });
  const logLines = o.logLines ?? [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  const bot = new Bot({ flow, catalogue, live, store, subjects: new Subjects(SECRET), logger });
  const app = await buildApp({
    bot,
    deliveries: store,
    logger,
    twilioAuthToken: null,
    publicBaseUrl: BASE,
    clock: o.now ?? (() => new Date()),
    staff: { live, catalogueStore, report: reportReader(store), secureCookies: o.secureCookies ?? false },
  });
  const created = new Date();
  for (const [email, role] of [[EDITOR, 'editor'], [ADMIN, 'admin']] as const) {
    await catalogueStore.addStaff({ email, role, passwordHash: await hashPassword(PASSWORD), createdAt: created });
  }
  return {
    app,
    bot,
    store,
    catalogueStore,
    live,
    logLines,
    close: async () => {
      await app.close();
      live.stop();
      await store.close();
    },
  };
}

/** The reminders' dispatcher on the desk's store and live catalogue, sending through Twilio's REST API (nock it). */
export function deskDispatcher(desk: Desk, accountSid: string, worker = 'test'): Dispatcher {
  return new Dispatcher({
    store: desk.store,
    sender: new TwilioSender({ accountSid, authToken: 'token', smsFrom: '+447700900000', whatsappFrom: '+447700900001' }),
    flow: content().flow,
    catalogue: content().catalogue,
    live: desk.live,
    staffMessageText: (id) => desk.catalogueStore.staffMessageText(id),
    logger: pino({ level: 'silent' }),
    mps: 1000,
    worker,
    whatsappContentSid: null,
    statusCallbackUrl: null,
  });
}

/** A browser-less client for the desk: keeps its cookies, reads the CSRF token from each page. */
export class DeskClient {
  private cookies = new Map<string, string>();
  csrf = '';
  constructor(
    private readonly app: Desk['app'],
    private readonly ip = '203.0.113.10',
  ) {}

  private remember(res: { headers: Record<string, unknown>; body: string }) {
    const set = res.headers['set-cookie'];
    for (const c of (Array.isArray(set) ? set : set ? [set] : []) as string[]) {
      const [pair, ...attrs] = c.split(';');
      const [name, value] = pair.split('=');
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1];
  }

  private get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader }, remoteAddress: this.ip });
    this.remember(res);
    return res;
  }

  /** POSTs a form; with the page's CSRF token unless `csrf: false`. */
  async post(url: string, fields: Record<string, string>, o: { csrf?: boolean } = {}) {
    const body = new URLSearchParams(o.csrf === false ? fields : { _csrf: this.csrf, ...fields }).toString();
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
      remoteAddress: this.ip,
    });
    this.remember(res);
    return res;
  }

  async signIn(email = EDITOR, password = PASSWORD) {
    await this.get('/staff/login');
    return this.post('/staff/login', { email, password });
  }
}

/** The service form's fields as they are now (what a browser would post back), with changes. */
export function serviceFields(html: string, changes: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="(?:text|tel|url|hidden)"[^>]*?name="([^"]+)" value="([^"]*)"/g)) fields[m[1]] = decode(m[2]);
  for (const m of html.matchAll(/<input type="(?:text|tel|url|hidden)"[^>]*?id="([^"]+)" name="([^"]+)" value="([^"]*)"/g)) fields[m[2]] = decode(m[3]);
  for (const m of html.matchAll(/<select id="([^"]+)" name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const sel = /<option value="([^"]*)" selected>/.exec(m[3]);
    fields[m[2]] = sel ? sel[1] : '';
  }
  for (const m of html.matchAll(/<textarea id="([^"]+)" name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[m[2]] = decode(m[3]);
  delete fields._csrf;
  delete fields.message;
  delete fields.index;
  delete fields.date;
  return { ...fields, ...changes };
}

function decode(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
}
