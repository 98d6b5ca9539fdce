// The words of a reminder, in the person's language: the service, that day's
// times, where it is, and how to stop.
import type { Catalogue, Service } from '../catalogue/types.ts';
import { findService } from '../catalogue/offered.ts';
import { dayOpenings } from '../catalogue/opening-times.ts';
import { Texts, serviceLabel, whereText } from '../conversation/render.ts';
import type { Flow } from '../conversation/types.ts';
import { weekdayOf } from '../time/london.ts';
import type { OutboxRow } from '../core/domain.ts';

export interface ReminderText {
  body: string;
  /** For a WhatsApp template: {{1}} service, {{2}} day and times, {{3}} where. */
  variables: Record<string, string>;
}

function timesOn(tx: Texts, service: Service, date: string): string {
  const { slots } = dayOpenings(service, date);
  const known = slots.filter((s) => s.opens_at);
  if (known.length === 0) return tx.t('times_unconfirmed');
  return known.map((s) => (s.closes_at ? `${s.opens_at}-${s.closes_at}` : s.opens_at!)).join(', ');
}

export function reminderText(flow: Flow, catalogue: Catalogue, row: Pick<OutboxRow, 'serviceId' | 'occurrenceDate' | 'kind' | 'timing'>, lang: string): ReminderText | null {
  const service = findService(catalogue, row.serviceId);
  if (!service) return null;
  const tx = new Texts(flow, lang);
  const name = serviceLabel(tx, service);
  const day = tx.day(weekdayOf(row.occurrenceDate));
  const where = whereText(tx, service);
  if (row.kind === 'closed_notice') {
    const [, m, d] = row.occurrenceDate.split('-');
    const body = tx.t('reminder_closed', { service: name, day, date: `${Number(d)}/${Number(m)}` });
    return { body, variables: { '1': name, '2': body, '3': where } };
  }
  const times = timesOn(tx, service, row.occurrenceDate);
  const body =
    row.timing === 'evening'
      ? tx.t('reminder_tomorrow', { service: name, day, times, where })
      : tx.t('reminder_today', { service: name, times, where });
  return { body, variables: { '1': name, '2': `${day} ${times}`, '3': where } };
}
