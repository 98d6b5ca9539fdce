// Twilio's REST sender for messages outside a conversation (reminders), with
// the `twilio` library. It implements the dispatcher's Sender interface
// (src/reminders/sender.ts) and classifies Twilio's errors for it.
//
// The library retries nothing here (its 429 auto-retry is off): the caller
// decides, from the classification, whether a failed send is tried again.

import twilio from 'twilio';
import { maskNumbersIn } from '../../core/log.ts';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as HttpResponse from 'twilio/lib/http/response.js';
import {
  DeliveryError,
  isWhatsApp,
  maskNumber,
  type OutgoingMessage,
  type SendFailure,
  type SendResult,
  type Sender,
  type SentMessage,
} from '../../reminders/sender.ts';

/**
 * A send Twilio refused (httpStatus and, when Twilio gave one, its error
 * code), or one that never got an answer (network error or timeout:
 * httpStatus null, code null). Classified for the dispatcher by classifyError().
 */
export class SendError extends DeliveryError {
  constructor(
    message: string,
    readonly httpStatus: number | null,
    readonly code: number | null,
    options?: { cause?: unknown },
  ) {
    super(
      message,
      classify(httpStatus, code),
      code !== null ? String(code) : httpStatus !== null ? `http_${httpStatus}` : 'network',
      options,
    );
    this.name = 'SendError';
  }
}

export interface TwilioSenderOptions {
  accountSid: string;
  authToken: string;
  messagingServiceSid?: string | null;
  smsFrom?: string | null;
  whatsappFrom?: string | null;
  /** Default 'https://api.twilio.com'; for a staging proxy or a local stand-in. */
  apiBaseUrl?: string;
  /** Default 10000. */
  timeoutMs?: number;
}

export const DEFAULT_API_BASE_URL = 'https://api.twilio.com';
export const DEFAULT_TIMEOUT_MS = 10_000;
/** How many recent messages to a number sentSince() looks through. */
const SENT_SINCE_PAGE = 50;
const SENT_SINCE_SLACK_MS = 5 * 60_000;

const WHATSAPP = 'whatsapp:';

/**
 * What to do about a failed send:
 * - opted_out: the person texted STOP (21610); send nothing more until START.
 * - invalid_number: the number can't receive messages (21211, 21614).
 * - retry: rate limited (HTTP 429, 20429), queue overflow (30001), a server
 *   error (5xx), or no answer at all (network error, timeout).
 * - failed: anything else; trying again would fail the same way.
 */
export function classifyError(e: SendError): SendFailure {
  return classify(e.httpStatus, e.code);
}

function classify(httpStatus: number | null, code: number | null): SendFailure {
  if (code === 21610) return 'opted_out';
  if (code === 21211 || code === 21614) return 'invalid_number';
  if (httpStatus === null) return 'retry';
  if (httpStatus === 429 || code === 20429 || code === 30001) return 'retry';
  if (httpStatus >= 500) return 'retry';
  return 'failed';
}

/** twilio's RequestClient, sending every request to `baseUrl` (path and query kept). */
class RedirectingRequestClient extends twilio.RequestClient {
  private readonly base: string;

