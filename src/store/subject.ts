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

  /** A short tag for logs: enough to follow one person's messages, useless to find them. */
  logTag(address: string): string {
    return crypto.createHmac('sha256', this.key).update(`log:${bareNumber(address)}`).digest('base64url').slice(0, 8);
  }
}

/** WAYMARK_SECRET, or outside production a key generated once into DATA_DIR (mode 0600). */
export function loadSecret(configured: string | null, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'secret.key');
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = crypto.randomBytes(32).toString('hex');
  try {
    fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process (the reminders command) created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  }
  return Buffer.from(key, 'hex');
}
