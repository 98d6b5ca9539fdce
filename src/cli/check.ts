// npm run check: validate data/ and flows/ the way the bot does at start, and
// say plainly what is wrong and where.
import path from 'node:path';
import { CatalogueError, loadCatalogue } from '../catalogue/load.ts';
import { FlowError, loadFlows } from '../conversation/load-flows.ts';
import type { Flow } from '../conversation/types.ts';
import type { Catalogue } from '../catalogue/types.ts';
import { coverageGaps } from '../catalogue/offered.ts';
import { checkFlowCategories } from '../runtime.ts';

function main(): number {
  const root = process.cwd();
  const catalogueFile = path.resolve(root, process.env.CATALOGUE_FILE || 'data/services.json');
  const flowsDir = path.resolve(root, process.env.FLOWS_DIR || 'flows');
  const errors: string[] = [];
  let catalogue: Catalogue | null = null;
  let flow: Flow | null = null;
  try {
    catalogue = loadCatalogue(catalogueFile);
  } catch (e) {
    if (e instanceof CatalogueError) errors.push(...e.errors);
    else throw e;
  }
  try {
    flow = loadFlows(flowsDir);
  } catch (e) {
    if (e instanceof FlowError) errors.push(...e.errors);
    else throw e;
  }
  if (catalogue && flow) {
    try {
      checkFlowCategories(flow, catalogue);
    } catch (e) {
      if (e instanceof FlowError) errors.push(...e.errors);
      else throw e;
    }
  }
  if (errors.length) {
    console.error(`${errors.length} problem${errors.length === 1 ? '' : 's'} found:`);
    for (const e of errors) console.error(`  ${e}`);
    console.error('Fix these and run `npm run check` again. The bot will not start until they are fixed.');
    return 1;
  }
  console.log(`ok: ${path.relative(root, catalogueFile)} (${catalogue!.services.length} services)`);
  for (const gap of coverageGaps(catalogue!)) {
    console.log(`note: no ${gap.category} service is listed for ${gap.city}: people there are told so`);
  }
  console.log(`ok: ${path.relative(root, flowsDir)}/ (${Object.keys(flow!.def.states).length} states, ${Object.keys(flow!.languages).length} languages)`);
  console.log('');
  console.log('Languages (get the unreviewed ones checked by a native speaker, then set "reviewed": true):');
  const rows = Object.values(flow!.languages).map((p) => [
    p.language.code,
    p.language.english_name ?? p.language.name,
    p.language.reviewed ? 'reviewed' : 'NOT REVIEWED',
    p.language.translation,
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(`  ${r.slice(0, 3).map((c, i) => c.padEnd(widths[i])).join('  ')}  ${r[3]}`);
  const urgent = Object.values(flow!.languages).filter((p) => !p.language.reviewed && p.language.review_note);
  if (urgent.length) {
    console.log('');
    console.log('Before launch, a native speaker must check:');
    for (const p of urgent) console.log(`  ${p.language.code.padEnd(widths[0])}  ${p.language.review_note}`);
  }
  return 0;
}

process.exitCode = main();
