// npm run catalogue -- export [FILE]   the live catalogue, in data/services.json's format (standard output without FILE)
// npm run catalogue -- import FILE     replace the live catalogue with FILE, checked as `npm run check` checks it
// npm run catalogue -- import-hsds FILE  add FILE's Open Referral (HSDS 3.0) services as drafts, and say what could not be mapped
// All work while the server runs: an import reaches every instance within seconds.
import fs from 'node:fs';
import path from 'node:path';
import { CatalogueError, loadCatalogue } from '../catalogue/load.ts';
import { LiveCatalogue } from '../catalogue/live.ts';
import { exportCatalogue } from '../catalogue/revisions.ts';
import { loadFlows } from '../conversation/load-flows.ts';
import { readHsdsFile, reportLines } from '../openreferral/import-file.ts';
import { importHsdsDrafts } from '../openreferral/import-store.ts';
import { catalogueProblems } from '../runtime.ts';
import { openDeskStores } from './desk-store.ts';
import { runMain } from './args.ts';

const USAGE = 'usage: npm run catalogue -- export [FILE] | import FILE | import-hsds FILE';

function printProblems(errors: string[]): void {
  console.error(`${errors.length} problem${errors.length === 1 ? '' : 's'} found:`);
  for (const e of errors) console.error(`  ${e}`);
  console.error('Fix these and run the import again. Nothing was changed.');
}

async function main(): Promise<number> {
  const [command, file, ...extra] = process.argv.slice(2);
  if ((command !== 'export' && command !== 'import' && command !== 'import-hsds') || (command !== 'export' && !file) || extra.length) {
    console.error(USAGE);
    return 2;
  }
  if (command === 'import-hsds') return importHsds(file);
  if (command === 'import') {
    // Checked before anything is opened, with the same words as npm run check.
    let catalogue;
    try {
      catalogue = loadCatalogue(path.resolve(file));
    } catch (e) {
      if (e instanceof CatalogueError) {
        printProblems(e.errors);
        return 1;
      }
      throw e;
    }
    const { config, store, catalogueStore } = await openDeskStores();
    try {
      const flow = loadFlows(config.flowsDir);
      const label = path.relative(process.cwd(), path.resolve(file)) || file;
      const problems = catalogueProblems(flow, catalogue, label);
      if (problems.length) {
        printProblems(problems);
        return 1;
      }
      const at = new Date();
      const who = 'command line (import)';
      const note = `imported from ${path.basename(file)}`;
      if ((await catalogueStore.catalogueVersion()) === 0) {
        const live = await LiveCatalogue.open(catalogueStore, () => catalogue, () => [], { now: at, note });
        console.log(`imported ${catalogue.services.length} services into an empty store (version ${live.version})`);
        return 0;
      }
      const live = await LiveCatalogue.open(catalogueStore, () => catalogue, (c) => catalogueProblems(flow, c, label));
      const result = await live.replace(catalogue, who, note, at);
      if (!result.ok) {
        printProblems(result.errors);
        return 1;
      }
      console.log(
        result.revisions === 0
          ? `no change: the live catalogue already matches ${label}`
          : `imported ${catalogue.services.length} services: ${result.revisions} revision${result.revisions === 1 ? '' : 's'} recorded (version ${result.version})`,
      );
      return 0;
    } finally {
      await store.close();
    }
  }
  const { config, store, catalogueStore } = await openDeskStores();
  try {
    // An empty store is seeded first, as the server's first start would.
    const flow = loadFlows(config.flowsDir);
    const snap = await LiveCatalogue.open(catalogueStore, () => loadCatalogue(config.catalogueFile), (c) => catalogueProblems(flow, c));
    snap.stop();
    const text = exportCatalogue(snap.current());
    if (file) {
      fs.writeFileSync(file, text);
      console.error(`wrote ${snap.current().services.length} services (version ${snap.version}) to ${file}`);
    } else process.stdout.write(text);
    return 0;
  } finally {
    await store.close();
  }
}

/** HSDS services as drafts: reported one by one; nothing reaches texters until published on the desk. */
async function importHsds(file: string): Promise<number> {
  const hsds = readHsdsFile(path.resolve(file));
  const { config, store, catalogueStore } = await openDeskStores();
  try {
    const flow = loadFlows(config.flowsDir);
    const live = await LiveCatalogue.open(catalogueStore, () => loadCatalogue(config.catalogueFile), (c) => catalogueProblems(flow, c, hsds.label));
    const result = await importHsdsDrafts(live, hsds, new Date());
    if (result.prepared) for (const line of reportLines(result.prepared)) console.log(line);
    if (!result.ok) {
      if (result.errors.length === 0) {
        console.log('Nothing imported.');
        return 1;
      }
      printProblems(result.errors);
      return 1;
    }
    console.log(`Saved as drafts (version ${result.version}): review and publish them on the desk (/staff). Until then nobody is offered them.`);
    return 0;
  } finally {
    await store.close();
  }
}

runMain(main, 'catalogue: ');
