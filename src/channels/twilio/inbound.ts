// Twilio's form post → the message the bot understands, or why it is not one.
import type { Channel } from '../../conversation/types.ts';

export interface InboundMessage {
  channel: Channel;
  /** "+447700900123" or "whatsapp:+447700900123", as Twilio sent it. */
  address: string;
  text: string;
  messageId: string | null;
  mediaCount: number;
  accountSid: string | null;
}

export type Parsed = { ok: true; message: InboundMessage } | { ok: false; error: string };

const first = (v: unknown): string | undefined => (Array.isArray(v) ? first(v[0]) : typeof v === 'string' ? v : undefined);

export function parseInbound(body: Record<string, unknown>): Parsed {
  const from = first(body.From)?.trim();
  if (!from) return { ok: false, error: 'From is required' };
  if (from.length > 64 || !/^(whatsapp:)?\+?[0-9A-Za-z ()-]{3,40}$/.test(from)) return { ok: false, error: 'From is not an address' };
  const sid = first(body.MessageSid) ?? first(body.SmsSid) ?? null;
  if (sid !== null && !/^[A-Za-z0-9]{2,64}$/.test(sid)) return { ok: false, error: 'MessageSid is malformed' };
  const numMedia = Number(first(body.NumMedia) ?? 0);
  return {
    ok: true,
    message: {
      channel: from.startsWith('whatsapp:') ? 'whatsapp' : 'sms',
      address: from,
      // A WhatsApp quick-reply button sends its label as ButtonText.
      text: first(body.Body) ?? first(body.ButtonText) ?? '',
      messageId: sid,
      mediaCount: Number.isFinite(numMedia) && numMedia > 0 ? Math.floor(numMedia) : 0,
      accountSid: first(body.AccountSid) ?? null,
    },
  };
}
