/**
 * A sliding-window call budget shared by every caller of one Graph quota. Graph's presence quota is "1,500 requests
 * within a 30-second period, per application per tenant", counted over every presence API the app calls: the
 * poller's `getPresencesByUserId`, the subscription calls and, later, presence writes (`setPresence`). One
 * {@link QuotaBudget} per quota is created at start (src/compose/graph.ts) and every caller draws from it, so together
 * they never exceed `share × limit` calls in any rolling `windowMs`.
 *
 * How a caller uses it (the Graph client does this for every call that names a budget, see `RequestOptions.quota`):
 *
 * ```ts
 * const slot = await budget.acquire('presence-poll');      // waits for its turn
 * try { res = await send(); } finally { slot.settle(); }     // counted until answered, then for windowMs
 * if (res.status === 429) budget.holdFor(retryAfterMs);      // the quota is app-wide: everyone waits
 * ```
 *
 * - **Hard window.** A call counts from the moment it is granted until `windowMs` after it was answered (its
 *   `settle`), so calls in flight count, and network latency can only make the budget stricter than Graph's own
 *   count, never looser.
 * - **Pacing.** Within the window, calls are spread at the window's average rate (`share × limit / windowMs`) with a
 *   small `burst`, so no caller empties the window at once and a caller that arrives later gets a slot within
 *   milliseconds instead of waiting for the window to slide.
 * - **Priorities.** Waiters are served highest `priority` first, in arrival order within one priority: subscription
 *   calls and writes (someone waits for them) ahead of a sweep's polls.
 * - **Retry-After.** {@link QuotaBudget.holdFor} stops every grant until the time Graph named has passed (fractional
 *   seconds arrive here as ms). A caller reports its 429 before it settles the slot, and sends as soon as it is
 *   granted, so no call goes out after Graph's 429 was received and before the Retry-After has passed.
 * - **In flight.** At most `maxInFlight` granted calls unanswered at once.
 */
import { z } from 'zod';
import type { Clock } from '../../ports/clock.js';

/** Schema of {@link QuotaBudgetOptions}. */
export const quotaBudgetOptionsSchema = z.object({
  /** Calls Graph allows per window, per app per tenant. Default 1,500 (presence). */
  limit: z.number().int().positive().default(1500),
  /** Graph's window, ms. Default 30,000. */
  windowMs: z.number().int().positive().default(30_000),
  /** Share of `limit` this connector may use, 0–1. Default 0.95 (leaves 5 % to other apps' callers). */
  share: z.number().gt(0).max(1).default(0.95),
  /**
   * Calls that may start at once beyond the steady pace (the pace's bucket). Default 48, about a second's worth at
   * the default share: a caller held up (a busy CPU) for up to a second catches up instead of losing that second's
   * calls; the window still caps every 30 s.
   */
  burst: z.number().int().positive().default(48),
  /**
   * Calls in flight at once, all callers together (bounds sockets when Graph is slow). Default 32: 47.5 calls/s at
   * up to 0.67 s per answer.
   */
  maxInFlight: z.number().int().positive().default(32),
});

/** Options of a budget. */
export type QuotaBudgetOptions = z.input<typeof quotaBudgetOptionsSchema>;

/** Priorities callers use (any number works; higher first). */
export const quotaPriority = {
  /** Background sweeps: the poller. */
  sweep: 0,
  /** Calls someone waits for: subscriptions, presence writes, polls asked for by a lifecycle event. */
  interactive: 10,
} as const;

/** One granted call: settle it once Graph answered (or the call failed), exactly once. */
export interface QuotaSlot {
  settle(): void;
}

/** Options of one {@link QuotaBudget.acquire}. */
export interface AcquireOptions {
  /** Higher is served first. Default {@link quotaPriority.sweep}. */
  readonly priority?: number | undefined;
  /** Gives up waiting (rejects with the signal's reason), e.g. when the caller stops. */
  readonly signal?: AbortSignal | undefined;
}

/** The budget's figures (for metrics and tests). */
export interface QuotaBudgetStats {
  /** Calls the budget allows per window: `floor(share × limit)`. */
  readonly capacity: number;
  /** Calls counted now: in flight plus answered within the window. */
  readonly inWindow: number;
  readonly inFlight: number;
  /** Callers waiting for a slot. */
  readonly waiting: number;
  /** Epoch ms until which a Retry-After holds every grant; 0 when none. */
  readonly heldUntil: number;
  /** Slots granted since creation, by caller. */
  readonly granted: Readonly<Record<string, number>>;
  /** Retry-After holds received, by the callers' reports. */
  readonly holds: number;
}

interface Waiter {
  readonly caller: string;
  readonly priority: number;
  readonly seq: number;
  readonly resolve: (slot: QuotaSlot) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** A sliding-window budget of calls, shared by every caller of one quota. */
export class QuotaBudget {
  readonly #o: z.output<typeof quotaBudgetOptionsSchema>;
  readonly #clock: Clock;
  readonly #capacity: number;
  /** Calls per ms at the steady pace. */
  readonly #rate: number;
  /** Answer times of settled calls still in the window, oldest first. */
  readonly #stamps: number[] = [];
  #head = 0;
  #inFlight = 0;
  #tokens: number;
  #refilledAt: number;
  #heldUntil = 0;
  #holds = 0;
  #seq = 0;
  #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;
  readonly #granted: Record<string, number> = {};

