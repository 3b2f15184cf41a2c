/**
 * A sliding-window rate limiter: "at most `limit` operations in any `windowMs`", for several windows at once
 * (Teams: 7 / 1 s, 8 / 2 s, 60 / 30 s per conversation). Pure bookkeeping: the caller hands in the time.
 *
 * An operation holds its slot from when it starts until it completes, and its window counts from the completion:
 * the request reached the server somewhere in between, so however long it spent in flight, the server never sees
 * more than `limit` in a window. The cost is the latency added to each window, a few percent at most.
 */

/** One limit: at most `limit` operations in any window of `windowMs` milliseconds. */
export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

/** A slot held by one operation; {@link SlidingWindowLimiter.complete} it when the operation ends. */
export interface RateSlot {
  /** When the operation completed; Infinity while in flight. */
  at: number;
}

/** How often to look again while the blocking slot is still in flight (ms). */
const IN_FLIGHT_POLL_MS = 5;

/** Tracks recent operations against a set of windows; reserves slots so concurrent callers never overshoot. */
export class SlidingWindowLimiter {
  private readonly windows: readonly RateWindow[];
  private slots: RateSlot[] = [];
  private readonly longest: number;

  /**
   * @param windows the limits to respect together.
   * @param marginMs widens every window by this much, for clock differences with the server (default 0).
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
      const inside = this.slots
        .map((s) => s.at)
        .filter((at) => at > now - span)
        .sort((a, b) => a - b);
      if (inside.length < w.limit) continue;
      // A slot frees when enough of the oldest leave the window.
      const blocker = inside[inside.length - w.limit] as number;
      wait = Math.max(wait, Number.isFinite(blocker) ? blocker + span - now : IN_FLIGHT_POLL_MS);
    }
    return Math.max(0, wait);
  }

  /** Reserves a slot at `now` if one is free: the slot, or the wait in milliseconds. */
  tryAcquire(now: number): RateSlot | number {
    const wait = this.waitMs(now);
    if (wait > 0) return wait;
    const slot: RateSlot = { at: Number.POSITIVE_INFINITY };
    this.slots.push(slot);
    return slot;
  }

  /** Marks the operation holding `slot` as completed at `now`; its window runs from here. */
  complete(slot: RateSlot, now: number): void {
    slot.at = now;
  }

  /** True when no operation is in flight or inside any window at `now` (the limiter can be dropped). */
  isIdle(now: number): boolean {
    this.prune(now);
    return this.slots.length === 0;
  }

  private prune(now: number): void {
    if (this.slots.some((s) => s.at <= now - this.longest)) {
      this.slots = this.slots.filter((s) => s.at > now - this.longest);
    }
  }
}
