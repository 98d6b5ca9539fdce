// Sends at most REMINDER_MPS a second. One pacer is shared by everything that
// texts through the same Twilio account (reminders, staff messages and
// providers' verification texts), so together they keep to the limit.
export class Pacer {
  private nextSlot = 0;
  constructor(private readonly mps: number) {}

  /** Waits for the next message's slot; false if the signal aborted the wait. */
  async wait(signal?: AbortSignal): Promise<boolean> {
    const gap = 1000 / this.mps;
    const t = performance.now();
    const wait = this.nextSlot - t;
    this.nextSlot = Math.max(t, this.nextSlot) + gap;
    if (wait > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, wait);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    return !signal?.aborted;
  }
}
