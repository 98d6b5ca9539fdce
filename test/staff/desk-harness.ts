// A desk for tests: SQLite (or PostgreSQL) store, the live catalogue seeded
// from data/services.json, the bot and the app with the desk, and accounts.
import pino from 'pino';
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

export async function makeDesk(o: { store?: Store; now?: () => Date; logLines?: string[] } = {}): Promise<Desk> {
  const store = o.store ?? SqliteStore.open(tempDir(), SECRET);
  const catalogueStore = await openCatalogueStore(store);
  const { flow, catalogue } = content();
  const live = await LiveCatalogue.open(catalogueStore, () => structuredClone(catalogue), (c) => catalogueProblems(flow, c));
  const logLines = o.logLines ?? [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  const bot = new Bot({ flow, catalogue, live, store, subjects: new Subjects(SECRET), logger });
  const app = await buildApp({
    bot,
    logger,
    twilioAuthToken: null,
    publicBaseUrl: BASE,
    clock: o.now ?? (() => new Date()),
    staff: { live, catalogueStore, secureCookies: false },
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
