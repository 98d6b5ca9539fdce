// One typed configuration, read from the environment once and checked at
// start. Nothing else in the code reads process.env.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_VERIFY_AFTER_DAYS } from './freshness/due.ts';
import { DEFAULT_FRESH_DAYS } from './freshness/line.ts';

export interface Config {
  env: 'production' | 'development' | 'test';
  port: number;
  host: string;
  publicBaseUrl: string | null;
  twilioAuthToken: string | null;
  dataDir: string;
  logLevel: string;
  /** Key for HMAC of addresses and encryption at rest; null = generate into DATA_DIR. */
  secret: string | null;
  catalogueFile: string;
  flowsDir: string;
  /** No token outside production: accept unsigned requests (only on loopback). */
  localMode: boolean;
  twilio: {
    accountSid: string | null;
    messagingServiceSid: string | null;
    smsFrom: string | null;
    whatsappFrom: string | null;
    whatsappReminderContentSid: string | null;
    /** Approved WhatsApp template for staff messages outside the 24-hour window: {{1}} service, {{2}} message. */
    whatsappMessageContentSid: string | null;
    apiBaseUrl: string;
  };
  /** Reminders a second at most. */
  reminderMps: number;
  /** Whether reminders really go (credentials set) or are only logged. */
  remindersLive: boolean;
  /** Per-sender flood control. */
  flood: { perMinute: number; blockMs: number };
  /** Idle sessions are deleted after this long. */
  sessionTtlDays: number;
  /** PostgreSQL (postgres://…) for every store; null = SQLite under dataDir. */
  databaseUrl: string | null;
  /** Connections each instance keeps to PostgreSQL at most. */
  databasePoolSize: number;
  /** Whether the server runs the reminder dispatcher every minute (false: cron or another instance does). */
  remindersInProcess: boolean;
  /** FRESH_DAYS: a service confirmed with its organisation within this many days shows "Checked: <month year>". */
  freshDays: number;
  /** VERIFY_AFTER_DAYS: a service with a verification contact is asked again by SMS once not confirmed for this long. */
  verifyAfterDays: number;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const errors: string[] = [];
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';

  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) {
    errors.push(`PORT: expected a port number 0-65535, got "${portText}"`);
  }
  const host = env.HOST || '127.0.0.1';

  const publicBaseUrl = env.PUBLIC_BASE_URL ? env.PUBLIC_BASE_URL.replace(/\/+$/, '') : null;
  if (publicBaseUrl && !/^https?:\/\/[^\s/]+/.test(publicBaseUrl)) {
    errors.push(`PUBLIC_BASE_URL: expected a URL such as https://waymark.example.org, got "${publicBaseUrl}"`);
  }
  const twilioAuthToken = env.TWILIO_AUTH_TOKEN || null;
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    errors.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const secret = env.WAYMARK_SECRET || null;
  if (secret !== null && secret.length < 32) {
    errors.push('WAYMARK_SECRET: expected at least 32 characters (try: openssl rand -hex 32)');
  }

  if (nodeEnv === 'production') {
    if (!twilioAuthToken) errors.push('TWILIO_AUTH_TOKEN: required when NODE_ENV=production');
    if (!publicBaseUrl) errors.push('PUBLIC_BASE_URL: required when NODE_ENV=production');
    if (!secret) errors.push('WAYMARK_SECRET: required when NODE_ENV=production');
  }
  const localMode = !twilioAuthToken;
  if (localMode && nodeEnv !== 'production' && !isLoopback(host)) {
    errors.push(
      `HOST: without TWILIO_AUTH_TOKEN the server runs unsigned (local mode) and must listen on loopback, got "${host}"`,
    );
  }

  const accountSid = env.TWILIO_ACCOUNT_SID || null;
  if (accountSid && !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) errors.push(`TWILIO_ACCOUNT_SID: expected AC followed by 32 hex digits`);
  const messagingServiceSid = env.TWILIO_MESSAGING_SERVICE_SID || null;
  if (messagingServiceSid && !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid)) errors.push('TWILIO_MESSAGING_SERVICE_SID: expected MG followed by 32 hex digits');
  const smsFrom = env.TWILIO_SMS_FROM || null;
  if (smsFrom && !/^\+[1-9]\d{6,14}$/.test(smsFrom)) errors.push(`TWILIO_SMS_FROM: expected a number such as +447700900000, got "${smsFrom}"`);
  const whatsappFrom = env.TWILIO_WHATSAPP_FROM || null;
  if (whatsappFrom && !/^(whatsapp:)?\+[1-9]\d{6,14}$/.test(whatsappFrom)) errors.push(`TWILIO_WHATSAPP_FROM: expected a number such as +447700900000, got "${whatsappFrom}"`);
  const contentSid = env.TWILIO_WHATSAPP_REMINDER_CONTENT_SID || null;
  if (contentSid && !/^HX[0-9a-fA-F]{32}$/.test(contentSid)) errors.push('TWILIO_WHATSAPP_REMINDER_CONTENT_SID: expected HX followed by 32 hex digits');
  const messageContentSid = env.TWILIO_WHATSAPP_MESSAGE_CONTENT_SID || null;
  if (messageContentSid && !/^HX[0-9a-fA-F]{32}$/.test(messageContentSid)) errors.push('TWILIO_WHATSAPP_MESSAGE_CONTENT_SID: expected HX followed by 32 hex digits');
  const apiBaseUrl = (env.TWILIO_API_BASE_URL || 'https://api.twilio.com').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(apiBaseUrl)) errors.push(`TWILIO_API_BASE_URL: expected a URL, got "${apiBaseUrl}"`);
  const mpsText = env.REMINDER_MPS ?? '1';
  const reminderMps = Number(mpsText);
  if (!Number.isFinite(reminderMps) || reminderMps <= 0 || reminderMps > 1000) errors.push(`REMINDER_MPS: expected a number of messages a second (0 < n <= 1000), got "${mpsText}"`);
  const remindersLive = Boolean(accountSid && twilioAuthToken);
  if (remindersLive && !messagingServiceSid && !smsFrom) errors.push('TWILIO_SMS_FROM: set it or TWILIO_MESSAGING_SERVICE_SID, to send reminders by SMS');
  if (nodeEnv === 'production' && twilioAuthToken && !accountSid) errors.push('TWILIO_ACCOUNT_SID: required when NODE_ENV=production (reminders are sent with it)');

  const int = (name: string, fallback: string, min: number, max: number): number => {
    const text = env[name] ?? fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) errors.push(`${name}: expected a whole number from ${min} to ${max}, got "${text}"`);
    return n;
  };
  const floodPerMinute = int('FLOOD_MAX_PER_MINUTE', '30', 1, 10_000);
  const floodBlockMinutes = int('FLOOD_BLOCK_MINUTES', '10', 0, 1440);
  const sessionTtlDays = int('SESSION_TTL_DAYS', '30', 1, 3650);
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\/\S+$/.test(databaseUrl)) {
    // Never echo the value: it may hold a password. Its scheme is enough to see the mistake.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(databaseUrl)?.[0];
    errors.push(`DATABASE_URL: expected postgres://user:password@host:5432/database (or postgresql://…), got ${scheme ? `a "${scheme}" URL` : 'something else'}`);
  }
  // Instances sharing a database must share the key that hashes numbers:
  // a key generated per machine would make each a stranger to the others.
  if (databaseUrl && !secret) errors.push('WAYMARK_SECRET: required with DATABASE_URL (every instance must use the same key)');
  const databasePoolSize = int('DATABASE_POOL_SIZE', '10', 1, 1000);
  const remindersInProcessText = (env.REMINDERS_IN_PROCESS ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(remindersInProcessText)) errors.push(`REMINDERS_IN_PROCESS: expected true or false, got "${env.REMINDERS_IN_PROCESS}"`);
  const freshDays = int('FRESH_DAYS', String(DEFAULT_FRESH_DAYS), 1, 3650);
  const verifyAfterDays = int('VERIFY_AFTER_DAYS', String(DEFAULT_VERIFY_AFTER_DAYS), 1, 3650);

  if (errors.length) throw new ConfigError(`configuration error:\n  ${errors.join('\n  ')}`);

  const root = process.cwd();
  return Object.freeze({
    env: nodeEnv,
    port,
    host,
    publicBaseUrl,
    twilioAuthToken,
    dataDir: path.resolve(root, env.DATA_DIR || './var'),
    logLevel,
    secret,
    catalogueFile: path.resolve(root, env.CATALOGUE_FILE || 'data/services.json'),
    flowsDir: path.resolve(root, env.FLOWS_DIR || 'flows'),
    localMode,
    twilio: Object.freeze({ accountSid, messagingServiceSid, smsFrom, whatsappFrom, whatsappReminderContentSid: contentSid, whatsappMessageContentSid: messageContentSid, apiBaseUrl }),
    reminderMps,
    remindersLive,
    flood: Object.freeze({ perMinute: floodPerMinute, blockMs: floodBlockMinutes * 60_000 }),
    sessionTtlDays,
    databaseUrl,
    databasePoolSize,
    remindersInProcess: remindersInProcessText === 'true' || remindersInProcessText === '1',
    freshDays,
    verifyAfterDays,
  });
}

