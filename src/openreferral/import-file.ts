// import-hsds's pieces around the pure mapping: read the file, name it as a
// source, and say what happened, service by service.
import fs from 'node:fs';
import path from 'node:path';
import type { Catalogue, Source } from '../catalogue/types.ts';
import type { LocalDate } from '../time/london.ts';
import { importHsds, slug, type ImportResult } from './import.ts';

export interface PreparedImport extends ImportResult {
  sourceId: string;
  source: Source;
}

export interface HsdsFile {
  label: string;
  json: unknown;
}

/** The file's JSON; throws naming the file when it cannot be read or parsed. */
export function readHsdsFile(file: string): HsdsFile {
  const label = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${label}: cannot read file: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${label}: not valid JSON: ${(e as Error).message}`);
  }
  return { label, json };
}

/** The drafts, organizations and source an HSDS file gives against `catalogue` (pure). */
export function mapHsdsFile({ label, json }: HsdsFile, catalogue: Catalogue, today: LocalDate): PreparedImport {
  let sourceId = `hsds-${slug(label.replace(/\.json$/i, ''))}-${today}`;
  for (let n = 2; sourceId in catalogue.sources; n++) sourceId = `hsds-${slug(label.replace(/\.json$/i, ''))}-${today}-${n}`;
  const source: Source = { title: `HSDS 3.0 file ${label}, imported on ${today}`, url: null, published: null };
  return { ...importHsds(json, { catalogue, today, sourceId, label }), sourceId, source };
}

/** The catalogue with the import's drafts, organizations and source added. */
export function withDrafts(catalogue: Catalogue, p: PreparedImport): Catalogue {
  return {
    ...catalogue,
    sources: p.drafts.length ? { ...catalogue.sources, [p.sourceId]: p.source } : catalogue.sources,
    organizations: [...catalogue.organizations, ...p.organizations],
    services: [...catalogue.services, ...p.drafts],
  };
}

/** One block per service: "NAME → draft ID", then what could not be mapped. */
export function reportLines(result: ImportResult): string[] {
  const out: string[] = [];
  for (const r of result.report) {
    out.push(r.draftId ? `${r.name} → draft ${r.draftId}` : `${r.name} → not imported`);
    for (const line of r.notMapped) out.push(`  - ${line}`);
  }
  const skipped = result.report.length - result.drafts.length;
  out.push(`${result.drafts.length} draft${result.drafts.length === 1 ? '' : 's'}${skipped ? `, ${skipped} not imported` : ''}; ${result.organizations.length} new organization${result.organizations.length === 1 ? '' : 's'}`);
  return out;
}
