// Which services the bot may offer, for a city and category.

import { isFrozenCatalogue } from './freeze.ts';
import { CITY_IDS, type Catalogue, type Category, type CityId, type Service } from './types.ts';

/** May this service be offered to someone in `city`? (active, published, public, local or national) */
export function isOfferedIn(service: Pick<Service, 'status' | 'audience' | 'area' | 'draft'>, city: CityId): boolean {
  return (
    service.status === 'active' &&
    service.draft !== true &&
    service.audience === 'public' &&
    (service.area === city || service.area === 'national')
  );
}

/**
 * Can a reminder be tied to this service? One that is offered (active, for the
 * public), not open all the time, with weekly days in its schedule. Used both
 * when a person asks (REMIND) and when reminders are made (due()).
 */
export function remindable(service: Service | undefined): service is Service {
  return (
    service !== undefined &&
    service.status === 'active' &&
    service.audience === 'public' &&
    !service.always_open &&
    (service.schedules ?? []).some((r) => r.byday.length > 0)
  );
}

/**
 * Services to offer in `city` for `categoryId`: active, public, in that category,
 * local to the city or national. City services first, then national, each in file order.
 */
// Answers for a frozen catalogue (the live one) are kept with it: every
// message asks them again, and they change only with the catalogue.
const memo = new WeakMap<Catalogue, Map<string, unknown>>();
function memoOf(cat: Catalogue): Map<string, unknown> | null {
  if (!isFrozenCatalogue(cat)) return null;
  let m = memo.get(cat);
  if (!m) memo.set(cat, (m = new Map()));
  return m;
}
export function offeredServices(cat: Catalogue, city: CityId, categoryId: string): Service[] {
  const m = memoOf(cat);
  const k = `o|${city}|${categoryId}`;
  const hit = m?.get(k) as Service[] | undefined;
  if (hit) return hit;
  const r = offeredServicesNow(cat, city, categoryId);
  m?.set(k, r);
  return r;
}
function offeredServicesNow(cat: Catalogue, city: CityId, categoryId: string): Service[] {
  const matching = cat.services.filter((s) => isOfferedIn(s, city) && s.categories.includes(categoryId));
  return [...matching.filter((s) => s.area === city), ...matching.filter((s) => s.area === 'national')];
}

/** The service with this id, or undefined. */
export function findService(cat: Catalogue, id: string): Service | undefined {
  const m = memoOf(cat);
  if (!m) return cat.services.find((s) => s.id === id);
  let byId = m.get('byId') as Map<string, Service> | undefined;
  if (!byId) m.set('byId', (byId = new Map(cat.services.map((s) => [s.id, s]))));
  return byId.get(id);
}

/** Categories with at least one offered service in `city`, in catalogue order. */
export function categoriesFor(cat: Catalogue, city: CityId): Category[] {
  const m = memoOf(cat);
  const hit = m?.get(`c|${city}`) as Category[] | undefined;
  if (hit) return hit;
  const r = cat.categories.filter((c) => offeredServices(cat, city, c.id).length > 0);
  m?.set(`c|${city}`, r);
  return r;
}

/** Category and city pairs with nothing to offer: shown by `npm run check` as warnings. */
export function coverageGaps(cat: Catalogue): Array<{ category: string; city: CityId }> {
  const gaps: Array<{ category: string; city: CityId }> = [];
  for (const c of cat.categories) {
    for (const city of CITY_IDS) {
      if (offeredServices(cat, city, c.id).length === 0) gaps.push({ category: c.id, city });
    }
  }
  return gaps;
}
