import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { QuotaBudget, quotaPriority } from '../../../src/adapters/graph/quota-budget.js';

// Fake timers drive Date.now and setTimeout together: the budget's clock and its wake-ups are deterministic here.
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Acquires for `caller`, settling each slot `holdMs` after it was granted; records grant times. */
function drawer(budget: QuotaBudget, grants: number[], holdMs = 0) {
  return async (caller: string, priority?: number) => {
    const slot = await budget.acquire(caller, { priority });
    grants.push(Date.now());
    if (holdMs > 0) setTimeout(() => slot.settle(), holdMs);
    else slot.settle();
  };
}

/** The most grants that fell in any rolling window of `windowMs`. */
function busiestWindow(grants: readonly number[], windowMs: number): number {
  let most = 0;
  for (const [i, t] of grants.entries()) {
    const inWindow = grants.slice(0, i + 1).filter((g) => g > t - windowMs).length;
    most = Math.max(most, inWindow);
  }
  return most;
}

describe('the sliding-window budget', () => {
  test('never grants more than share × limit in any rolling window, however many calls wait', async () => {
    const budget = new QuotaBudget({ limit: 100, windowMs: 1_000, share: 0.95, burst: 50 });
    const grants: number[] = [];
    const draw = drawer(budget, grants);
    const all = Promise.all(Array.from({ length: 400 }, () => draw('presence-poll')));
    await vi.advanceTimersByTimeAsync(10_000);
    await all;
    expect(grants).toHaveLength(400);
    expect(budget.capacity).toBe(95);
    expect(busiestWindow(grants, 1_000)).toBeLessThanOrEqual(95);
  });

  test('spreads the calls at the window average instead of emptying the window at once', async () => {
    const budget = new QuotaBudget({ limit: 100, windowMs: 1_000, share: 1, burst: 5 });
    const grants: number[] = [];
    const draw = drawer(budget, grants);
    const all = Promise.all(Array.from({ length: 50 }, () => draw('presence-poll')));
    await vi.advanceTimersByTimeAsync(100);
    // 100 ms at 100 calls per second: the burst of 5 and about 10 more, not the whole 50.
    expect(grants.length).toBeGreaterThanOrEqual(14);
    expect(grants.length).toBeLessThanOrEqual(16);
    await vi.advanceTimersByTimeAsync(1_000);
    await all;
    expect(grants).toHaveLength(50);
  });

  test('calls in flight count: a full window waits until an answered call has been out of it for windowMs', async () => {
    const budget = new QuotaBudget({ limit: 4, windowMs: 1_000, share: 1, burst: 4 });
    const slots = await Promise.all([1, 2, 3, 4].map(() => budget.acquire('presence-poll')));
    let fifth = false;
    const waiting = budget.acquire('presence-poll').then((s) => {
      fifth = true;
      return s;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fifth).toBe(false);
    expect(budget.stats()).toMatchObject({ inFlight: 4, waiting: 1, inWindow: 4 });
    slots[0]?.settle();
    await vi.advanceTimersByTimeAsync(999);
    expect(fifth).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(fifth).toBe(true);
    (await waiting).settle();
  });

  test('a Retry-After holds every caller, fractional seconds included', async () => {
    const budget = new QuotaBudget({ limit: 100, windowMs: 1_000, share: 1, burst: 10 });
    budget.holdFor(2_128);
    const grants: number[] = [];
    const started = Date.now();
    const draw = drawer(budget, grants);
    const all = Promise.all([draw('presence-poll'), draw('presence-writes', quotaPriority.interactive)]);
    await vi.advanceTimersByTimeAsync(2_127);
    expect(grants).toEqual([]);
    expect(budget.stats().heldUntil).toBe(started + 2_128);
    await vi.advanceTimersByTimeAsync(1);
    await all;
    expect(grants).toEqual([started + 2_128, started + 2_128]);
    expect(budget.stats()).toMatchObject({ holds: 1, heldUntil: 0 });
  });

  test('callers share it: a write waiting behind a sweep is served first, and together they keep to the share', async () => {
    const budget = new QuotaBudget({ limit: 20, windowMs: 1_000, share: 1, burst: 1 });
    const order: string[] = [];
    const grants: number[] = [];
    const draw = async (caller: string, priority: number) => {
      const slot = await budget.acquire(caller, { priority });
      order.push(caller);
      grants.push(Date.now());
      slot.settle();
    };
    const sweep = Array.from({ length: 30 }, () => draw('presence-poll', quotaPriority.sweep));
    await vi.advanceTimersByTimeAsync(120);
    const writes = [
      draw('presence-writes', quotaPriority.interactive),
      draw('presence-writes', quotaPriority.interactive),
    ];
    const grantedBefore = order.length;
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all([...sweep, ...writes]);
    // The two writes came right after the polls already granted, ahead of the 20-odd polls still waiting.
    expect(order.slice(grantedBefore, grantedBefore + 2)).toEqual(['presence-writes', 'presence-writes']);
    expect(budget.stats().granted).toEqual({ 'presence-poll': 30, 'presence-writes': 2 });
    expect(busiestWindow(grants, 1_000)).toBeLessThanOrEqual(20);
  });

  test('a waiter that gives up (its signal aborts) leaves the queue; closing rejects the rest', async () => {
    const budget = new QuotaBudget({ limit: 1, windowMs: 1_000, share: 1, burst: 1 });
    const first = await budget.acquire('presence-poll');
    const controller = new AbortController();
    const abandoned = budget.acquire('presence-poll', { signal: controller.signal });
    const closed = budget.acquire('presence-subscriptions');
    controller.abort(new Error('stopped'));
    await expect(abandoned).rejects.toThrow('stopped');
    expect(budget.stats().waiting).toBe(1);
    budget.close(new Error('shutting down'));
    await expect(closed).rejects.toThrow('shutting down');
    expect(budget.stats().waiting).toBe(0);
    first.settle();
    await expect(budget.acquire('presence-poll', { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow(
      'gone',
    );
  });

  test('no more than maxInFlight calls are unanswered at once, across callers', async () => {
    const budget = new QuotaBudget({ limit: 100, windowMs: 1_000, share: 1, burst: 10, maxInFlight: 2 });
    const slots = await Promise.all([budget.acquire('presence-poll'), budget.acquire('presence-writes')]);
    let third = false;
    const waiting = budget.acquire('presence-poll').then((s) => {
      third = true;
      return s;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(third).toBe(false);
    slots[1]?.settle();
    await vi.advanceTimersByTimeAsync(0);
    expect(third).toBe(true);
    slots[0]?.settle();
    (await waiting).settle();
  });

  test('settling twice counts the call once', async () => {
    const budget = new QuotaBudget({ limit: 2, windowMs: 1_000, share: 1, burst: 2 });
    const slot = await budget.acquire('presence-poll');
    slot.settle();
    slot.settle();
    expect(budget.stats()).toMatchObject({ inFlight: 0, inWindow: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(budget.stats().inWindow).toBe(0);
  });

  test('options are validated', () => {
    expect(() => new QuotaBudget({ share: 0 })).toThrow();
    expect(() => new QuotaBudget({ share: 1.5 })).toThrow();
    expect(() => new QuotaBudget({ windowMs: -1 })).toThrow();
    expect(new QuotaBudget().capacity).toBe(1425);
  });
});
