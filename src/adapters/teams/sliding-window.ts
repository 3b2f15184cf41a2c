/**
 * A sliding-window rate limiter: "at most `limit` operations in any `windowMs`", for several windows at once
 * (Teams: 7 / 1 s, 8 / 2 s, 60 / 30 s per conversation). Pure bookkeeping: the caller hands in the time.
 */

/** One limit: at most `limit` operations in any window of `windowMs` milliseconds. */
export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

/** Tracks recent operations against a set of windows; reserves slots so concurrent callers never overshoot. */
export class SlidingWindowLimiter {
  private readonly windows: readonly RateWindow[];
  /** Times of the operations still inside the longest window, oldest first. */
  private readonly times: number[] = [];
  private readonly longest: number;

  /**
   * @param windows the limits to respect together.
   * @param marginMs widens every window by this much, to absorb network jitter between us and the counter on the
   *   other side (default 0).
   */
  constructor(
    windows: readonly RateWindow[],
    private readonly marginMs = 0,
  ) {
    this.windows = windows;
    this.longest = Math.max(0, ...windows.map((w) => w.windowMs + marginMs));
  }

  /** How long to wait before a slot is free at `now` (0 when one is free now). Does not reserve. */
  waitMs(now: number): number {
    this.prune(now);
    let wait = 0;
    for (const w of this.windows) {
      const span = w.windowMs + this.marginMs;
      const inWindow = this.countSince(now - span);
      if (inWindow < w.limit) continue;
      // The slot frees when the operation `limit` places back leaves the window.
      const blocker = this.times[this.times.length - w.limit];
      if (blocker !== undefined) wait = Math.max(wait, blocker + span - now);
    }
    return Math.max(0, wait);
  }

  /** Reserves a slot at `now` if one is free; returns 0 on success, otherwise the wait in milliseconds. */
  tryAcquire(now: number): number {
    const wait = this.waitMs(now);
    if (wait > 0) return wait;
    this.times.push(now);
    return 0;
  }

  /** True when no operation is inside any window at `now` (the limiter can be dropped). */
  isIdle(now: number): boolean {
    this.prune(now);
    return this.times.length === 0;
  }

  private countSince(since: number): number {
    let n = 0;
    for (let i = this.times.length - 1; i >= 0; i--) {
      if ((this.times[i] as number) <= since) break;
      n++;
    }
    return n;
  }

  private prune(now: number): void {
    while (this.times.length > 0 && (this.times[0] as number) <= now - this.longest) this.times.shift();
  }
}
