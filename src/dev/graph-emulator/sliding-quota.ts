/**
 * A sliding-window call quota for the emulator: at most `limit` calls in any rolling `windowMs`.
 * Answers how long to wait (the Retry-After) when the window is full.
 */

/** A rolling-window counter. */
export class SlidingQuota {
  readonly #stamps: number[] = [];
  #head = 0;

  /** @param limit - Calls allowed per window. @param windowMs - Window length. */
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Records a call at `now` if allowed and returns 0; else returns the ms until a slot frees (nothing recorded). */
  take(now: number): number {
    while (this.#head < this.#stamps.length && (this.#stamps[this.#head] ?? 0) <= now - this.windowMs) this.#head++;
    if (this.#head > 4096) {
      this.#stamps.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#stamps.length - this.#head >= this.limit) {
      return Math.max(1, (this.#stamps[this.#head] ?? now) + this.windowMs - now);
    }
    this.#stamps.push(now);
    return 0;
  }
}
