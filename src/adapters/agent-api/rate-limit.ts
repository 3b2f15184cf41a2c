/**
 * A token-bucket rate limiter per key (an API key's id, or a client address), on the injected clock. In memory: per
 * replica.
 */
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
    const b = this.refill(key);
    if (this.buckets.size >= 10_000) this.forgetFull();
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.waitOf(b);
  }

  /** Like {@link take} without taking: 0 when a token is available, else the milliseconds until one is. */
  wait(key: string): number {
    const b = this.refill(key);
    return b.tokens >= 1 ? 0 : this.waitOf(b);
  }

  /** The bucket of `key` as of now (not stored: refilling is linear, so a later refill gives the same). */
  private refill(key: string): { tokens: number; at: number } {
    const now = this.options.clock.now();
    const perMs = this.options.requestsPerMinute / 60_000;
    const stored = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    return { tokens: Math.min(this.options.burst, stored.tokens + (now - stored.at) * perMs), at: now };
  }

  /** Drops the buckets that have refilled: a full bucket is what an unseen key gets anyway. */
  private forgetFull(): void {
    for (const key of [...this.buckets.keys()]) {
      if (this.refill(key).tokens >= this.options.burst) this.buckets.delete(key);
    }
  }

  private waitOf(b: { tokens: number }): number {
    return Math.max(1, Math.ceil((1 - b.tokens) / (this.options.requestsPerMinute / 60_000)));
  }
}
