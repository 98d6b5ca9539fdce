// Signing in: passwords (scrypt), server-side sessions in the catalogue
// store (the cookie holds a random token; the store keeps only its SHA-256),
// and limits on failed attempts.
import crypto from 'node:crypto';
import type { CatalogueStore, StaffAccount } from '../catalogue/store-types.ts';
import { dummyHash, normaliseEmail, verifyPassword } from './password.ts';

export const SESSION_COOKIE = 'waymark_staff';
/** A session unused for 8 hours ends. */
export const IDLE_MS = 8 * 3600_000;
export const LIMITS = {
  /** Failures for one account within the window that lock it… */
  accountFailures: 5,
  /** …for this long, even with the right password. */
  lockMs: 15 * 60_000,
  /** Failed attempts from one address within the window, after which it is refused. */
  addressFailures: 20,
  windowMs: 15 * 60_000,
};

/** The same words for a wrong password, an unknown email and a locked account. */
export const SIGN_IN_FAILED = 'That email and password do not match an account, or the account is locked for a while. Check them and try again.';
export const ADDRESS_LIMITED = 'Too many failed sign-ins from this network. Wait 15 minutes, then try again.';

export function newSessionToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export type SignInResult =
  | { ok: true; account: StaffAccount; token: string }
  | { ok: false; message: string; locked?: boolean };

/**
 * Checks an email and password from `address`. Every failure takes about as
 * long (a password is hashed even for an unknown email or a locked account)
 * and says the same, so that neither reveals which accounts exist.
 */
export async function signIn(store: CatalogueStore, emailIn: string, password: string, address: string, now: Date): Promise<SignInResult> {
  const since = new Date(now.getTime() - LIMITS.windowMs);
  if ((await store.addressFailures(address, since)) >= LIMITS.addressFailures) {
    await verifyPassword(password, await dummyHash());
    return { ok: false, message: ADDRESS_LIMITED };
  }
  const email = normaliseEmail(emailIn) ?? emailIn.trim().toLowerCase().slice(0, 320);
  const lockedUntil = await store.lockedUntil(email);
  if (lockedUntil && lockedUntil > now) {
    await verifyPassword(password, await dummyHash());
    await store.recordLoginFailure(null, address, now); // counts for the address, not towards a longer lock
    return { ok: false, message: SIGN_IN_FAILED, locked: true };
  }
  const account = await store.getStaff(email);
  const ok = account ? await verifyPassword(password, account.passwordHash) : (await verifyPassword(password, await dummyHash()), false);
  if (!ok || !account) {
    await store.recordLoginFailure(email, address, now);
    if ((await store.loginFailures(email, since)) >= LIMITS.accountFailures) {
      await store.lockAccount(email, new Date(now.getTime() + LIMITS.lockMs));
      if (account) await store.audit(email, 'account locked', `${LIMITS.accountFailures} failed sign-ins in 15 minutes: locked for 15 minutes`, now);
    } else if (account) await store.audit(email, 'sign-in failed', 'wrong password', now);
    return { ok: false, message: SIGN_IN_FAILED };
  }
  await store.clearLoginFailures(email);
  await store.purgeDesk(new Date(now.getTime() - 24 * 3600_000)); // old failures, lapsed locks, sessions long idle
  const token = newSessionToken();
  await store.createSession(tokenHash(token), email, now);
  await store.audit(email, 'signed in', '', now);
  return { ok: true, account, token };
}
