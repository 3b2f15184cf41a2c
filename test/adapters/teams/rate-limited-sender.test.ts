/** The sender's policy with fake timers: limits per conversation and tenant, ordering, retries, Retry-After. */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createRateLimitedSender } from '../../../src/adapters/teams/rate-limited-sender.js';
import { BotConnectorError } from '../../../src/adapters/teams/send-errors.js';
import { SlidingWindowLimiter } from '../../../src/adapters/teams/sliding-window.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** The most operations inside any window of `windowMs` among `times`. */
function peak(times: number[], windowMs: number): number {
  let best = 0;
  for (const t of times) best = Math.max(best, times.filter((u) => u >= t && u < t + windowMs).length);
  return best;
}

function httpError(status: number, retryAfter?: string) {
  return Object.assign(new Error(`HTTP ${status}`), {
    statusCode: status,
    response: { status, headers: { get: (n: string) => (n === 'retry-after' ? retryAfter : undefined) } },
  });
}

describe('rate-limited sender', () => {
  test('one conversation: in order, never over 7 / 1 s, 8 / 2 s, 60 / 30 s', async () => {
    const sender = createRateLimitedSender({ marginMs: 0 });
    const times: number[] = [];
    const order: number[] = [];
    const all = Array.from({ length: 130 }, (_, i) =>
      sender.send({ tenantId: 't', conversationId: 'c' }, async () => {
        times.push(Date.now());
        order.push(i);
      }),
    );
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(peak(times, 1000)).toBeLessThanOrEqual(7);
    expect(peak(times, 2000)).toBeLessThanOrEqual(8);
    expect(peak(times, 30_000)).toBeLessThanOrEqual(60);
  });

  test('many conversations share the tenant limit', async () => {
    const sender = createRateLimitedSender({ perTenant: [{ limit: 50, windowMs: 1000 }], marginMs: 0 });
    const times: number[] = [];
    const all: Promise<void>[] = [];
    for (let n = 0; n < 3; n++) {
      for (let c = 0; c < 100; c++) {
        all.push(sender.send({ tenantId: 't', conversationId: `c${c}` }, async () => void times.push(Date.now())));
      }
    }
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(times).toHaveLength(300);
    expect(peak(times, 1000)).toBeLessThanOrEqual(50);
  });

  test('429 is retried after its Retry-After; the next message waits behind it', async () => {
    const sender = createRateLimitedSender({ baseDelayMs: 10, jitter: 0 });
    const log: string[] = [];
    let calls = 0;
    const first = sender.send({ tenantId: 't', conversationId: 'c' }, async () => {
      calls++;
      log.push(`first@${Date.now()}`);
      if (calls === 1) throw httpError(429, '2');
      return 'ok';
    });
    const second = sender.send(
      { tenantId: 't', conversationId: 'c' },
      async () => void log.push(`second@${Date.now()}`),
    );
    await vi.runAllTimersAsync();
    expect(await first).toBe('ok');
    await second;
    expect(log).toEqual(['first@0', 'first@2000', 'second@2000']);
    expect(sender.stats.retries).toEqual({ 429: 1 });
  });

  test.each([412, 502, 504])('%i is retried with exponential backoff', async (status) => {
    const sender = createRateLimitedSender({ baseDelayMs: 100, jitter: 0 });
    const at: number[] = [];
    const done = sender.send({ tenantId: 't', conversationId: 'c' }, async () => {
      at.push(Date.now());
      if (at.length < 3) throw httpError(status);
      return at.length;
    });
    await vi.runAllTimersAsync();
    expect(await done).toBe(3);
    expect(at).toEqual([0, 100, 300]);
  });

  test('a status that is not retried fails at once, with its cause; later sends still go', async () => {
    const sender = createRateLimitedSender();
    const failing = sender.send({ tenantId: 't', conversationId: 'c' }, async () => {
      throw httpError(400);
    });
    const next = sender.send({ tenantId: 't', conversationId: 'c' }, async () => 'after');
    const caught = failing.catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const err = await caught;
    expect(err).toBeInstanceOf(BotConnectorError);
    expect((err as BotConnectorError).status).toBe(400);
    expect((err as BotConnectorError).attempts).toBe(1);
    expect(await next).toBe('after');
  });

  test('retries end after maxAttempts with the last status', async () => {
    const sender = createRateLimitedSender({ maxAttempts: 3, baseDelayMs: 1 });
    const failing = sender.send({ tenantId: 't', conversationId: 'c' }, async () => {
      throw httpError(502);
    });
    const caught = failing.catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await caught).toMatchObject({ status: 502, attempts: 3 });
  });
});

describe('sliding window limiter', () => {
  test('never lets more than the limit into any window (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 200 }), (gaps) => {
        const limiter = new SlidingWindowLimiter([
          { limit: 7, windowMs: 1000 },
          { limit: 8, windowMs: 2000 },
        ]);
        const accepted: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          let got = limiter.tryAcquire(now);
          while (typeof got === 'number') {
            now += got;
            got = limiter.tryAcquire(now);
          }
          // The operation takes `gap % 7` ms in flight; its window runs from its completion.
          now += gap % 7;
          limiter.complete(got, now);
          accepted.push(now);
        }
        expect(peak(accepted, 1000)).toBeLessThanOrEqual(7);
        expect(peak(accepted, 2000)).toBeLessThanOrEqual(8);
      }),
    );
  });
});
