/** A token-bucket rate limiter per key, on the injected clock. In memory: per replica. */
import type { Clock } from '../../ports/clock.js';

/** Options for {@link RateLimiter}. */
export interface RateLimiterOptions {
  readonly clock: Clock;
  readonly requestsPerMinute: number;
  /** Bucket size: the most requests allowed at once. */
  readonly burst: number;
}

/** Token buckets by key. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly options: RateLimiterOptions) {}

  /** Takes one token for `key`: 0 when allowed, else the milliseconds until one is available. */
  take(key: string): number {
    const now = this.options.clock.now();
    const perMs = this.options.requestsPerMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    b.tokens = Math.min(this.options.burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs));
  }
}
