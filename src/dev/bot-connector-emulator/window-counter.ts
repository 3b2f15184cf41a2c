/**
 * The emulator's own count of requests in sliding windows. Deliberately separate from the sender's limiter, so
 * the emulator checks the sender rather than agreeing with it by construction.
 */

/** A limit as the emulator enforces it. */
export interface EmulatedLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** Counts accepted requests of one key (a conversation or a tenant) and tells whether one more would exceed. */
export class WindowCounter {
  private readonly stamps: number[] = [];
  private readonly longest: number;
  /** The highest count seen in each window, for reports. */
  readonly peaks: number[];

  constructor(private readonly limits: readonly EmulatedLimit[]) {
    this.longest = Math.max(0, ...limits.map((l) => l.windowMs));
    this.peaks = limits.map(() => 0);
  }

  /** The window that one more request at `now` would exceed, with the ms until it frees; undefined if none. */
  check(now: number): { limit: EmulatedLimit; retryAfterMs: number } | undefined {
    while (this.stamps.length > 0 && (this.stamps[0] as number) <= now - this.longest) this.stamps.shift();
    for (const l of this.limits) {
      const inside = this.stamps.filter((t) => t > now - l.windowMs);
      if (inside.length >= l.limit) {
        const oldest = inside[inside.length - l.limit] as number;
        return { limit: l, retryAfterMs: oldest + l.windowMs - now };
      }
    }
    return undefined;
  }

  /** Records an accepted request at `now`. */
  record(now: number): void {
    this.stamps.push(now);
    this.limits.forEach((l, i) => {
      const n = this.stamps.filter((t) => t > now - l.windowMs).length;
      if (n > (this.peaks[i] as number)) this.peaks[i] = n;
    });
  }
}
