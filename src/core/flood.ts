// Per-sender flood control: a number sending far more than a person types
// gets one "slow down" reply, then silence for a while. Kept in memory and
// keyed by a hash, so it costs nothing to anyone else and stores no number.

export type FloodVerdict = 'ok' | 'warn' | 'drop';

export interface FloodLimits {
  /** Messages a minute a person may send (a burst of this many is fine). */
  perMinute: number;
  /** How long a flooding number is ignored after the warning. */
  blockMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
  blockedUntil: number;
}

export class FloodGuard {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(private readonly limits: FloodLimits) {}

  check(key: string, nowMs: number): FloodVerdict {
    this.sweep(nowMs);
    const { perMinute, blockMs } = this.limits;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: perMinute, at: nowMs, blockedUntil: 0 };
      this.buckets.set(key, b);
    }
    if (nowMs < b.blockedUntil) return 'drop';
    b.tokens = Math.min(perMinute, b.tokens + ((nowMs - b.at) * perMinute) / 60_000);
    b.at = nowMs;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 'ok';
    }
    b.blockedUntil = nowMs + blockMs;
    b.tokens = perMinute;
    return 'warn';
  }

  /** Forget full, unblocked buckets now and then, so memory stays small. */
  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweep < 60_000) return;
    this.lastSweep = nowMs;
    for (const [k, b] of this.buckets) {
      if (nowMs >= b.blockedUntil && nowMs - b.at > 60_000) this.buckets.delete(k);
    }
  }
}