  /** Creates a budget; options are validated with zod. `clock` defaults to the system clock. */
  constructor(options: QuotaBudgetOptions = {}, clock: Clock = { now: () => Date.now() }) {
    this.#o = quotaBudgetOptionsSchema.parse(options);
    this.#clock = clock;
    this.#capacity = Math.max(1, Math.floor(this.#o.share * this.#o.limit));
    this.#rate = this.#capacity / this.#o.windowMs;
    this.#tokens = Math.min(this.#o.burst, this.#capacity);
    this.#refilledAt = clock.now();
  }

  /** Calls allowed per window: `floor(share × limit)`. */
  get capacity(): number {
    return this.#capacity;
  }
  /** The window, ms. */
  get windowMs(): number {
    return this.#o.windowMs;
  }

  /**
   * Waits for a slot for one call of `caller` (a name for the figures, e.g. `presence-poll`). Resolves when the call
   * may be sent; its {@link QuotaSlot.settle} must be called once it was answered.
   */
  acquire(caller: string, options: AcquireOptions = {}): Promise<QuotaSlot> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<QuotaSlot>((resolve, reject) => {
      const waiter: Waiter = {
        caller,
        priority: options.priority ?? quotaPriority.sweep,
        seq: this.#seq++,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#enqueue(waiter);
      this.#pump();
    });
  }

  /** Graph answered 429 with `Retry-After` (ms): no slot is granted to anyone until it has passed. */
  holdFor(ms: number): void {
    this.#holds++;
    this.#heldUntil = Math.max(this.#heldUntil, this.#clock.now() + Math.max(0, ms));
    this.#pump();
  }

  /** The budget's figures now. */
  stats(): QuotaBudgetStats {
    const now = this.#clock.now();
    this.#expire(now);
    return {
      capacity: this.#capacity,
      inWindow: this.#inFlight + this.#stamps.length - this.#head,
      inFlight: this.#inFlight,
      waiting: this.#waiters.length,
      heldUntil: this.#heldUntil > now ? this.#heldUntil : 0,
      granted: { ...this.#granted },
      holds: this.#holds,
    };
  }

  /** Rejects every waiter (with `reason`) and stops the timer: for shutting down. */
  close(reason: unknown = new Error('quota budget closed')): void {
    this.#clearTimer();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
  }

  /** Keeps waiters sorted: priority descending, then arrival. */
  #enqueue(w: Waiter): void {
    let i = this.#waiters.length;
    while (i > 0) {
      const prev = this.#waiters[i - 1];
      if (prev === undefined || prev.priority >= w.priority) break;
      i--;
    }
    this.#waiters.splice(i, 0, w);
  }

  #expire(now: number): void {
    const from = now - this.#o.windowMs;
    while (this.#head < this.#stamps.length && (this.#stamps[this.#head] ?? 0) <= from) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#stamps.length) {
      this.#stamps.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #refill(now: number): void {
    if (now > this.#refilledAt) {
      this.#tokens = Math.min(this.#o.burst, this.#tokens + (now - this.#refilledAt) * this.#rate);
      this.#refilledAt = now;
    }
  }

  /** Grants what can be granted now, then arms one timer for the earliest moment the next grant may happen. */
  #pump(): void {
    while (this.#waiters.length > 0) {
      const now = this.#clock.now();
      this.#expire(now);
      this.#refill(now);
      let readyAt = now;
      if (this.#heldUntil > now) readyAt = this.#heldUntil;
      if (this.#inFlight + this.#stamps.length - this.#head >= this.#capacity) {
        // Full: the oldest answered call leaves the window first; with none answered, a settle pumps again.
        const oldest = this.#stamps[this.#head];
        if (oldest === undefined) {
          this.#clearTimer();
          return;
        }
        readyAt = Math.max(readyAt, oldest + this.#o.windowMs);
      }
      if (this.#tokens < 1) readyAt = Math.max(readyAt, now + Math.ceil((1 - this.#tokens) / this.#rate));
      if (readyAt > now) {
        this.#arm(readyAt);
        return;
      }
      // Too many unanswered: a settle pumps again.
      if (this.#inFlight >= this.#o.maxInFlight) {
        this.#clearTimer();
        return;
      }
      const w = this.#waiters.shift();
      if (w === undefined) break;
      this.#tokens -= 1;
      this.#inFlight++;
      this.#granted[w.caller] = (this.#granted[w.caller] ?? 0) + 1;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve(this.#slot());
    }
    this.#clearTimer();
  }

  #slot(): QuotaSlot {
    let settled = false;
    return {
      settle: () => {
        if (settled) return;
        settled = true;
        this.#inFlight--;
        const now = this.#clock.now();
        const last = this.#stamps.at(-1) ?? 0;
        this.#stamps.push(Math.max(now, last));
        this.#pump();
      },
    };
  }

  #arm(at: number): void {
    if (this.#timer !== undefined && this.#timerAt === at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#pump();
      },
      Math.max(0, at - this.#clock.now()),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
