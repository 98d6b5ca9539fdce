// The live catalogue: the store's, cached in memory by version so that the
// bot's hot path never reads the database for facts. Every instance checks
// the version once a second (one tiny query) and reloads when it moved, so a
// save on any instance reaches every instance within about a second; the
// instance that saved reloads at once.
import type { Catalogue } from './types.ts';
import { catalogueRevisions } from './revisions.ts';
import { frozen } from './freeze.ts';
import type { CatalogueStore, RevisionInput } from './store-types.ts';

export interface CatalogueSource {
  current(): Catalogue;
}

export type ChangeResult =
  | { ok: true; version: number; revisions: number }
  | { ok: false; errors: string[] };

/** A change: from the newest catalogue to the next, and the revisions that say what changed. */
export type Change = (catalogue: Catalogue) => { catalogue: Catalogue; revisions: RevisionInput[] } | { errors: string[] };

export class LiveCatalogue implements CatalogueSource {
  private snap: { version: number; catalogue: Catalogue };
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly store: CatalogueStore,
    initial: { version: number; catalogue: Catalogue },
    /** Every problem with a catalogue before it is saved (the checks of npm run check). */
    private readonly check: (c: Catalogue) => string[],
    private readonly onError: (err: Error) => void = () => undefined,
  ) {
    this.snap = { version: initial.version, catalogue: frozen(initial.catalogue) };
  }

  /**
   * The store's catalogue; an empty store is seeded first with `seed()` (one
   * revision, "seed"). Two instances starting at once seed it once.
   */
  static async open(
    store: CatalogueStore,
    seed: () => Catalogue,
    check: (c: Catalogue) => string[],
    opts: { now?: Date; onError?: (err: Error) => void; note?: string } = {},
  ): Promise<LiveCatalogue> {
    let snap = await store.loadCatalogue();
    if (!snap) {
      const catalogue = seed();
      const rev: RevisionInput = { who: 'system', serviceId: null, action: 'seed', fields: [], old: {}, new: {}, note: opts.note ?? 'first start: seeded from data/services.json' };
      const version = await store.saveCatalogue(catalogue, 0, [rev], opts.now ?? new Date());
      snap = version === 'conflict' ? await store.loadCatalogue() : { version, catalogue };
      if (!snap) throw new Error('the catalogue store lost the catalogue it was seeded with');
    }
    return new LiveCatalogue(store, snap, check, opts.onError);
  }

  current(): Catalogue {
    return this.snap.catalogue;
  }

  get version(): number {
    return this.snap.version;
  }

  /** Reloads if the store has a newer version. True if it did. */
  async refresh(): Promise<boolean> {
    const v = await this.store.catalogueVersion();
    if (v === this.snap.version) return false;
    const snap = await this.store.loadCatalogue();
    if (!snap || snap.version === this.snap.version) return false;
    this.snap = { version: snap.version, catalogue: frozen(snap.catalogue) };
    return true;
  }

  /** Checks the version every `ms` (default 1 s) until stop(). */
  start(ms = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.polling) return;
      this.polling = true;
      this.refresh()
        .catch((err: Error) => this.onError(err))
        .finally(() => (this.polling = false));
    }, ms);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Applies a change to the newest catalogue, checks the result as
   * `npm run check` would, and saves it with its revisions; when another
   * save came first, the change is applied again to that one.
   */
  async change(fn: Change, at: Date): Promise<ChangeResult> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const snap = (await this.store.loadCatalogue()) ?? this.snap;
      const out = fn(structuredClone(snap.catalogue));
      if ('errors' in out) return { ok: false, errors: out.errors };
      if (out.revisions.length === 0) return { ok: true, version: snap.version, revisions: 0 }; // nothing changed: nothing saved
      const errors = this.check(out.catalogue);
      if (errors.length) return { ok: false, errors };
      const version = await this.store.saveCatalogue(out.catalogue, snap.version, out.revisions, at);
      if (version === 'conflict') continue;
      this.snap = { version, catalogue: frozen(out.catalogue) };
      return { ok: true, version, revisions: out.revisions.length };
    }
    return { ok: false, errors: ['the catalogue kept changing while saving: try again'] };
  }

  /** Replaces the whole catalogue (npm run catalogue import), one revision per service changed. */
  replace(catalogue: Catalogue, who: string, note: string, at: Date): Promise<ChangeResult> {
    return this.change((before) => ({ catalogue, revisions: catalogueRevisions(who, 'import', before, catalogue, note) }), at);
  }
}
