// Which services the bot may offer, for a city and category.

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
export function offeredServices(cat: Catalogue, city: CityId, categoryId: string): Service[] {
  const matching = cat.services.filter((s) => isOfferedIn(s, city) && s.categories.includes(categoryId));
  return [...matching.filter((s) => s.area === city), ...matching.filter((s) => s.area === 'national')];
}

/** The service with this id, or undefined. */
export function findService(cat: Catalogue, id: string): Service | undefined {
  return cat.services.find((s) => s.id === id);
}

/** Categories with at least one offered service in `city`, in catalogue order. */
export function categoriesFor(cat: Catalogue, city: CityId): Category[] {
  return cat.categories.filter((c) => offeredServices(cat, city, c.id).length > 0);
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
