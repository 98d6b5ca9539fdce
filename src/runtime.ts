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

export interface Runtime {
  config: Config;
  logger: Logger;
  catalogue: Catalogue;
  flow: Flow;
  store: Store;
  subjects: Subjects;
  secret: Buffer;
}

/** The webhook app as configured: what the server runs (and the benchmark measures). */
export function appFromRuntime(rt: Runtime): Promise<FastifyInstance> {
  const { config } = rt;
  return buildApp({
    bot: new Bot({ ...rt, flood: config.flood }),
    deliveries: rt.store,
    logger: rt.logger,
    twilioAuthToken: config.twilioAuthToken,
    publicBaseUrl: config.publicBaseUrl,
    accountSid: config.twilio.accountSid,
  });
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

export async function openRuntime(config: Config, logger = makeLogger(config.logLevel)): Promise<Runtime> {
  const { catalogue, flow } = loadContent(config);
  const secret = loadSecret(config.secret, config.dataDir);
  // SQLite under DATA_DIR, or PostgreSQL when DATABASE_URL is set (migrated on open).
  const store = await openStore(config, secret, logger);
  return { config, logger, catalogue, flow, store, subjects: new Subjects(secret), secret };
}
