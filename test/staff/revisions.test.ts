// Revisions and revert, as pure functions: what a revision records, and that
// undoing one leaves later changes alone (or refuses to overwrite them).
import { describe, expect, it } from 'vitest';
import { catalogueRevisions, revertRevision, serviceRevision, shownFields } from '../../src/catalogue/revisions.ts';
import type { Revision } from '../../src/catalogue/store-types.ts';
import type { Catalogue, Service } from '../../src/catalogue/types.ts';
import { content } from '../helpers.ts';

const HUB = 'portsmouth-refugee-hub';
let nextId = 1;
const stored = (r: NonNullable<ReturnType<typeof serviceRevision>>): Revision => ({ ...r, id: nextId++, at: new Date(), version: 1, revertOf: r.revertOf ?? null });
const hubOf = (c: Catalogue) => c.services.find((s) => s.id === HUB)!;
function edit(c: Catalogue, fn: (s: Service) => void): { catalogue: Catalogue; rev: Revision } {
  const next = structuredClone(c);
  const s = hubOf(next);
  fn(s);
  return { catalogue: next, rev: stored(serviceRevision('e@example.org', 'edit', hubOf(c), s, 'note')!) };
}

describe('revisions', () => {
  it('record bookkeeping fact by fact, and show only the fields a person edits', () => {
    const base = structuredClone(content().catalogue);
    const { rev } = edit(base, (s) => {
      s.url = 'https://example.org/hub';
      s.provenance.url = { sources: ['seed'], checked: '2026-12-04' };
      delete s.unknown.url;
    });
    expect(rev.fields).toEqual(expect.arrayContaining(['url', 'provenance.url']));
    expect(shownFields(rev.fields)).toEqual(['url']);
  });

  it('undo one change and keep a later change to another field, and its bookkeeping', () => {
    const base = structuredClone(content().catalogue);
    const first = edit(base, (s) => {
      s.url = 'https://example.org/hub';
      s.provenance.url = { sources: ['seed'], checked: '2026-12-04' };
      delete s.unknown.url;
    });
    const second = edit(first.catalogue, (s) => {
      s.name = 'The Hub';
    });
    const out = revertRevision(second.catalogue, first.rev);
    expect(out.ok).toBe(true);
    const hub = hubOf((out as { catalogue: Catalogue }).catalogue);
    expect(hub.url).toBe(hubOf(base).url);
    expect(hub.provenance.url).toEqual(hubOf(base).provenance.url);
    expect(hub.unknown).toEqual(hubOf(base).unknown);
    expect(hub.name).toBe('The Hub');
  });

  it('refuse to overwrite a field changed again since', () => {
    const base = structuredClone(content().catalogue);
    const first = edit(base, (s) => void (s.name = 'Hub A'));
    const second = edit(first.catalogue, (s) => void (s.name = 'Hub B'));
    expect(revertRevision(second.catalogue, first.rev)).toEqual({ ok: false, error: 'Name has changed again since; revert the later change first' });
  });

  it('undo one closure and keep one added later', () => {
    const base = structuredClone(content().catalogue);
    const day = (d: string) => ({ closed: true, start_date: d, end_date: d, opens_at: null, closes_at: null, note: null });
    const first = edit(base, (s) => s.holiday_schedules.push(day('2026-12-07')));
    const second = edit(first.catalogue, (s) => s.holiday_schedules.push(day('2026-12-14')));
    const out = revertRevision(second.catalogue, first.rev) as { ok: true; catalogue: Catalogue };
    expect(out.ok).toBe(true);
    expect(hubOf(out.catalogue).holiday_schedules.map((h) => h.start_date)).toEqual(['2026-12-14']);
  });

  it('undo an import that added a service, and one that removed a service', () => {
    const base = structuredClone(content().catalogue);
    const without = { ...structuredClone(base), services: base.services.filter((s) => s.id !== HUB) };
    const [removed] = catalogueRevisions('cli', 'import', base, without, 'import').filter((r) => r.serviceId === HUB);
    expect(removed.action).toBe('delete');
    const back = revertRevision(without, stored(removed)) as { ok: true; catalogue: Catalogue };
    expect(hubOf(back.catalogue)).toEqual(hubOf(base));
    const [added] = catalogueRevisions('cli', 'import', without, base, 'import').filter((r) => r.serviceId === HUB);
    expect(added.action).toBe('create');
    const gone = revertRevision(base, stored(added)) as { ok: true; catalogue: Catalogue };
    expect(gone.catalogue.services.some((s) => s.id === HUB)).toBe(false);
  });
});
