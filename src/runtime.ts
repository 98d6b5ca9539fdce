// Everything the server and the command-line tools share: the checked
// catalogue and flows, the store and the key that hides numbers.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import { makeLogger } from './core/log.ts';
import { Bot } from './bot.ts';
import { loadCatalogue } from './catalogue/load.ts';
import type { Catalogue } from './catalogue/types.ts';
import { FlowError, loadFlows } from './conversation/load-flows.ts';
import type { Flow } from './conversation/types.ts';
import type { Config } from './config.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import { Subjects, loadSecret } from './store/subject.ts';
import { LiveCatalogue } from './catalogue/live.ts';
import { openCatalogueStore } from './catalogue/store-open.ts';
import type { CatalogueStore } from './catalogue/store-types.ts';
import { validateCatalogue } from './catalogue/schema.ts';
import { reportReader } from './report/open.ts';
import { FreshnessStore } from './freshness/store.ts';
import { providerAnswers } from './freshness/setup.ts';

export interface Runtime {
  config: Config;
  logger: Logger;
  catalogue: Catalogue;
  flow: Flow;
  store: Store;
  subjects: Subjects;
  secret: Buffer;
  /** The catalogue's store (revisions, staff desk) and the live catalogue read from it. */
  catalogueStore: CatalogueStore;
  live: LiveCatalogue;
  /** Verification contacts and requests (keeping facts fresh). */
  freshness: FreshnessStore;
}

/** The webhook app as configured: what the server runs (and the benchmark measures). */
export async function appFromRuntime(rt: Runtime): Promise<FastifyInstance> {
  const { config } = rt;
  // Every instance follows the store's catalogue: a save anywhere reaches it within a second or so.
  rt.live.start();
  const app = await buildApp({
    bot: new Bot({ ...rt, flood: config.flood, providers: providerAnswers(rt) }),
    deliveries: rt.store,
    staff: {
      live: rt.live,
      catalogueStore: rt.catalogueStore,
      report: reportReader(rt.store),
      secureCookies: config.publicBaseUrl?.startsWith('https://') ?? false,
      freshness: rt.freshness,
      freshDays: config.freshDays,
    },
    logger: rt.logger,
    twilioAuthToken: config.twilioAuthToken,
    publicBaseUrl: config.publicBaseUrl,
    accountSid: config.twilio.accountSid,
  });
  app.addHook('onClose', async () => rt.live.stop());
  return app;
}

export { makeLogger } from './core/log.ts';

/** Loads and checks the data first, so a broken catalogue stops the start before anything opens. */
export function loadContent(config: Config): { catalogue: Catalogue; flow: Flow } {
  const catalogue = loadCatalogue(config.catalogueFile);
  const flow = loadFlows(config.flowsDir);
  checkFlowCategories(flow, catalogue);
  return { catalogue, flow };
}

/** A keyword that opens a category the catalogue does not have is an error in flows/. */
export function checkFlowCategories(flow: Flow, catalogue: Catalogue): void {
  const known = new Set(catalogue.categories.map((c) => c.id));
  const errors = flow.def.triggers.flatMap((t, i) =>
    t.category && !known.has(t.category)
      ? [`flows/main.json: triggers[${i}].category: unknown category "${t.category}" (data/services.json has: ${[...known].join(', ')})`]
      : [],
  );
  catalogue.services.forEach((svc, i) => {
    for (const code of Object.keys(svc.translations ?? {})) {
      if (!flow.languages[code]) errors.push(`data/services.json: services[${i}].translations.${code}: unknown language (flows/lang has: ${Object.keys(flow.languages).join(', ')}) [service "${svc.id}"]`);
    }
  });
  if (errors.length) throw new FlowError(errors);
}

/** Every problem `npm run check` would report in this catalogue, with these flows. */
export function catalogueProblems(flow: Flow, catalogue: Catalogue, label = 'catalogue'): string[] {
  const errors = validateCatalogue(catalogue, label);
  if (errors.length) return errors;
  try {
    checkFlowCategories(flow, catalogue);
  } catch (e) {
    if (e instanceof FlowError) return e.errors;
    throw e;
  }
  return [];
}

export async function openRuntime(config: Config, logger = makeLogger(config.logLevel)): Promise<Runtime> {
  const flow = loadFlows(config.flowsDir);
  flow.freshDays = config.freshDays;
  const secret = loadSecret(config.secret, config.dataDir);
  // SQLite under DATA_DIR, or PostgreSQL when DATABASE_URL is set (migrated on open).
  const store = await openStore(config, secret, logger);
  // The live catalogue is the store's; data/services.json seeds an empty store.
  const catalogueStore = await openCatalogueStore(store);
  const live = await LiveCatalogue.open(catalogueStore, () => loadCatalogue(config.catalogueFile), (c) => catalogueProblems(flow, c), {
    onError: (err) => logger.error({ err }, 'could not reload the catalogue'),
  });
  const catalogue = live.current();
  checkFlowCategories(flow, catalogue);
  const subjects = new Subjects(secret);
  const freshness = await FreshnessStore.open(store, secret, subjects);
  return { config, logger, catalogue, flow, store, subjects, secret, catalogueStore, live, freshness };
}
