// Sends what is due. Each tick: (1) write due reminders to the outbox, one
// row per (subscription, occurrence) by a unique key; (2) recover rows a dead
// dispatcher left half-sent; (3) claim pending rows and send them through
// Twilio at REMINDER_MPS, recording the SID or the error.
//
// Guarantees (see README, "Reminders: exactly once"):
// - enqueue: the unique key makes writing the same due reminder twice a no-op;
// - claim: one transaction moves a row pending → sending, so two dispatchers
//   never hold one row;
// - send: the body is stored before the request; if the process dies after
//   Twilio accepted the message but before we recorded it, the row stays
//   'sending' and recovery asks Twilio whether a message with that body went
//   to that number since the claim: if so it is marked sent, if not it is
//   sent again. Nothing is lost and nothing is sent twice. One sent message
//   is matched to one row only: a message already recorded on another row,
//   or matched to another row in the same pass, is never taken again (two
//   WhatsApp template reminders to one person have no body to tell apart).
// - shutdown: tick(now, signal) stops claiming once the signal is aborted;
//   the message in flight is finished and recorded, the rest of the claimed
//   batch goes back to pending.
import type { Logger } from 'pino';
import type { Catalogue } from '../catalogue/types.ts';
import type { Flow } from '../conversation/types.ts';
import type { ClaimedRow } from '../core/domain.ts';
import type { ReminderStore } from '../store/store.ts';
import { londonParts } from '../time/london.ts';
import { due } from './due.ts';
import { reminderText } from './message.ts';
import { findService } from '../catalogue/offered.ts';
import { staffMessageIdOf, staffMessageText } from '../catalogue/store-types.ts';
import { DeliveryError, maskNumber, type OutgoingMessage, type Sender } from './sender.ts';
import { deliverClaimed, nextAttemptAt, recoverStale } from './outbox-pump.ts';
import { Pacer } from './pacer.ts';

export interface DispatcherOptions {
  store: ReminderStore;
  sender: Sender;
  flow: Flow;
  catalogue: Catalogue;
  logger: Logger;
  /** Messages a second at most. */
  mps: number;
  /** The pacer shared with the others sending through the same account (default: one of its own at `mps`). */
  pacer?: Pacer;
  /** Names this dispatcher in claimed rows. */
  worker: string;
  whatsappContentSid: string | null;
  /** The live catalogue (the staff desk edits it); `catalogue` when absent. */
  live?: { current(): Catalogue };
  /** The text of a staff message to subscribers (outbox kind 'staff_message'). */
  staffMessageText?: (id: number) => Promise<{ body: string } | null>;
  /** Approved WhatsApp template for staff messages outside the 24-hour window: {{1}} service, {{2}} message. */
  whatsappMessageContentSid?: string | null;
  /** Where Twilio posts delivery updates, or null. */
  statusCallbackUrl: string | null;
  maxAttempts?: number;
  backoffMs?: number;
  /** A claim older than this is a dead dispatcher's. */
  staleAfterMs?: number;
  batch?: number;
}

export interface TickReport {
  enqueued: number;
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
  recovered: number;
}

const WHATSAPP_WINDOW_MS = 24 * 3600_000;

export class Dispatcher {
  private readonly o: Required<DispatcherOptions>;
  private running: Promise<TickReport> | null = null;

  constructor(opts: DispatcherOptions) {
    this.o = {
      maxAttempts: 5,
      backoffMs: 60_000,
      staleAfterMs: 120_000,
      batch: 50,
      live: { current: () => opts.catalogue },
      staffMessageText: async () => null,
      whatsappMessageContentSid: null,
      ...opts,
      pacer: opts.pacer ?? new Pacer(opts.mps),
    };
  }

  /**
   * One run; a second call while one runs waits for it instead of overlapping.
   * Once `signal` is aborted (shutdown) the run claims nothing more: the
   * message in flight is finished, the rest of its batch goes back to pending.
   */
  tick(now: Date, signal?: AbortSignal): Promise<TickReport> {
    this.running ??= this.run(now, signal).finally(() => (this.running = null));
    return this.running;
  }

