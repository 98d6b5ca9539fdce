// What the bot core receives from any channel. A channel's edge (Twilio's in
// src/channels/twilio/) turns its own request into an InboundMessage; the
// core never sees HTTP, TwiML or a channel's field names.

export type Channel = 'sms' | 'whatsapp';

export interface InboundMessage {
  channel: Channel;
  /** "+447700900123" or "whatsapp:+447700900123": the address replies and reminders go to. */
  address: string;
  text: string;
  /** The channel's id of this message (Twilio's MessageSid), for answering a repeat; null if none. */
  messageId: string | null;
  mediaCount: number;
  /** The channel account the message came to (Twilio's AccountSid), or null. */
  accountSid: string | null;
}
