// One typed configuration, read from the environment once and checked at
// start. Nothing else in the code reads process.env.
import path from 'node:path';

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
  });
}