  /** Wait for a tick in progress (graceful shutdown). Its failure is logged by whoever started it. */
  async idle(): Promise<void> {
    await this.running?.then(
      () => undefined,
      (err: unknown) => this.o.logger.debug({ err }, 'the reminder run waited for ended with an error'),
    );
  }

  private async run(now: Date, signal?: AbortSignal): Promise<TickReport> {
    const { store, logger } = this.o;
    const catalogue = this.o.live.current();
    const report: TickReport = { enqueued: 0, sent: 0, retried: 0, failed: 0, skipped: 0, recovered: 0 };
    if (signal?.aborted) return report;
    report.enqueued = await store.enqueue(due(catalogue, await store.activeSubscriptions(), now), now);
    report.recovered = await this.recover(now, signal);
    // Claims carry the time they are really made (the run's clock moves on as
    // it paces sends), and a batch is small enough to be sent well within
    // staleAfterMs: else another dispatcher would think the claim abandoned.
    const started = performance.now();
    const clock = () => new Date(now.getTime() + (performance.now() - started));
    const batch = Math.max(1, Math.min(this.o.batch, Math.floor((this.o.mps * this.o.staleAfterMs) / 4000)));
    const released = await deliverClaimed({
      claim: () => store.claim(batch, clock(), this.o.worker),
      deliver: (row) => this.deliver(row, now, signal),
      release: (id) => store.release(id),
      counts: report,
      signal,
    });
    if (released > 0) logger.info({ released }, 'reminders: stopping for shutdown; claimed reminders not yet sent are back to pending');
    return report;
  }

  private async recover(now: Date, signal?: AbortSignal): Promise<number> {
    const { store, sender, logger } = this.o;
    const rows = await store.staleClaims(new Date(now.getTime() - this.o.staleAfterMs));
    return recoverStale({
      rows: rows.map((r) => ({ id: r.id, body: r.body, address: r.address, since: r.claimedAt ?? r.sendAt })),
      sender,
      recordedSids: async () => new Set((await store.outboxRows()).flatMap((r) => (r.twilioSid ? [r.twilioSid] : []))),
      markSent: (id, sid) => store.markSent(id, sid, now),
      release: (id) => store.release(id),
      logger,
      logKey: 'outbox',
      what: 'reminder',
      signal,
    });
  }

  private async deliver(
    row: ClaimedRow,
    now: Date,
    signal?: AbortSignal,
  ): Promise<'sent' | 'retried' | 'failed' | 'skipped' | 'released'> {
    const { store, sender, logger, flow } = this.o;
    const catalogue = this.o.live.current();
    const log = { outbox: row.id, service: row.serviceId, to: maskNumber(row.address) };
    if (row.optedOut) return this.skip(row, 'opted_out', now);
    if (!row.address) return this.skip(row, 'no_contact', now); // the number was deleted meanwhile
    if (londonParts(now).date > row.occurrenceDate) return this.skip(row, 'too_late', now);
    const text = row.kind === 'staff_message' ? await this.staffText(row) : reminderText(flow, catalogue, row, row.lang);
    if (!text) return this.skip(row, row.kind === 'staff_message' ? 'message_gone' : 'service_gone', now);
    const contentSid = row.kind === 'staff_message' ? this.o.whatsappMessageContentSid : this.o.whatsappContentSid;

    const msg: OutgoingMessage = { to: row.address, statusCallback: this.o.statusCallbackUrl ?? undefined };
    let recorded = text.body;
    const outsideWindow = !row.lastInboundAt || now.getTime() - row.lastInboundAt.getTime() > WHATSAPP_WINDOW_MS;
    if (row.channel === 'whatsapp' && outsideWindow) {
      // Outside WhatsApp's 24-hour window only an approved template may go.
      if (!contentSid) {
        logger.warn(log, `WhatsApp ${row.kind === 'staff_message' ? 'message' : 'reminder'} not sent: outside the 24-hour window and ${row.kind === 'staff_message' ? 'TWILIO_WHATSAPP_MESSAGE_CONTENT_SID' : 'TWILIO_WHATSAPP_REMINDER_CONTENT_SID'} is not set`);
        return this.skip(row, 'no_whatsapp_template', now);
      }
      msg.contentSid = contentSid;
      msg.contentVariables = text.variables;
      recorded = `content:${contentSid}:${JSON.stringify(text.variables)}`;
    } else {
      msg.body = text.body;
    }
    if (!(await this.o.pacer.wait(signal))) return 'released'; // shutting down: not sent, back to pending
    if (!(await store.prepare(row.id, recorded, this.o.worker))) return 'skipped'; // no longer ours: another dispatcher recovered it
    let res;
    try {
      res = await sender.send(msg);
    } catch (e) {
      return this.failed(row, e, now);
    }
    // Not inside the try: if recording fails the row stays 'sending' with its
    // body, and recovery finds the message at Twilio instead of sending it again.
    await store.markSent(row.id, res.sid, now);
    logger.info({ ...log, sid: res.sid, live: sender.live }, sender.live ? 'reminder sent' : 'reminder would send (no Twilio credentials)');
    return 'sent';
  }

