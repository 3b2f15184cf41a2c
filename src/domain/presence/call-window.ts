/**
 * A sliding window of calls: at most `limit` calls in any rolling `windowMs`. Answers how long to wait for a slot, so
 * a budget kept with it can never be exceeded in any window Graph measures. Pure: time is passed in.
 */

/** A rolling-window call counter. */
export class CallWindow {
  readonly #stamps: number[] = [];
  #head = 0;

  /** @param limit - Calls allowed per window (at least 1). @param windowMs - The window's length. */
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Takes a slot at `now` and returns 0, or returns the ms until one frees (nothing taken). */
  take(now: number): number {
    while (this.#head < this.#stamps.length && (this.#stamps[this.#head] ?? 0) <= now - this.windowMs) this.#head++;
    if (this.#head > 4096) {
      this.#stamps.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#stamps.length - this.#head >= Math.max(1, this.limit))
      return Math.max(1, (this.#stamps[this.#head] ?? now) + this.windowMs - now);
    this.#stamps.push(now);
    return 0;
  }

  /** Calls taken in the window ending at `now`. */
  used(now: number): number {
    let n = 0;
    for (let i = this.#head; i < this.#stamps.length; i++) if ((this.#stamps[i] ?? 0) > now - this.windowMs) n++;
    return n;
  }
}
