// Pure helpers for the catalogue's history: what changed between two versions
// of a service (or of the catalogue's other parts), how to undo a revision,
// and the export format. No I/O.
import { isDeepStrictEqual } from 'node:util';
import type { Catalogue, Service } from './types.ts';
import type { Revision, RevisionAction, RevisionInput } from './store-types.ts';

type Obj = Record<string, unknown>;

/** The top-level keys whose values differ, with their values before and after (absent keys left out). */
export function diffKeys(before: Obj | null, after: Obj | null): { fields: string[]; old: Obj; new: Obj } {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const fields: string[] = [];
  const old: Obj = {};
  const neu: Obj = {};
  for (const k of keys) {
    const a = before?.[k];
    const b = after?.[k];
    if (isDeepStrictEqual(a, b)) continue;
    fields.push(k);
    if (before && k in before) old[k] = a;
    if (after && k in after) neu[k] = b;
  }
  return { fields, old, new: neu };
}

/** The revision for one service's change, or null when nothing changed. */
export function serviceRevision(
  who: string,
  action: RevisionAction,
  before: Service | null,
  after: Service | null,
  note: string | null,
  revertOf: number | null = null,
): RevisionInput | null {
  const d = diffKeys(before as Obj | null, after as Obj | null);
  if (d.fields.length === 0 && action !== 'confirm') return null;
  const id = (after ?? before)!.id;
  const kind: RevisionAction = action === 'revert' ? 'revert' : !before ? 'create' : !after ? 'delete' : action;
  return { who, serviceId: id, action: kind, ...d, note, revertOf };
}

/** Every difference between two catalogues: one revision per service changed, one for the rest. */
export function catalogueRevisions(who: string, action: RevisionAction, before: Catalogue, after: Catalogue, note: string | null): RevisionInput[] {
  const out: RevisionInput[] = [];
  const { services: s1, ...rest1 } = before;
  const { services: s2, ...rest2 } = after;
  const top = diffKeys(rest1 as Obj, rest2 as Obj);
  if (top.fields.length) out.push({ who, serviceId: null, action, ...top, note });
  const old = new Map(s1.map((s) => [s.id, s]));
  const neu = new Map(s2.map((s) => [s.id, s]));
  for (const s of s2) {
    const r = serviceRevision(who, action, old.get(s.id) ?? null, s, note);
    if (r) out.push(r);
  }
  for (const s of s1) {
    if (!neu.has(s.id)) out.push(serviceRevision(who, action, s, null, note)!);
  }
  return out;
}

/** Applies values to an object's top-level keys: a key in `fields` but not in `values` is removed. */
function applyKeys<T extends Obj>(target: T, fields: string[], values: Obj): T {
  const out: Obj = structuredClone(target);
  for (const f of fields) {
    if (f in values) out[f] = structuredClone(values[f]);
    else delete out[f];
  }
  return out as T;
}

/**
 * The catalogue with a revision undone: its fields set back to their old
 * values (a created service removed, a deleted one put back at the end).
 * Later changes to other fields are kept.
 */
export function revertRevision(catalogue: Catalogue, rev: Revision): { ok: true; catalogue: Catalogue } | { ok: false; error: string } {
  const next = structuredClone(catalogue);
  if (rev.serviceId === null) {
    if (rev.fields.length === 0) return { ok: false, error: 'this revision changed nothing that can be undone' };
    const { services, ...rest } = next;
    return { ok: true, catalogue: { ...(applyKeys(rest as Obj, rev.fields, rev.old) as Omit<Catalogue, 'services'>), services } };
  }
  const i = next.services.findIndex((s) => s.id === rev.serviceId);
  const wasCreated = Object.keys(rev.old).length === 0 && rev.action !== 'confirm';
  const wasDeleted = Object.keys(rev.new).length === 0 && Object.keys(rev.old).length > 0 && rev.action !== 'confirm';
  if (wasCreated) {
    if (i < 0) return { ok: false, error: 'the service is already gone' };
    next.services.splice(i, 1);
    return { ok: true, catalogue: next };
  }
  if (wasDeleted) {
    if (i >= 0) return { ok: false, error: 'a service with this id exists again' };
    next.services.push(structuredClone(rev.old) as unknown as Service);
    return { ok: true, catalogue: next };
  }
  if (i < 0) return { ok: false, error: 'the service is no longer in the catalogue' };
  if (rev.fields.length === 0) return { ok: false, error: 'this revision changed nothing that can be undone' };
  next.services[i] = applyKeys(next.services[i] as unknown as Obj, rev.fields, rev.old) as unknown as Service;
  return { ok: true, catalogue: next };
}

/** The export format: data/services.json's own (two-space JSON, file order, a final newline). */
export function exportCatalogue(catalogue: Catalogue): string {
  return `${JSON.stringify(catalogue, null, 2)}\n`;
}

/** Fields a person would recognise, for the history page (bookkeeping keys left out). */
export function shownFields(fields: string[]): string[] {
  return fields.filter((f) => f !== 'provenance' && f !== 'unknown');
}
