// npm run catalogue -- import-hsds: an HSDS file's services added to the
// live catalogue as drafts, in one change with its revisions (who: the
// command line), checked as every save is. Drafts reach nobody until a
// person publishes them on the desk.
import type { LiveCatalogue } from '../catalogue/live.ts';
import { catalogueRevisions } from '../catalogue/revisions.ts';
import { londonParts } from '../time/london.ts';
import { mapHsdsFile, withDrafts, type HsdsFile, type PreparedImport } from './import-file.ts';

export type StoreImport = { ok: true; prepared: PreparedImport; version: number } | { ok: false; errors: string[]; prepared: PreparedImport | null };

export async function importHsdsDrafts(live: LiveCatalogue, file: HsdsFile, at: Date): Promise<StoreImport> {
  const today = londonParts(at).date;
  let prepared: PreparedImport | null = null;
  const result = await live.change((before) => {
    const p = mapHsdsFile(file, before, today);
    prepared = p;
    if (p.drafts.length === 0) return { errors: [] };
    const after = withDrafts(structuredClone(before), p);
    return { catalogue: after, revisions: catalogueRevisions('command line (import-hsds)', 'import', before, after, `imported as drafts from ${file.label}`) };
  }, at);
  if (!result.ok) return { ok: false, errors: result.errors, prepared };
  return { ok: true, prepared: prepared!, version: result.version };
}
