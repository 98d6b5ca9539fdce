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
//   sent again. Nothing is lost and nothing is sent twice.
import type { Logger } from 'pino';
import type { Catalogue } from '../catalogue/types.ts';
import type { Flow } from '../conversation/types.ts';
import type { ClaimedRow, Store } from '../store/store.ts';
import { londonParts } from '../time/london.ts';
import { due } from './due.ts';
import { reminderText } from './message.ts';
import { SendError, classifyError, maskNumber, type OutgoingMessage, type Sender } from './sender.ts';

export interface DispatcherOptions {
  store: Store;
  sender: Sender;
  flow: Flow;
  catalogue: Catalogue;
  logger: Logger;
  /** Messages a second at most. */
  mps: number;
  /** Names this dispatcher in claimed rows. */
  worker: string;
  whatsappContentSid: string | null;
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
  private nextSlot = 0;
  private running: Promise<TickReport> | null = null;

  constructor(opts: DispatcherOptions) {
    this.o = { maxAttempts: 5, backoffMs: 60_000, staleAfterMs: 120_000, batch: 50, ...opts };
  }

  /** One run; a second call while one runs waits for it instead of overlapping. */
  tick(now: Date): Promise<TickReport> {
    this.running ??= this.run(now).finally(() => (this.running = null));
    return this.running;
  }

  /** Wait for a tick in progress (graceful shutdown). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async run(now: Date): Promise<TickReport> {
    const { store, catalogue } = this.o;
    const report: TickReport = { enqueued: 0, sent: 0, retried: 0, failed: 0, skipped: 0, recovered: 0 };
    report.enqueued = await store.enqueue(due(catalogue, await store.activeSubscriptions(), now), now);
    report.recovered = await this.recover(now);
    // Claims carry the time they are really made (the run's clock moves on as
    // it paces sends), and a batch is small enough to be sent well within
    // staleAfterMs: else another dispatcher would think the claim abandoned.
    const started = performance.now();
    const clock = () => new Date(now.getTime() + (performance.now() - started));
    const batch = Math.max(1, Math.min(this.o.batch, Math.floor((this.o.mps * this.o.staleAfterMs) / 4000)));
    for (;;) {
      const rows = await store.claim(batch, clock(), this.o.worker);
      if (rows.length === 0) break;
      for (const row of rows) report[await this.deliver(row, now)]++;
    }
    return report;
  }

  private async recover(now: Date): Promise<number> {
    const { store, sender, logger } = this.o;
    let n = 0;
    for (const row of await store.staleClaims(new Date(now.getTime() - this.o.staleAfterMs))) {
      n++;
      if (row.body === null || !row.address) {
        await store.release(row.id); // died before sending anything (or nobody to ask about): send or close it afresh
        continue;
      }
      const body = row.body.startsWith('content:') ? null : row.body; // a template: match any API message
      const found = await sender.findSent(row.address, row.claimedAt ?? row.sendAt, body).catch(() => undefined);
      if (found === undefined) continue; // Twilio unreachable: decide next tick
      if (found) await store.markSent(row.id, found.sid, now);
      else await store.release(row.id);
      logger.info({ outbox: row.id, found: Boolean(found) }, 'recovered a reminder left half-sent');
    }
    return n;
  }

  private async pace(): Promise<void> {
    const gap = 1000 / this.o.mps;
    const t = performance.now();
    const wait = this.nextSlot - t;
    this.nextSlot = Math.max(t, this.nextSlot) + gap;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  private async deliver(row: ClaimedRow, now: Date): Promise<'sent' | 'retried' | 'failed' | 'skipped'> {
    const { store, sender, logger, flow, catalogue } = this.o;
    const log = { outbox: row.id, service: row.serviceId, to: maskNumber(row.address) };
    if (row.optedOut) return this.skip(row, 'opted_out', now);
    if (!row.address) return this.skip(row, 'no_contact', now); // the number was deleted meanwhile
    if (londonParts(now).date > row.occurrenceDate) return this.skip(row, 'too_late', now);
    const text = reminderText(flow, catalogue, row, row.lang);
    if (!text) return this.skip(row, 'service_gone', now);

    const msg: OutgoingMessage = { to: row.address, statusCallback: this.o.statusCallbackUrl ?? undefined };
    let recorded = text.body;
    const outsideWindow = !row.lastInboundAt || now.getTime() - row.lastInboundAt.getTime() > WHATSAPP_WINDOW_MS;
    if (row.channel === 'whatsapp' && outsideWindow) {
      // Outside WhatsApp's 24-hour window only an approved template may go.
      if (!this.o.whatsappContentSid) {
        logger.warn(log, 'WhatsApp reminder not sent: outside the 24-hour window and TWILIO_WHATSAPP_REMINDER_CONTENT_SID is not set');
        return this.skip(row, 'no_whatsapp_template', now);
      }
      msg.contentSid = this.o.whatsappContentSid;
      msg.contentVariables = text.variables;
      recorded = `content:${this.o.whatsappContentSid}:${JSON.stringify(text.variables)}`;
    } else {
      msg.body = text.body;
    }
    if (!(await store.prepare(row.id, recorded, this.o.worker))) return 'skipped'; // no longer ours: another dispatcher recovered it
    await this.pace();
    try {
      const res = await sender.send(msg);
      await store.markSent(row.id, res.sid, now);
      logger.info({ ...log, sid: res.sid, live: sender.live }, sender.live ? 'reminder sent' : 'reminder would send (no Twilio credentials)');
      return 'sent';
    } catch (e) {
      const err = e instanceof SendError ? e : new SendError((e as Error).message, null, null);
      const code = err.code !== null ? String(err.code) : err.httpStatus !== null ? `http_${err.httpStatus}` : 'network';
      switch (classifyError(err)) {
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
            logger.error({ ...log, code, attempts: row.attempts }, 'reminder failed: gave up retrying');
            return 'failed';
          }
          await store.markRetry(row.id, new Date(now.getTime() + this.o.backoffMs * 2 ** (row.attempts - 1)), code, now);
          logger.warn({ ...log, code, attempts: row.attempts }, 'reminder will be retried');
          return 'retried';
        default:
          await store.markFailed(row.id, code, now);
          logger.error({ ...log, code }, 'reminder failed');
          return 'failed';
      }
    }
  }

  private async skip(row: ClaimedRow, reason: string, now: Date): Promise<'skipped'> {
    await this.o.store.markSkipped(row.id, reason, now);
    return 'skipped';
  }
}