  private async failed(row: ClaimedRow, e: unknown, now: Date): Promise<'retried' | 'failed' | 'skipped'> {
    const { store, logger } = this.o;
    const log = { outbox: row.id, service: row.serviceId, to: maskNumber(row.address) };
    if (!(e instanceof DeliveryError)) {
      // Not Twilio refusing and not the network: a bug or a configuration
      // mistake (e.g. no WhatsApp sender). Trying again would fail the same way.
      await store.markFailed(row.id, 'error', now);
      logger.error({ ...log, err: e }, 'reminder failed: not a Twilio or network error, so not retried');
      return 'failed';
    }
    const code = e.record;
    switch (e.failure) {
      case 'opted_out':
        await store.markOptedOut(row.subject);
        await store.markSkipped(row.id, code, now);
        logger.warn({ ...log, code }, 'number opted out at Twilio: reminders stopped');
        return 'skipped';
      case 'invalid_number':
        await store.dropSubscription(row.subscriptionId ?? -1);
        await store.markFailed(row.id, code, now);
        logger.warn({ ...log, code }, 'not a valid mobile number: subscription dropped');
        return 'failed';
      case 'retry':
        if (row.attempts >= this.o.maxAttempts) {
          await store.markFailed(row.id, code, now);
          logger.error({ ...log, code, attempts: row.attempts, err: e }, 'reminder failed: gave up retrying');
          return 'failed';
        }
        await store.markRetry(row.id, nextAttemptAt(now, this.o.backoffMs, row.attempts), code, now);
        logger.warn({ ...log, code, attempts: row.attempts }, 'reminder will be retried');
        return 'retried';
      default:
        await store.markFailed(row.id, code, now);
        logger.error({ ...log, code, err: e }, 'reminder failed');
        return 'failed';
    }
  }

  /** A staff message: its words as written, after the service's name so people know what it is about. */
  private async staffText(row: ClaimedRow): Promise<{ body: string; variables: Record<string, string> } | null> {
    const id = staffMessageIdOf(row.key);
    const msg = id === null ? null : await this.o.staffMessageText(id);
    if (!msg) return null;
    const name = findService(this.o.live.current(), row.serviceId)?.name ?? '';
    return { body: staffMessageText(name, msg.body), variables: { '1': name, '2': msg.body } };
  }

  private async skip(row: ClaimedRow, reason: string, now: Date): Promise<'skipped'> {
    await this.o.store.markSkipped(row.id, reason, now);
    return 'skipped';
  }
}
