// What the feed reads once the catalogue lives in the store: the live
// catalogue (in memory), and when each service last changed (its newest
// revision), looked up once per catalogue version, not per request.
import type { Catalogue } from '../catalogue/types.ts';
import type { FeedSnapshot } from './map.ts';

export interface LiveLike {
  current(): Catalogue;
  readonly version: number;
}

export interface RevisionsLike {
  revisions(opts: { limit?: number; serviceId?: string }): Promise<Array<{ at: Date }>>;
}

export function liveFeedSource(live: LiveLike, store: RevisionsLike): () => Promise<FeedSnapshot> {
  let cached: { version: number; times: Map<string, Date> } | null = null;
  let loading: Promise<{ version: number; times: Map<string, Date> }> | null = null;

  const load = async (version: number, catalogue: Catalogue) => {
    const times = new Map<string, Date>();
    for (const s of catalogue.services) {
      const [newest] = await store.revisions({ serviceId: s.id, limit: 1 });
      if (newest) times.set(s.id, newest.at);
    }
    return { version, times };
  };

  return async () => {
    const version = live.version;
    const catalogue = live.current();
    if (cached?.version !== version) {
      loading ??= load(version, catalogue).finally(() => (loading = null));
      cached = await loading;
    }
    const times = cached.times;
    return { catalogue, lastModified: (id) => times.get(id) };
  };
}
