// HTTP load with autocannon, and what is sent: 10,000 senders' signed
// conversations, each answer checked.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { signRequest } from '../src/channels/twilio/verify-signature.ts';
import { ACCOUNT_SID, AUTH_TOKEN, CONNECTIONS, FORM, GROUP, PATH, PUBLIC_BASE_URL, RUN_TAG } from './settings.ts';

export interface Load {
  result: autocannon.Result;
  /** Every response's latency in ms (autocannon's own histogram keeps whole milliseconds only). */
  latencies: number[];
  wallS: number;
}

export function runLoad(opts: autocannon.Options): Promise<Load> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const started = performance.now();
    const duration = opts.duration ?? 10;
    const guard = setTimeout(() => {
      instance.stop();
      reject(new Error(`autocannon did not finish within ${duration + 30} s`));
    }, (duration + 30) * 1000);
    const instance = autocannon({ connections: CONNECTIONS, ...opts }, (err, result) => {
      clearTimeout(guard);
      if (err) reject(err);
      else resolve({ result, latencies, wallS: (performance.now() - started) / 1000 });
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => void latencies.push(ms));
  });
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export interface LoadFigures {
  rps: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export function figures(load: Load): LoadFigures {
  const sorted = Float64Array.from(load.latencies).sort();
  const r = load.result;
  return {
    rps: r.requests.total / r.duration,
    total: r.requests.total,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

// ---------------------------------------------------------------- the request pool

/** Each sender walks one of these: welcome, Southampton, a category, its first service. */
export const SCRIPTS = [
  ['hi', '1', 'FOOD', '1'],
  ['hi', '1', 'DOCTOR', '1'],
  ['hi', '1', 'LEGAL', '1'],
  ['hi', '1', 'ENGLISH', '1'],
  ['hi', '1', 'DROPIN', '1'],
  ['hi', '1', 'MIND', '1'],
];
export const STEPS = 4;

export interface PoolRequest {
  sender: number;
  step: number;
  body: string;
  signature: string;
}

export function senderNumber(i: number): string {
  return i < 100_000 ? `+4477009${String(i).padStart(5, '0')}` : `+4477019${String(i - 100_000).padStart(5, '0')}`;
}

let sidCounter = 0;
export function messageSid(): string {
  sidCounter++;
  return `SM${RUN_TAG}${sidCounter.toString(16).padStart(24, '0')}`;
}

/** The fields Twilio posts for an inbound SMS. */
export function inboundParams(from: string, text: string): Record<string, string> {
  const sid = messageSid();
  return {
    ToCountry: 'GB',
    ToState: '',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: text,
    FromCountry: 'GB',
    To: '+447700900000',
    MessagingServiceSid: '',
    ToZip: '',
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: from,
    ApiVersion: '2010-04-01',
  };
}

export class RequestPool {
  readonly requests: PoolRequest[] = [];
  private senders = 0;
  next = 0;

  constructor(senders: number) {
    while (this.senders < senders) this.addGroup();
  }

  get senderCount(): number {
    return this.senders;
  }

  /** GROUP senders' conversations, step by step: every "hi" of the group, then every "1", … */
  private addGroup(): void {
    const first = this.senders;
    this.senders += GROUP;
    for (let step = 0; step < STEPS; step++) {
      for (let s = first; s < first + GROUP; s++) {
        const params = inboundParams(senderNumber(s), SCRIPTS[s % SCRIPTS.length][step]);
        this.requests.push({
          sender: s,
          step,
          body: new URLSearchParams(params).toString(),
          signature: signRequest(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, params),
        });
      }
    }
  }

  /** The i-th request; more senders are added if a fast run uses them all up. */
  at(i: number): PoolRequest {
    while (i >= this.requests.length) this.addGroup();
    return this.requests[i];
  }
}

/**
 * autocannon's options for sending the pool's signed requests to a server on
 * 127.0.0.1 (one request built per call, in the pool's order) and handing
 * every answer, with the request it answers, to `onAnswer`. The baseline and
 * the real server are driven by this same client.
 */
export function poolLoad(
  port: number,
  pool: RequestPool,
  duration: number,
  onAnswer: (req: PoolRequest, status: number, body: string, headers: Record<string, string | string[]>) => void,
): autocannon.Options {
  return {
    url: `http://127.0.0.1:${port}${PATH}`,
    duration,
    requests: [
      {
        setupRequest: (req, ctx) => {
          const i = pool.next++;
          const r = pool.at(i);
          ctx.i = i;
          return { ...req, method: 'POST', path: PATH, headers: { 'content-type': FORM, 'x-twilio-signature': r.signature }, body: r.body };
        },
        onResponse: (status, body, ctx, headers) => onAnswer(pool.at(ctx.i as number), status, body, headers),
      },
    ],
  };
}

/** The <Message> texts of a TwiML answer. */
export function messagesOf(xml: string): string[] {
  return [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** Checks every answer: 200 text/xml, and that each sender's conversation goes where it should. */
export class ConversationCheck {
  responses = 0;
  bad: { count: number; samples: string[] } = { count: 0, samples: [] };
  mismatches: { count: number; samples: string[] } = { count: 0, samples: [] };
  detailsChecked = 0;
  private readonly firstItem = new Map<number, string>();

  private note(into: { count: number; samples: string[] }, what: string): void {
    into.count++;
    if (into.samples.length < 5) into.samples.push(what.slice(0, 300));
  }

  /** The baseline's fixed answer: read the same way, checked only for being TwiML. */
  recordBare(status: number, body: string, headers: Record<string, string | string[]>): void {
    this.responses++;
    const type = String(headers['content-type'] ?? headers['Content-Type'] ?? '');
    if (status !== 200 || !type.startsWith('text/xml') || messagesOf(body).length === 0) this.note(this.bad, `HTTP ${status} ${type}: ${body}`);
  }

  record(req: PoolRequest, status: number, body: string, headers: Record<string, string | string[]>): void {
    this.responses++;
    const type = String(headers['content-type'] ?? headers['Content-Type'] ?? '');
    if (status !== 200 || !type.startsWith('text/xml') || !body.includes('<Response>')) {
      this.note(this.bad, `HTTP ${status} ${type}: ${body}`);
      return;
    }
    const text = messagesOf(body).join('\n');
    const where = `sender ${req.sender} step ${req.step}`;
    switch (req.step) {
      case 0:
        if (!/Southampton/.test(text) || !/Portsmouth/.test(text)) this.note(this.mismatches, `${where}: expected the city question, got: ${text}`);
        break;
      case 1:
        if (!/Southampton/.test(text)) this.note(this.mismatches, `${where}: expected the Southampton menu, got: ${text}`);
        break;
      case 2: {
        const first = /^1 (.+)$/m.exec(text)?.[1]?.trim();
        if (first) this.firstItem.set(req.sender, first);
        else this.note(this.mismatches, `${where}: expected a numbered list, got: ${text}`);
        break;
      }
      case 3: {
        const expected = this.firstItem.get(req.sender);
        if (expected === undefined) break; // the list's answer was cut off between runs
        this.detailsChecked++;
        if (!text.startsWith(expected)) this.note(this.mismatches, `${where}: expected the details of "${expected}", got: ${text}`);
        break;
      }
    }
  }
}
