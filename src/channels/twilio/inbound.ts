// Twilio's form post → the message the bot understands. What a valid post
// looks like is the route's body schema (checked by Fastify before the
// handler runs); this only maps the fields.
import type { InboundMessage } from '../../core/inbound.ts';

/** Twilio's incoming-message webhook, the fields we read (Twilio sends more; they are kept for the signature). */
export const messageFormSchema = {
  type: 'object',
  required: ['From'],
  properties: {
    // "+447700900123", "whatsapp:+447700900123" (short codes and alphanumeric senders too).
    From: { type: 'string', pattern: '^\\s*(?=\\S)(whatsapp:)?\\+?[0-9A-Za-z ()-]{3,40}(?<=\\S)\\s*$' },
    MessageSid: { type: 'string', pattern: '^[A-Za-z0-9]{2,64}$' },
    SmsSid: { type: 'string', pattern: '^[A-Za-z0-9]{2,64}$' },
    Body: { type: 'string' },
    // A WhatsApp quick-reply button sends its label as ButtonText.
    ButtonText: { type: 'string' },
    NumMedia: { type: 'string' },
    AccountSid: { type: 'string' },
  },
} as const;

export interface MessageForm {
  From: string;
  MessageSid?: string;
  SmsSid?: string;
  Body?: string;
  ButtonText?: string;
  NumMedia?: string;
  AccountSid?: string;
}

export function parseInbound(form: MessageForm): InboundMessage {
  const from = form.From.trim();
  const numMedia = Number(form.NumMedia ?? 0);
  return {
    channel: from.startsWith('whatsapp:') ? 'whatsapp' : 'sms',
    address: from,
    text: form.Body ?? form.ButtonText ?? '',
    messageId: form.MessageSid ?? form.SmsSid ?? null,
    mediaCount: Number.isFinite(numMedia) && numMedia > 0 ? Math.floor(numMedia) : 0,
    accountSid: form.AccountSid ?? null,
  };
}

/** Twilio's StatusCallback for messages we sent (reminders). */
export const statusFormSchema = {
  type: 'object',
  required: ['MessageSid', 'MessageStatus'],
  properties: {
    MessageSid: { type: 'string', pattern: '^[A-Za-z0-9]{2,64}$' },
    MessageStatus: { type: 'string', pattern: '^[a-z_]{2,20}$' },
    ErrorCode: { type: 'string' },
    AccountSid: { type: 'string' },
  },
} as const;

export interface StatusForm {
  MessageSid: string;
  MessageStatus: string;
  ErrorCode?: string;
  AccountSid?: string;
}
