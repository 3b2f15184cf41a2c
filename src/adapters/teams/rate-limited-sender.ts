/**
 * The one outbound policy for Teams bot sends: per-conversation ordering, the Teams rate limits (per conversation
 * and per app per tenant) and retries of 429, 412, 502 and 504 with exponential backoff, jitter and Retry-After.
 *
 * Each conversation has its own p-queue of concurrency 1, so its sends leave in the order they were handed in and
 * a retry holds back the ones behind it: nothing is reordered, dropped or sent twice by us. Each tenant has a gate
 * (a p-queue of concurrency 1) that hands out tenant slots first come, first served.
 */
import PQueue from 'p-queue';
import type { Clock } from '../../ports/clock.js';
import { BotConnectorError, BotConnectorNetworkError, retryAfterMsOf, statusOf } from './send-errors.js';
import { RETRYABLE_STATUSES, type SendLimitsOptions, sendLimitsSchema } from './send-limits.js';
import { type RateSlot, SlidingWindowLimiter } from './sliding-window.js';

/** Where a send goes: the limits are kept per tenant and per conversation. */
export interface SendTarget {
  readonly tenantId: string;
  readonly conversationId: string;
}

/** Time for the sender: the clock, and waiting (real by default, fake in tests). */
export interface SenderClock extends Clock {
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemSenderClock: SenderClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What the sender observed, for metrics and benchmarks. */
export interface SenderStats {
  /** Operations that completed. */
  sent: number;
  /** Attempts retried, by HTTP status (0 = network error). */
  retries: Record<number, number>;
  /** Operations that failed after their last attempt, or with a status that is not retried. */
  failed: number;
  /** 429 answers from the Bot Connector (retried or not). */
  throttled: number;
}

/** Dependencies of {@link createRateLimitedSender}; all optional. */
export interface RateLimitedSenderDeps {
  clock?: SenderClock;
  /** Random numbers in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
  /** Told when each send settles: its time from hand-in to the end (queueing and retries included), and how. */
  onSettled?: (durationMs: number, outcome: 'sent' | 'failed') => void;
}

/** Sends operations to the Bot Connector within its limits, retrying what Microsoft asks bots to retry. */
export interface RateLimitedSender {
  /**
   * Runs `operation` (one Bot Connector call) for `target` once the limits allow, after every earlier send to the
   * same conversation. Resolves with its result, or rejects with {@link BotConnectorError} /
   * {@link BotConnectorNetworkError} once the retries are spent or the status is not retryable.
   */
  send<T>(target: SendTarget, operation: () => Promise<T>): Promise<T>;
  /** Resolves when every queued send has finished. */
  drain(): Promise<void>;
  readonly stats: SenderStats;
}

/** Builds a sender; `options` are parsed with {@link sendLimitsSchema}, so a partial object takes the defaults. */
export function createRateLimitedSender(
  options: Partial<SendLimitsOptions> = {},
  deps: RateLimitedSenderDeps = {},
): RateLimitedSender {
  const limits = sendLimitsSchema.parse(options);
  const clock = deps.clock ?? systemSenderClock;
  const random = deps.random ?? Math.random;
  const conversations = new Map<string, { queue: PQueue; limiter: SlidingWindowLimiter }>();
  const tenants = new Map<string, { gate: PQueue; limiter: SlidingWindowLimiter }>();
  const stats: SenderStats = { sent: 0, retries: {}, failed: 0, throttled: 0 };

  const tenantOf = (tenantId: string) => {
    let t = tenants.get(tenantId);
    if (!t) {
      t = {
        gate: new PQueue({ concurrency: 1 }),
        limiter: new SlidingWindowLimiter(limits.perTenant, limits.marginMs),
      };
      tenants.set(tenantId, t);
    }
    return t;
  };

  const conversationOf = (key: string) => {
    let c = conversations.get(key);
    if (!c) {
      c = {
        queue: new PQueue({ concurrency: 1 }),
        limiter: new SlidingWindowLimiter(limits.perConversation, limits.marginMs),
      };
      conversations.set(key, c);
    }
    return c;
  };

  const waitFor = async (limiter: SlidingWindowLimiter): Promise<RateSlot> => {
    for (;;) {
      const got = limiter.tryAcquire(clock.now());
      if (typeof got !== 'number') return got;
      await clock.sleep(got);
    }
  };

  const backoff = (attempt: number, retryAfterMs: number | undefined): number => {
    const exp = limits.baseDelayMs * 2 ** (attempt - 1);
    const jittered = exp * (1 + limits.jitter * (2 * random() - 1));
    return Math.min(limits.maxDelayMs, Math.max(retryAfterMs ?? 0, jittered));
  };

  const attemptAll = async <T>(target: SendTarget, limiter: SlidingWindowLimiter, op: () => Promise<T>) => {
    const tenant = tenantOf(target.tenantId);
    for (let attempt = 1; ; attempt++) {
      const conversationSlot = await waitFor(limiter);
      const tenantSlot = await tenant.gate.add(() => waitFor(tenant.limiter));
      const settle = () => {
        limiter.complete(conversationSlot, clock.now());
        tenant.limiter.complete(tenantSlot, clock.now());
      };
      let result: T;
      try {
        result = await op();
      } catch (err) {
        settle();
        const status = statusOf(err);
        if (status === 429) stats.throttled++;
        const retryable = status === undefined ? isNetworkError(err) : RETRYABLE_STATUSES.has(status);
        if (!retryable || attempt >= limits.maxAttempts) {
          stats.failed++;
          if (status !== undefined) throw new BotConnectorError(status, attempt, { cause: err });
          if (retryable) throw new BotConnectorNetworkError(attempt, { cause: err });
          throw err;
        }
        stats.retries[status ?? 0] = (stats.retries[status ?? 0] ?? 0) + 1;
        await clock.sleep(backoff(attempt, retryAfterMsOf(err, clock.now())));
        continue;
      }
      settle();
      stats.sent++;
      return result;
    }
  };

  /** Drops the conversations with nothing queued and nothing left inside their windows. */
  const sweep = (): void => {
    const now = clock.now();
    for (const [key, c] of conversations) {
      if (c.queue.size === 0 && c.queue.pending === 0 && c.limiter.isIdle(now)) conversations.delete(key);
    }
  };

  return {
    stats,
    send<T>(target: SendTarget, operation: () => Promise<T>): Promise<T> {
      const key = `${target.tenantId}\u0000${target.conversationId}`;
      if (conversations.size > 1000) sweep();
      const conv = conversationOf(key);
      const handedIn = clock.now();
      const run = conv.queue.add(() => attemptAll(target, conv.limiter, operation));
      if (deps.onSettled) {
        const report = deps.onSettled;
        void run.then(
          () => report(clock.now() - handedIn, 'sent'),
          () => report(clock.now() - handedIn, 'failed'),
        );
      }
      // Forget idle conversations so the maps stay bounded by the active ones.
      void run.then(forget, forget);
      function forget(): void {
        if (conv.queue.size === 0 && conv.queue.pending === 0 && conv.limiter.isIdle(clock.now())) {
          conversations.delete(key);
        }
      }
      return run as Promise<T>;
    },
    async drain(): Promise<void> {
      await Promise.all([...conversations.values()].map((c) => c.queue.onIdle()));
    },
  };
}

function isNetworkError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'REQUEST_SEND_ERROR', 'UND_ERR_SOCKET'].includes(code)
  );
}
