// Stable HSDS ids: UUID version 5 (RFC 9562, SHA-1) of a name made from
// Waymark's own ids ("service:swvg-support"), in Waymark's own namespace.
// The same record gets the same id across restarts, exports and instances,
// and nothing needs storing.
import { createHash } from 'node:crypto';

/** Waymark's UUID namespace (a fixed random UUID; never change it: every published id depends on it). */
export const WAYMARK_NAMESPACE = '4c0b8a8e-52f1-4d0e-9a55-2b6f3a0e7d19';

function bytesOf(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** UUID v5 of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string = WAYMARK_NAMESPACE): string {
  const hash = createHash('sha1').update(bytesOf(namespace)).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50; // version 5
  b[8] = (b[8] & 0x3f) | 0x80; // RFC variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The ids of every record the feed publishes, each derived from Waymark ids. */
export const hsdsId = {
  service: (serviceId: string) => uuidV5(`service:${serviceId}`),
  organization: (orgId: string) => uuidV5(`organization:${orgId}`),
  /** A Waymark service has at most one place: the location and its link take the service's id. */
  location: (serviceId: string) => uuidV5(`location:${serviceId}`),
  serviceAtLocation: (serviceId: string) => uuidV5(`service_at_location:${serviceId}`),
  address: (serviceId: string) => uuidV5(`address:${serviceId}`),
  phone: (serviceId: string, index: number) => uuidV5(`phone:${serviceId}:${index}`),
  /** `key` tells apart the same weekly opening in winter and in summer, or a dated change. */
  schedule: (serviceId: string, key: string) => uuidV5(`schedule:${serviceId}:${key}`),
  serviceArea: (serviceId: string) => uuidV5(`service_area:${serviceId}`),
  taxonomy: () => uuidV5('taxonomy:waymark-categories'),
  taxonomyTerm: (categoryId: string) => uuidV5(`taxonomy_term:${categoryId}`),
  attribute: (serviceId: string, categoryId: string) => uuidV5(`attribute:${serviceId}:${categoryId}`),
} as const;

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
