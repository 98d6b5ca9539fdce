// REMIND, REMIND EVENING, REMINDERS, REMIND OFF [n]. The person's reminders
// are the store's (ctx.reminders, read by the host before the turn); these
// only decide, and the effects tell the store what to change.
import { findService } from '../catalogue/offered.ts';
import { NO_REMINDERS, type Reminder, type Timing } from '../core/domain.ts';
import { EVENING as EVENING_TIME, MORNING as MORNING_TIME } from '../reminders/due.ts';
import { remindable } from '../catalogue/offered.ts';
import { serviceDays, serviceLabel } from './render.ts';
import type { Effect, Session, StepContext } from './types.ts';
import type { Texts } from './render.ts';

export const MAX_REMINDERS = 5;

interface Ctx {
  s: Session;
  tx: Texts;
  ctx: StepContext;
  effects: Effect[];
}

/**
 * The reminders that will be sent: none while the number is opted out
 * (STOP, or Twilio's 21610). A subscription the dispatcher dropped is gone
 * from the store, so it is neither listed nor counted.
 */
export function activeReminders(ctx: StepContext): Reminder[] {
  const r = ctx.reminders ?? NO_REMINDERS;
  return r.optedOut ? [] : r.list;
}

function label(c: Ctx, id: string): string {
  const svc = findService(c.ctx.catalogue, id);
  return svc ? serviceLabel(c.tx, svc) : id;
}

function whenText(tx: Texts, timing: Timing): string {
  return timing === 'evening' ? tx.t('when_evening', { time: EVENING_TIME }) : tx.t('when_morning', { time: MORNING_TIME });
}

export function remind(c: Ctx, timing: Timing): string {
  const { s, tx } = c;
  const svc = s.state === 'service' && s.service ? findService(c.ctx.catalogue, s.service) : undefined;
  if (!svc) return tx.t('remind_pick_first');
  const name = serviceLabel(tx, svc);
  if (!remindable(svc)) return tx.t('remind_no_schedule', { service: name });
  const reminders = activeReminders(c.ctx);
  const existing = reminders.find((r) => r.service === svc.id);
  if (existing && existing.timing === timing) return tx.t('remind_already', { service: name });
  if (!existing && reminders.length >= MAX_REMINDERS) return tx.t('remind_too_many', { max: MAX_REMINDERS });
  c.effects.push({ type: 'subscribe', service: svc.id, timing });
  return tx.t('remind_ok', { service: name, days: serviceDays(tx, svc), when: whenText(tx, timing) });
}

export function listReminders(c: Ctx): string {
  const { tx } = c;
  const reminders = activeReminders(c.ctx);
  if (reminders.length === 0) return tx.t('reminders_none');
  const list = reminders
    .map((r, i) => {
      const svc = findService(c.ctx.catalogue, r.service);
      const days = svc ? serviceDays(tx, svc) : '';
      return tx.t('reminders_item', { n: i + 1, service: label(c, r.service), days: `${days} ${whenText(tx, r.timing)}`.trim() });
    })
    .join('\n');
  return tx.t('reminders_list', { list });
}

export function remindOff(c: Ctx, n: number | null): string {
  const { tx } = c;
  const reminders = activeReminders(c.ctx);
  if (reminders.length === 0) return tx.t('reminders_none');
  if (n === null) {
    c.effects.push({ type: 'unsubscribe', service: null });
    return tx.t('remind_off_all');
  }
  if (n < 1 || n > reminders.length) return tx.t('remind_off_bad', { max: reminders.length });
  const gone = reminders[n - 1];
  c.effects.push({ type: 'unsubscribe', service: gone.service });
  return tx.t('remind_off_one', { service: label(c, gone.service) });
}
