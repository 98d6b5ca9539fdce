// Asking providers by SMS, and taking their answers.
//
// tick(): (1) requests open for 28 days become unanswered; (2) in the asking
// window (weekdays 10:00-13:00 London), opens the due requests and the
// 14-day reminders, each with its outbox row under a unique key; (3)
// recovers rows a dead sender left half-sent; (4) claims and sends, with the
// reminders' Twilio sender and the same guarantees and error handling (see
// src/reminders/dispatcher.ts): the text is recorded before it goes, and
// after a crash Twilio is asked whether it went, so it goes exactly once.
import type { Logger } from 'pino';
import { findService } from '../catalogue/offered.ts';
import type { Catalogue } from '../catalogue/types.ts';
import type { Flow } from '../conversation/types.ts';
import { deliverClaimed, nextAttemptAt, recoverStale } from '../reminders/outbox-pump.ts';
import { DeliveryError, maskNumber, type Sender } from '../reminders/sender.ts';
import type { Subjects } from '../store/subject.ts';
import { londonParts } from '../time/london.ts';
import { UNANSWERED_AFTER_DAYS, dueReminders, dueRequests, inAskingWindow } from './due.ts';
import { requestText } from './messages.ts';
import type { ClaimedVerify, FreshnessStore } from './store.ts';
import { Pacer } from '../reminders/pacer.ts';

export interface VerifierOptions {
  store: FreshnessStore;
  sender: Sender;
  flow: Flow;
  live: { current(): Catalogue };
  subjects: Subjects;
  logger: Logger;
  worker: string;
  verifyAfterDays: number;
  /** Messages a second at most (REMINDER_MPS). */
  mps: number;
  /** The pacer shared with the others sending through the same account (default: one of its own at `mps`). */
  pacer?: Pacer;
  maxAttempts?: number;
  backoffMs?: number;
  staleAfterMs?: number;
}

export interface VerifyReport {
  expired: number;
  opened: number;
  reminded: number;
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
  recovered: number;
}

const DAY_MS = 24 * 3600_000;

export class Verifier {
  private readonly o: Required<VerifierOptions>;
  private running: Promise<VerifyReport> | null = null;

  constructor(opts: VerifierOptions) {
    this.o = { maxAttempts: 5, backoffMs: 60_000, staleAfterMs: 120_000, ...opts, pacer: opts.pacer ?? new Pacer(opts.mps) };
  }

  tick(now: Date, signal?: AbortSignal): Promise<VerifyReport> {
    this.running ??= this.run(now, signal).finally(() => (this.running = null));
    return this.running;
  }

  async idle(): Promise<void> {
    await this.running?.then(
      () => undefined,
      () => undefined,
    );
  }

  /** What would be asked now (for `npm run freshness -- due`). */
  async due(now: Date): Promise<Array<{ serviceId: string; name: string; contact: string; kind: 'request' | 'reminder' }>> {
    const { store } = this.o;
    const requests = await store.requests();
    const contacts = await store.contacts();
    const cat = this.o.live.current();
    const asks = dueRequests(cat, contacts, requests, now, this.o.verifyAfterDays).map(({ service, contact }) => ({
      serviceId: service.id,
      name: contact.name,
      contact: maskNumber(contact.address),
      kind: 'request' as const,
    }));
    const reminders = dueReminders(requests, now).map((r) => {
      const c = contacts.find((x) => x.id === r.contactId);
      return { serviceId: r.serviceId, name: r.contactName, contact: c ? maskNumber(c.address) : '(removed)', kind: 'reminder' as const };
    });
    return [...asks, ...reminders];
  }

  private async run(now: Date, signal?: AbortSignal): Promise<VerifyReport> {
    const { store } = this.o;
    const report: VerifyReport = { expired: 0, opened: 0, reminded: 0, sent: 0, retried: 0, failed: 0, skipped: 0, recovered: 0 };
    if (signal?.aborted) return report;
    report.expired = await store.expire(new Date(now.getTime() - UNANSWERED_AFTER_DAYS * DAY_MS), now);
    // Nothing is opened outside the asking window: then nothing is read for it either (this runs every minute).
    if (inAskingWindow(now)) {
      const today = londonParts(now).date;
      const requests = await store.requests({ status: ['open', 'confirmed', 'changes', 'unanswered', 'stopped'] });
      for (const { service, contact } of dueRequests(this.o.live.current(), await store.contacts(), requests, now, this.o.verifyAfterDays)) {
        if ((await store.openRequest(service.id, contact, today, now)) !== null) report.opened++;
      }
      for (const r of dueReminders(requests, now)) if (await store.remind(r.id, today, now)) report.reminded++;
    }
    report.recovered = await this.recover(now, signal);
    await deliverClaimed({
      claim: () => store.claim(10, now, this.o.worker),
      deliver: (row) => this.deliver(row, now, signal),
      release: (id) => store.release(id),
      counts: report,
      signal,
    });
    return report;
  }

