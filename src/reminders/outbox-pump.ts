// What the reminders' dispatcher and the providers' verifier share, as they
// send through one Twilio account with the same guarantees: claiming rows in
// batches and delivering them until shutdown, and recovering rows a dead
// sender left half-sent by asking Twilio what went. Each keeps its own
// store, its own texts and its own handling of Twilio's refusals.
import type { Logger } from 'pino';
import type { Sender, SentMessage } from './sender.ts';

export type Delivered = 'sent' | 'retried' | 'failed' | 'skipped';

/** When a send Twilio refused for now is tried again: backoff, doubled after each attempt. */
export function nextAttemptAt(now: Date, backoffMs: number, attempts: number): Date {
  return new Date(now.getTime() + backoffMs * 2 ** (attempts - 1));
}

/**
 * Claims batches and delivers each row until none is left or `signal`
 * aborts. A row that comes back 'released' (shutting down) and the rest of
 * its batch go back to pending; returns how many went back.
 */
export async function deliverClaimed<R extends { id: number }>(o: {
  claim: () => Promise<R[]>;
  deliver: (row: R) => Promise<Delivered | 'released'>;
  release: (id: number) => Promise<void>;
  counts: Record<Delivered, number>;
  signal?: AbortSignal;
}): Promise<number> {
  while (!o.signal?.aborted) {
    const rows = await o.claim();
    if (rows.length === 0) break;
    for (const [i, row] of rows.entries()) {
      const outcome = o.signal?.aborted ? 'released' : await o.deliver(row);
      if (outcome !== 'released') {
        o.counts[outcome]++;
        continue;
      }
      const rest = rows.slice(i);
      for (const r of rest) await o.release(r.id);
      return rest.length;
    }
  }
  return 0;
}

/** A row left 'sending' by a sender that died: what it recorded before sending, and to whom. */
export interface StaleRow {
  id: number;
  body: string | null;
  address: string;
  /** Twilio is asked for messages to `address` since then. */
  since: Date;
}

/**
 * Each stale row: the message Twilio shows as sent with its text is recorded
 * as sent; otherwise the row goes back to pending (sent afresh). Twilio
 * unreachable: the row stays claimed and is looked at again next run.
 * Returns how many rows were looked at.
 */
export async function recoverStale(o: {
  rows: StaleRow[];
  sender: Sender;
  /** SIDs already recorded on rows: one message is never taken for two rows (read once, only if needed). */
  recordedSids: () => Promise<Set<string>>;
  markSent: (id: number, sid: string) => Promise<void>;
  release: (id: number) => Promise<void>;
  logger: Logger;
  /** How rows and messages are named in the log: { outbox: 12 } / 'reminder'. */
  logKey: string;
  what: string;
  signal?: AbortSignal;
}): Promise<number> {
  let n = 0;
  /** SIDs matched to a row in this pass. */
  const taken = new Set<string>();
  let recorded: Set<string> | null = null;
  for (const row of o.rows) {
    if (o.signal?.aborted) break;
    n++;
    if (row.body === null || !row.address) {
      await o.release(row.id); // died before sending anything (or nobody to ask about): send or close it afresh
      continue;
    }
    let sent: SentMessage[];
    try {
      sent = await o.sender.sentSince(row.address, row.since);
    } catch (err) {
      o.logger.warn({ [o.logKey]: row.id, err }, `${o.what} recovery: could not ask Twilio what was sent; trying again next run`);
      continue;
    }
    let candidates = sent.filter((m) => !taken.has(m.sid));
    if (candidates.length > 0) {
      const known = (recorded ??= await o.recordedSids());
      candidates = candidates.filter((m) => !known.has(m.sid));
    }
    const found = matchSent(row.body, candidates);
    if (found) {
      taken.add(found.sid);
      await o.markSent(row.id, found.sid);
    } else {
      await o.release(row.id);
    }
    o.logger.info({ [o.logKey]: row.id, found: Boolean(found) }, `recovered a ${o.what} left half-sent`);
  }
  return n;
}

/** The values a WhatsApp template row was sent with, from what prepare() recorded. */
function templateVariables(recorded: string): Record<string, string> | null {
  const m = /^content:[^:]*:(.*)$/s.exec(recorded);
  if (!m) return null;
  try {
    return JSON.parse(m[1]) as Record<string, string>;
  } catch (err) {
    throw new Error(`outbox: a template row's recorded variables are not JSON`, { cause: err });
  }
}

/**
 * Which of the messages Twilio has (oldest first, none recorded on another
 * row) is this row's. Free text: the exact body. A template: Twilio shows
 * the rendered text, so the first one that contains every variable; when
 * none does (or Twilio shows no text), the oldest: rows are recovered in the
 * order they were sent, and a message matched once is not offered again.
 */
export function matchSent(recorded: string, candidates: SentMessage[]): SentMessage | null {
  const variables = templateVariables(recorded);
  if (variables === null) return candidates.find((m) => m.body === recorded) ?? null;
  const values = Object.values(variables).map(squash);
  return candidates.find((m) => m.body !== null && values.every((v) => squash(m.body!).includes(v))) ?? candidates[0] ?? null;
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