/** A start-up failure we can explain: one line saying what is wrong and how to fix it. */
export class StartupError extends Error {}

/**
 * DATA_DIR exists as a folder we can write, or can be made: else a
 * StartupError naming the variable (instead of "EEXIST: file already exists, mkdir").
 */
export function prepareDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new StartupError(`DATA_DIR: ${dir} is a file, not a folder: set DATA_DIR to a folder (it is created if missing)`);
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new StartupError(`DATA_DIR: ${dir} cannot be written (${code}): give this user write access to it, or set DATA_DIR to another folder`);
    }
    throw new StartupError(`DATA_DIR: ${dir} cannot be used (${code ?? (e as Error).message}): set DATA_DIR to a folder this user may write`);
  }
}

/** Why the server could not listen, in one line with what to change. */
export function listenProblem(err: unknown, config: Pick<Config, 'host' | 'port'>): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const where = `${config.host}:${config.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `PORT: ${where} is already in use (EADDRINUSE): stop the program using it, or set PORT to a free port`;
    case 'EACCES':
      return `PORT: not allowed to listen on ${where} (EACCES): use a port above 1023, or set PORT`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `HOST: ${config.host} is not an address of this machine (${code}): set HOST to one, e.g. 127.0.0.1 or 0.0.0.0`;
    default:
      return null;
  }
}

/** Settings that start but will not do what someone probably expects: said at start-up, each naming its variable. */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.remindersLive && !config.twilio.whatsappFrom && !config.twilio.messagingServiceSid) {
    warnings.push(
      'reminders: TWILIO_WHATSAPP_FROM is not set (nor TWILIO_MESSAGING_SERVICE_SID), so reminders to people who text on WhatsApp cannot be sent and are marked failed: set TWILIO_WHATSAPP_FROM to your WhatsApp sender number',
    );
  }
  return warnings;
}
