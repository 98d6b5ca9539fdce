// The logger: pino, with an error serializer that keeps what debugging needs
// (type, message, stack, the causes' messages and stacks, a code) and nothing
// an error object may drag along (an HTTP client's request config holds the
// message body and the number). Anything that looks like a phone number in
// a message or stack is masked.
import pino, { type DestinationStream, type Logger } from 'pino';

/** "+447700900123", "whatsapp:+447700900123", "07700 900123": a + and 7+ digits, or 9+ digits (not dates or times). */
const NUMBER_LIKE = /(?:whatsapp:)?\+\d[\d ]{5,}\d|\b\d[\d ]{7,}\d\b/g;

export function maskNumbersIn(text: string): string {
  return text.replace(NUMBER_LIKE, '[number]');
}

export interface LoggedError {
  type: string;
  message: string;
  stack: string;
  code?: string | number;
  status?: number;
}

/** pino's error serializer (message and stack with their causes), cut down to safe fields. */
export function errSerializer(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const std = pino.stdSerializers.err(err);
  const out: LoggedError = { type: std.type, message: maskNumbersIn(std.message), stack: maskNumbersIn(std.stack) };
  const { code, status } = err as Error & { code?: unknown; status?: unknown };
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (typeof status === 'number') out.status = status;
  return out;
}

export const LOG_SERIALIZERS = { err: errSerializer, error: errSerializer };

export function makeLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    serializers: LOG_SERIALIZERS,
    // Belt and braces: should a phone number or message body ever be passed
    // to the logger under these names, it is not written.
    redact: { paths: ['From', 'To', 'Body', 'body', 'from', 'to', 'address', 'phone', '*.From', '*.Body', '*.address'], censor: '[hidden]' },
  };
  // Standard output, written asynchronously: a line goes out at once when no
  // write is in flight, and lines that come meanwhile go together in the
  // next write (one write(2) for many under load, instead of one each on
  // the event loop). pino writes what is pending synchronously when the
  // process exits; only a SIGKILL or a power cut can lose the last lines.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
