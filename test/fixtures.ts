// Small made-up catalogue entries for tests of times and reminders.
import type { Service } from '../src/catalogue/types.ts';

/** A public, active service in Southampton with no schedule unless given. */
export function makeService(partial: Partial<Service> = {}): Service {
  return {
    id: 'test-service',
    organization_id: 'test-org',
    name: 'Test drop-in',
    status: 'active',
    audience: 'public',
    area: 'southampton',
    categories: ['food'],
    description: 'A test service.',
    eligibility: null,
    access: ['drop_in'],
    access_note: null,
    location: null,
    phones: null,
    url: null,
    always_open: false,
    schedules: [],
    holiday_schedules: [],
    unknown: {},
    provenance: {},
    ...partial,
  };
}
