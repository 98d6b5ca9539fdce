// What the round trip compares: the fields the feed publishes.
import type { Service } from '../../src/catalogue/types.ts';

/**
 * The fields the feed publishes; the others (id, audience, access, translations, doubts,
 * provenance, unknown, and the staff's notes on schedules and closures) are Waymark's own.
 */
export function publishedPart(s: Service) {
  return {
    name: s.name,
    organization_id: s.organization_id,
    status: s.status,
    area: s.area,
    categories: s.categories,
    description: s.description,
    eligibility: s.eligibility,
    access_note: s.access_note,
    location: s.location,
    phones: s.phones,
    url: s.url,
    always_open: s.always_open,
    schedules: s.schedules?.map((r) => ({ ...r, note: null })) ?? null,
    holiday_schedules: s.holiday_schedules.map((h) => ({ ...h, note: null })),
  };
}
