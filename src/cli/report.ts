// npm run report -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--city southampton|portsmouth]
// The needs report in a terminal: people per need and week (the weeks of
// --from and --to, default the last 12), and the unmet needs. Small numbers
// are hidden as on the desk.
import { parseArgs } from 'node:util';
import { CITY_IDS, CITY_NAMES, isCityId } from '../catalogue/types.ts';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open.ts';
import { loadSecret } from '../store/subject.ts';
import { openCatalogueStore } from '../catalogue/store-open.ts';
import { reportReader } from '../report/open.ts';
import { parseRange } from '../report/range.ts';
import { reportText } from '../report/text-table.ts';
import { buildView } from '../report/view.ts';

const USAGE = 'usage: npm run report -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--city southampton|portsmouth]';

async function main(): Promise<number> {
  let values: { from?: string; to?: string; city?: string };
  try {
    ({ values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, city: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.city !== undefined && !isCityId(values.city)) {
    console.error(`--city: expected ${CITY_IDS.join(' or ')}, got "${values.city}"\n${USAGE}`);
    return 2;
  }
  const parsed = parseRange({ from: values.from, to: values.to }, new Date());
  if ('error' in parsed) {
    console.error(`${parsed.error.replace(/^"From"/, '--from').replace(/^"To"/, '--to').replace(/"From" is after "To"/, '--from is after --to')}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const store = await openStore(config, loadSecret(config.secret, config.dataDir));
  try {
    const catalogueStore = await openCatalogueStore(store);
    const catalogue = (await catalogueStore.loadCatalogue())?.catalogue;
    const names = new Map((catalogue?.categories ?? []).map((c) => [c.id, c.name]));
    const rows = await reportReader(store).rows(parsed.range);
    const view = buildView(rows, { ...parsed.range, city: values.city ?? null, categoryNames: names });
    process.stdout.write(reportText(view, { cityLabel: values.city && isCityId(values.city) ? CITY_NAMES[values.city] : 'all cities' }));
    return 0;
  } finally {
    await store.close();
  }
}

process.exitCode = await main();