  private async recover(now: Date, signal?: AbortSignal): Promise<number> {
    const { store, sender, logger } = this.o;
    const rows = await store.staleClaims(new Date(now.getTime() - this.o.staleAfterMs));
    return recoverStale({
      rows: rows.map((r) => ({ id: r.id, body: r.body, address: r.address, since: r.claimedAt ?? now })),
      sender,
      recordedSids: () => store.recordedSids(),
      markSent: (id, sid) => store.markSent(id, sid, now),
      release: (id) => store.release(id),
      logger,
      logKey: 'verifyOutbox',
      what: 'verification text',
      signal,
    });
  }

  private async deliver(row: ClaimedVerify, now: Date, signal?: AbortSignal): Promise<'sent' | 'retried' | 'failed' | 'skipped' | 'released'> {
    const { store, sender, logger } = this.o;
    const log = { verifyOutbox: row.id, service: row.serviceId, kind: row.kind, to: row.address ? maskNumber(row.address) : null };
    const skip = async (why: string) => (await store.markDone(row.id, 'skipped', why, now), 'skipped' as const);
    if (!row.address) return skip('no_contact');
    if (row.contactStatus !== 'active') return skip(row.contactStatus);
    if (row.requestStatus !== 'open') return skip('request_closed');
    if (londonParts(now).date !== row.sendDate) return skip('too_late');
    const service = findService(this.o.live.current(), row.serviceId);
    if (!service || service.status === 'closed') return skip('service_gone');
    const body = requestText(this.o.flow, service, row.kind);
    if (!(await this.o.pacer.wait(signal))) return 'released';
    if (!(await store.prepare(row.id, body, this.o.worker))) return 'skipped';
    let res;
    try {
      res = await sender.send({ to: row.address, body });
    } catch (e) {
      return this.failed(row, e, now);
    }
    await store.markSent(row.id, res.sid, now);
    logger.info({ ...log, sid: res.sid, live: sender.live }, sender.live ? 'verification text sent' : 'verification text would send (no Twilio credentials)');
    return 'sent';
  }

  private async failed(row: ClaimedVerify, e: unknown, now: Date): Promise<'retried' | 'failed' | 'skipped'> {
    const { store, logger } = this.o;
    const log = { verifyOutbox: row.id, service: row.serviceId, to: maskNumber(row.address) };
    if (!(e instanceof DeliveryError)) {
      await store.markDone(row.id, 'failed', 'error', now);
      logger.error({ ...log, err: e }, 'verification text failed: not a Twilio or network error, so not retried');
      return 'failed';
    }
    const code = e.record;
    switch (e.failure) {
      case 'opted_out':
        await store.optOut(this.o.subjects.subject(row.address), now);
        await store.markDone(row.id, 'skipped', code, now);
        logger.warn({ ...log, code }, 'contact opted out at Twilio: no more verification texts to it');
        return 'skipped';
      case 'invalid_number':
        await store.markInvalid(row.contactId);
        await store.markDone(row.id, 'failed', code, now);
        logger.warn({ ...log, code }, 'contact is not a valid mobile number: not texted again');
        return 'failed';
      case 'retry':
        if (row.attempts >= this.o.maxAttempts) {
          await store.markDone(row.id, 'failed', code, now);
          logger.error({ ...log, code, attempts: row.attempts }, 'verification text failed: gave up retrying');
          return 'failed';
        }
        await store.markRetry(row.id, nextAttemptAt(now, this.o.backoffMs, row.attempts), code, now);
        logger.warn({ ...log, code, attempts: row.attempts }, 'verification text will be retried');
        return 'retried';
      default:
        await store.markDone(row.id, 'failed', code, now);
        logger.error({ ...log, code }, 'verification text failed');
        return 'failed';
    }
  }
}
