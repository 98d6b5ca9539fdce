// People are known to the store by a keyed hash of their number, never by the
// number. The key lives outside the database, so a copied database file alone
// does not let anyone test guesses of a number.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** "whatsapp:+447700900123" and "+447700900123" are the same person. */
export function bareNumber(address: string): string {
  return address.replace(/^[a-z]+:/i, '').replace(/[\s()-]/g, '');
}

export class Subjects {
  constructor(private readonly key: Buffer) {}

  /** The store's key for a person. */
  subject(address: string): string {
    return crypto.createHmac('sha256', this.key).update(bareNumber(address)).digest('base64url');
  }

  /** The needs report's key (its weekly hashes), derived from the same secret. */
  reportKey(): Buffer {
    return crypto.createHmac('sha256', this.key).update('needs-report').digest();
  }

  /** A short tag for logs: enough to follow one person's messages, useless to find them. */
  logTag(address: string): string {
    return crypto.createHmac('sha256', this.key).update(`log:${bareNumber(address)}`).digest('base64url').slice(0, 8);
  }
}

/** The key file is missing its key, or cannot be read: the start stops, naming the file. */
export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/** Bytes a generated key has, and the least a key file may hold. */
const KEY_BYTES = 32;

/** The key in `file` (hex), null if there is no file; anything else wrong is a SecretKeyError. */
function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return null;
    throw new SecretKeyError(`cannot read the key file ${file} (${err.code ?? err.message}): fix its permissions, or set WAYMARK_SECRET`, { cause: e });
  }
  const hex = text.trim();
  const key = /^(?:[0-9a-f]{2})+$/i.test(hex) ? Buffer.from(hex, 'hex') : Buffer.alloc(0);
  if (key.length < KEY_BYTES) {
    throw new SecretKeyError(
      `the key file ${file} holds ${key.length} bytes of key, fewer than ${KEY_BYTES} (expected ${KEY_BYTES * 2} hex digits): ` +
        'restore it from a backup, or set WAYMARK_SECRET. Deleting it makes a new key, and everything stored under the old one becomes unreadable',
    );
  }
  return key;
}

/**
 * WAYMARK_SECRET, or outside production a key generated once into
 * DATA_DIR/secret.key (mode 0600). The file appears whole or not at all: the
 * key is written to a temporary file first, then linked into place, which
 * fails if the file exists. So two processes starting together (the server
 * and `npm run reminders`) never read a half-written key, and the first to
 * link wins: the other reads the same key.
 */
export function loadSecret(configured: string | null, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'secret.key');
  const existing = readKeyFile(file);
  if (existing) return existing;
  const tmp = path.join(dataDir, `.secret.key.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, crypto.randomBytes(KEY_BYTES).toString('hex') + '\n');
      fs.fsyncSync(fd); // on disk before it has its name
    } finally {
      fs.closeSync(fd);
    }
    // A rename would replace a key another process has just put there; a link never does.
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return readKeyFile(file)!;
}
