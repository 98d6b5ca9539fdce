// Pure helpers for the catalogue's history: what changed between two versions
// of a service (or of the catalogue's other parts), how to undo a revision,
// and the export format. No I/O.
import { isDeepStrictEqual } from 'node:util';
import type { Catalogue, Service } from './types.ts';
import type { Revision, RevisionAction, RevisionInput } from './store-types.ts';

type Obj = Record<string, unknown>;

/**
 * The top-level keys whose values differ, with their values before and after
 * (absent keys left out). Keys in `nested` are compared one level down
 * ("provenance.phones"), so that undoing one fact's change leaves the
 * bookkeeping of the others alone.
 */
export function diffKeys(before: Obj | null, after: Obj | null, nested: readonly string[] = []): { fields: string[]; old: Obj; new: Obj } {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const fields: string[] = [];
  const old: Obj = {};
  const neu: Obj = {};
  for (const k of keys) {
    const a = before?.[k];
    const b = after?.[k];
    if (isDeepStrictEqual(a, b)) continue;
    if (before && after && nested.includes(k) && isObj(a ?? {}) && isObj(b ?? {})) {
      const inner = diffKeys((a ?? {}) as Obj, (b ?? {}) as Obj);
      for (const f of inner.fields) {
        fields.push(`${k}.${f}`);
        if (f in inner.old) old[`${k}.${f}`] = inner.old[f];
        if (f in inner.new) neu[`${k}.${f}`] = inner.new[f];
      }
      continue;
    }
    fields.push(k);
    if (before && k in before) old[k] = a;
    if (after && k in after) neu[k] = b;
  }
  return { fields, old, new: neu };
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A service's bookkeeping, compared fact by fact. */
const NESTED = ['provenance', 'unknown', 'doubts'] as const;

/** The revision for one service's change, or null when nothing changed. */
export function serviceRevision(
  who: string,
  action: RevisionAction,
  before: Service | null,
  after: Service | null,
  note: string | null,
  revertOf: number | null = null,
): RevisionInput | null {
  const d = diffKeys(before as Obj | null, after as Obj | null, NESTED);
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

/** Applies values to an object's keys ("a" or "a.b"): a key in `fields` but not in `values` is removed. */
function applyKeys<T extends Obj>(target: T, fields: string[], values: Obj): T {
  const out: Obj = structuredClone(target);
  for (const f of fields) {
    const dot = f.indexOf('.');
    if (dot < 0) {
      if (f in values) out[f] = structuredClone(values[f]);
      else delete out[f];
      continue;
    }
    const top = f.slice(0, dot);
    const inner: Obj = isObj(out[top]) ? (out[top] as Obj) : {};
    if (f in values) inner[f.slice(dot + 1)] = structuredClone(values[f]);
    else delete inner[f.slice(dot + 1)];
    out[top] = inner;
    if (top === 'doubts' && Object.keys(inner).length === 0) delete out[top];
  }
  return out as T;
}

type Closure = Service['holiday_schedules'][number];

/** Undo one change to the closures: what it added goes, what it removed comes back; later changes stay. */
function revertClosures(current: Closure[], before: Closure[], after: Closure[]): Closure[] {
  const has = (list: Closure[], h: Closure) => list.some((x) => isDeepStrictEqual(x, h));
  const added = after.filter((h) => !has(before, h));
  const removed = before.filter((h) => !has(after, h));
  const out = current.filter((h) => !has(added, h));
  for (const h of removed) if (!has(out, h)) out.push(structuredClone(h));
  return out.sort((a, b) => a.start_date.localeCompare(b.start_date));
}

/** What staff call a service's fields. */
export const FIELD_NAMES: Record<string, string> = {
  name: 'Name',
  phones: 'Phone',
  location: 'Address and postcode',
  url: 'Website',
  status: 'Status',
  schedules: 'Opening times',
  holiday_schedules: 'Closures',
  draft: 'Draft (not yet published)',
  categories: 'Categories',
};

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
  // A service's id never changes in an edit: it is among the fields only when the service came or went.
  const wasCreated = 'id' in rev.new && !('id' in rev.old);
  const wasDeleted = 'id' in rev.old && !('id' in rev.new);
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
  const current = next.services[i] as unknown as Obj;
  // A fact changed again since is not silently overwritten: undo the later change first.
  for (const f of shownFields(rev.fields)) {
    if (f === 'holiday_schedules') continue; // closures are undone one by one, below
    if (!isDeepStrictEqual(current[f], rev.new[f])) {
      return { ok: false, error: `${FIELD_NAMES[f] ?? f} has changed again since; revert the later change first` };
    }
  }
  const plain = rev.fields.filter((f) => f !== 'holiday_schedules');
  const reverted = applyKeys(current, plain, rev.old) as unknown as Service;
  if (rev.fields.includes('holiday_schedules')) {
    reverted.holiday_schedules = revertClosures(
      reverted.holiday_schedules,
      (rev.old.holiday_schedules ?? []) as Closure[],
      (rev.new.holiday_schedules ?? []) as Closure[],
    );
  }
  next.services[i] = reverted;
  return { ok: true, catalogue: next };
}

/** The export format: data/services.json's own (two-space JSON, file order, a final newline). */
export function exportCatalogue(catalogue: Catalogue): string {
  return `${JSON.stringify(catalogue, null, 2)}\n`;
}

/** Fields a person would recognise, for the history page (bookkeeping keys left out). */
export function shownFields(fields: string[]): string[] {
  return fields.filter((f) => !NESTED.some((n) => f === n || f.startsWith(`${n}.`)));
}
