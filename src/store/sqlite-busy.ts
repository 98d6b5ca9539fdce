// Waiting for another process's lock on the SQLite file without blocking the
// event loop. No driver here: the freshness store's SQL seam uses it too.
/** How long a write waits (asynchronously) for another process's lock before failing. */
export const BUSY_GIVE_UP_MS = 10_000;

export function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** The database stayed locked by another process for longer than BUSY_GIVE_UP_MS. */
export class DatabaseBusyError extends Error {
  override name = 'DatabaseBusyError';
}

/**
 * Runs `fn` (synchronous, one statement or one transaction), and while
 * another process holds the lock runs it again after a pause, without
 * blocking the event loop: other people's messages and /healthz are
 * answered meanwhile. A busy statement or BEGIN IMMEDIATE changed nothing,
 * so running it again is safe. Gives up after BUSY_GIVE_UP_MS. Every writer
 * on a connection opened by openDatabase (busy_timeout is short) uses it.
 */
export async function whileBusy<T>(fn: () => T): Promise<T> {
  const started = Date.now();
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (Date.now() - started > BUSY_GIVE_UP_MS) {
        throw new DatabaseBusyError(`SQLite database locked by another process for over ${BUSY_GIVE_UP_MS / 1000} s`, { cause: e });
      }
    }
    await new Promise((r) => setTimeout(r, pause));
  }
}
