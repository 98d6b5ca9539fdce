// Recording that the organisation confirmed a service's facts: the service's
// assured_date (London date), how and by whom, saved as a catalogue revision
// ("assure") so that the history shows it and every instance sees it.
import type { ChangeResult, LiveCatalogue } from '../catalogue/live.ts';
import { serviceRevision } from '../catalogue/revisions.ts';
import type { AssuredHow } from '../catalogue/types.ts';
import { londonParts } from '../time/london.ts';

export interface Assurance {
  how: AssuredHow;
  /** The staff member's email; null when the provider confirmed by SMS. */
  email: string | null;
  /** A staff member's note, or the contact's name for a provider's YES. */
  note: string | null;
}

export type Confirm = (serviceId: string, a: Assurance, now: Date) => Promise<ChangeResult>;

export function confirmer(live: Pick<LiveCatalogue, 'change'>): Confirm {
  return (serviceId, a, now) =>
    live.change((cat) => {
      const i = cat.services.findIndex((s) => s.id === serviceId);
      if (i < 0) return { errors: [`no service "${serviceId}"`] };
      const before = cat.services[i];
      const after = { ...structuredClone(before), assured_date: londonParts(now).date, assured_how: a.how, assurer_email: a.email, assured_note: a.note };
      cat.services[i] = after;
      const who = a.email ?? 'provider by SMS';
      return { catalogue: cat, revisions: [serviceRevision(who, 'assure', before, after, a.note)!].filter(Boolean) };
    }, now);
}
