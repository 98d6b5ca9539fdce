// Group commit: what is saved during one pass of the event loop is written
// together (one transaction; on PostgreSQL one round trip), and each caller's
// promise settles only when its item is committed or has failed. Under load
// this shares BEGIN/COMMIT, the log write and the round trip among many
// messages; a lone message is written at once.
export interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<T, R> {
  private pending: Array<Waiting<T, R>> = [];
  private scheduled = false;
  /** Batches being written: drain() waits for them. */
  private readonly inFlight = new Set<Promise<void>>();

  /** `write` settles every item of the batch it is given. */
  constructor(private readonly write: (batch: Array<Waiting<T, R>>) => Promise<void>) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes what is waiting now. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const done = this.write(batch)
      // Should `write` fail without settling an item, the item fails (settling twice does nothing).
      .catch((err: unknown) => batch.forEach((w) => w.reject(err)))
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  /** Writes what is waiting, then waits for every batch on its way (closing). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }
}