  constructor(baseUrl: string, timeoutMs: number) {
    super({ timeout: timeoutMs, autoRetry: false });
    this.base = baseUrl.replace(/\/+$/, '');
    // The base class writes "Connection: keep-alive" into every request's
    // headers. Node's agent (keepAlive: true) sends the same header itself and
    // keeps the connection open either way, so on the wire nothing changes
    // when it is dropped; but nock 14 hangs on requests that carry it
    // explicitly (nock/nock#3001), which would make every test of a sender
    // wait for the timeout.
    this.axios.interceptors.request.use((config) => {
      config.headers.delete('Connection');
      return config;
    });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<HttpResponse.default<TData>> {
    const url = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.base}${url.pathname}${url.search}` });
  }
}

function isAxiosError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { isAxiosError?: unknown }).isAxiosError === true;
}

/** twilio's RestException (and TwilioServiceException): an HTTP answer with an error. */
function httpErrorOf(e: unknown): { status: number; code: number | null; message: string } | null {
  if (!(e instanceof Error)) return null;
  const { status, code } = e as Error & { status?: unknown; code?: unknown };
  if (typeof status !== 'number') return null;
  return { status, code: typeof code === 'number' ? code : null, message: e.message };
}

/** Map what the library threw to a SendError; anything else (a bug) is thrown as is. */
function toSendError(e: unknown, what: string): unknown {
  if (e instanceof SendError) return e;
  if (isAxiosError(e)) {
    const { code, message } = e as { code?: string; message?: string };
    return new SendError(`${what}: no answer from Twilio (${code ?? message ?? 'network error'})`, null, null, { cause: e });
  }
  const http = httpErrorOf(e);
  if (http !== null) {
    const code = http.code === null ? '' : ` error ${http.code}`;
    return new SendError(`${what}: Twilio answered HTTP ${http.status}${code}: ${maskNumbersIn(http.message)}`, http.status, http.code);
  }
  return e;
}

export class TwilioSender implements Sender {
  readonly live = true;
  private readonly client: ReturnType<typeof twilio>;
  private readonly messagingServiceSid: string | null;
  private readonly smsFrom: string | null;
  private readonly whatsappFrom: string | null;

  constructor(opts: TwilioSenderOptions) {
    this.messagingServiceSid = opts.messagingServiceSid || null;
    this.smsFrom = opts.smsFrom || null;
    const wa = opts.whatsappFrom || null;
    this.whatsappFrom = wa === null || isWhatsApp(wa) ? wa : `${WHATSAPP}${wa}`;
    if (this.messagingServiceSid === null && this.smsFrom === null && this.whatsappFrom === null) {
      throw new Error('TwilioSender: give messagingServiceSid, smsFrom or whatsappFrom');
    }
    const httpClient = new RedirectingRequestClient(
      opts.apiBaseUrl ?? DEFAULT_API_BASE_URL,
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    this.client = twilio(opts.accountSid, opts.authToken, {
      httpClient,
      autoRetry: false,
      logLevel: 'info', // never 'debug' from the environment: it prints numbers
      lazyLoading: true,
    });
  }

  /** From for this address, or null to use the messaging service. */
  private fromFor(to: string): { from: string } | { messagingServiceSid: string } {
    const from = isWhatsApp(to) ? this.whatsappFrom : this.smsFrom;
    if (from !== null) return { from };
    if (this.messagingServiceSid !== null) return { messagingServiceSid: this.messagingServiceSid };
    throw new Error(`TwilioSender: no sender configured for ${isWhatsApp(to) ? 'WhatsApp' : 'SMS'}`);
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const sender = this.fromFor(msg.to);
    let content: { body: string } | { contentSid: string; contentVariables?: string };
    if (msg.contentSid !== undefined) {
      content = { contentSid: msg.contentSid };
      if (msg.contentVariables !== undefined) content.contentVariables = JSON.stringify(msg.contentVariables);
    } else if (msg.body !== undefined) {
      content = { body: msg.body };
    } else {
      throw new Error('TwilioSender.send: a message needs a body or a contentSid');
    }
    try {
      const m = await this.client.messages.create({
        to: msg.to,
        ...sender,
        ...content,
        ...(msg.statusCallback !== undefined ? { statusCallback: msg.statusCallback } : {}),
      });
      return { sid: m.sid, status: String(m.status) };
    } catch (e) {
      throw toSendError(e, `send to ${maskNumber(msg.to)}`);
    }
  }

  /** Messages sent through the API (not webhook replies) to `to` since about `since`, oldest first. */
  async sentSince(to: string, since: Date): Promise<SentMessage[]> {
    // Twilio's DateSent> filter would leave out queued messages (date_sent
    // is null until sent), so look through the latest messages to `to`.
    // Twilio dates to the whole second, on its own clock: allow slack. The
    // same reminder to the same number recurs only weekly, so minutes are safe.
    const sinceMs = since.getTime() - SENT_SINCE_SLACK_MS;
    try {
      const messages = await this.client.messages.list({ to, pageSize: SENT_SINCE_PAGE, limit: SENT_SINCE_PAGE });
      const found: SentMessage[] = [];
      for (const m of messages) {
        if (m.direction !== undefined && m.direction !== null && m.direction !== 'outbound-api') continue;
        const created = m.dateCreated instanceof Date ? m.dateCreated.getTime() : NaN;
        const sent = m.dateSent instanceof Date ? m.dateSent.getTime() : NaN;
        if (!(created >= sinceMs || sent >= sinceMs)) continue;
        found.push({
          sid: m.sid,
          status: String(m.status),
          body: typeof m.body === 'string' && m.body !== '' ? m.body : null,
          createdAt: new Date(Number.isFinite(created) ? created : sent),
        });
      }
      // Twilio lists the newest first.
      return found.sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime());
    } catch (e) {
      throw toSendError(e, `list messages to ${maskNumber(to)}`);
    }
  }
}
