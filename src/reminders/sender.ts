// What the dispatcher needs from whatever sends its messages: an interface,
// so that the reminders core knows no channel. Twilio's REST sender is in
// src/channels/twilio/sender.ts; LogSender (below) only logs.

import { randomBytes } from 'node:crypto';

export interface OutgoingMessage {
  /** "+447700900123" or "whatsapp:+447700900123". */
  to: string;
  /** Free text. */
  body?: string;
  /** WhatsApp template (HX…). */
  contentSid?: string;
  contentVariables?: Record<string, string>;
  statusCallback?: string;
}

export interface SendResult {
  sid: string;
  status: string;
}

/** A message the channel accepted from us (for recovery after a crash). */
export interface SentMessage extends SendResult {
  /** The text as the channel shows it (a template's rendered text), or null if it shows none. */
  body: string | null;
  /** When the channel accepted it (its own clock). */
  createdAt: Date;
}

/**
 * What to do about a failed send:
 * - opted_out: the person opted out at the channel; send nothing more until they opt in.
 * - invalid_number: the address cannot receive messages: drop the subscription.
 * - retry: rate limited, a server error, or no answer at all: try again later.
 * - failed: the channel refused it; trying again would fail the same way.
 */
export type SendFailure = 'opted_out' | 'invalid_number' | 'retry' | 'failed';

/**
 * A send the channel refused or never answered, classified by the sender.
 * Anything else a sender throws is a bug or a configuration mistake: the
 * dispatcher marks the row failed at once and logs the error with its stack.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly failure: SendFailure,
    /** What is recorded on the outbox row: the channel's error code, "http_503" or "network". */
    readonly record: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

export interface Sender {
  /** false for the log sender. */
  readonly live: boolean;
  send(msg: OutgoingMessage): Promise<SendResult>;
  /**
   * Messages we sent (through the API, not as webhook replies) to `to` since
   * about `since`, oldest first: for recovery after a crash between sending
   * and recording. Throws DeliveryError when the channel cannot be asked.
   */
  sentSince(to: string, since: Date): Promise<SentMessage[]>;
}

const WHATSAPP = 'whatsapp:';

export function isWhatsApp(address: string): boolean {
  return address.toLowerCase().startsWith(WHATSAPP);
}

/** "+447700900123" → "+44******123"; the "whatsapp:" prefix is kept. */
export function maskNumber(address: string): string {
  const prefix = isWhatsApp(address) ? address.slice(0, WHATSAPP.length) : '';
  const number = address.slice(prefix.length);
  if (number.length < 7) return `${prefix}******`;
  return `${prefix}${number.slice(0, 3)}******${number.slice(-3)}`;
}

/** Sends nothing: logs what would be sent, with the number masked. */
export class LogSender implements Sender {
  readonly live = false;

  constructor(private readonly log: (line: string, fields: object) => void) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const sid = `LOG${randomBytes(16).toString('hex')}`;
    this.log('would send', {
      sid,
      to: maskNumber(msg.to),
      // Never the text: message bodies stay out of logs, ours included.
      ...(msg.body !== undefined ? { chars: msg.body.length } : {}),
      ...(msg.contentSid !== undefined ? { contentSid: msg.contentSid } : {}),
    });
    return { sid, status: 'logged' };
  }

  /** Nothing is ever accepted by a channel here. */
  async sentSince(_to: string, _since: Date): Promise<SentMessage[]> {
    return [];
  }
}
