import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createAppTokenSource } from '../../../src/adapters/graph/app-token.js';
import { GraphClient } from '../../../src/adapters/graph/graph-client.js';
import { type PollCycleResult, PresencePoller } from '../../../src/adapters/graph/presence-poller.js';
import { QuotaBudget } from '../../../src/adapters/graph/quota-budget.js';
import { type GraphEmulator, startGraphEmulator } from '../../../src/dev/graph-emulator/graph-emulator.js';
import { describeState } from '../../../src/domain/presence/agent-state.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../../../src/domain/presence/presence-tracker.js';
import { systemClock } from '../../../src/ports/clock.js';
import { users as sampleUsers, startHarness } from '../../integration/presence-harness.js';

const PRESENCE = '/communications/getPresencesByUserId';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** An emulator whose presence quota is a small sliding window, users seeded Available, and a poller over them. */
async function world(opts: {
  users: number;
  quotaCalls: number;
  quotaWindowMs: number;
  budget: QuotaBudget;
  batchSize: number;
  maxRetries?: number;
  fastIntervalMs?: number;
  maxIdleMs?: number;
}) {
  const emu: GraphEmulator = await startGraphEmulator({
    quotaCalls: opts.quotaCalls,
    quotaWindowMs: opts.quotaWindowMs,
  });
  open.push(emu);
  const ids = Array.from({ length: opts.users }, () => randomUUID());
  emu.seedUsers(ids);
  const tracker = new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 600_000 });
  for (const id of ids) tracker.track(id, Date.now());
  const tokens = createAppTokenSource({
    tenantId: emu.identity.tenantId,
    clientId: 'app',
    clientSecret: 'secret',
    authorityBaseUrl: emu.baseUrl,
  });
  const client = new GraphClient(
    {
      graphBaseUrl: emu.graphBaseUrl,
      maxRetries: opts.maxRetries ?? 8,
      backoffBaseMs: 20,
    },
    { tokens },
  );
  const errors: unknown[] = [];
  const cycles: PollCycleResult[] = [];
  const poller = new PresencePoller(
    { batchSize: opts.batchSize, fastIntervalMs: opts.fastIntervalMs ?? 15_000, maxIdleMs: opts.maxIdleMs },
    {
      client,
      tracker,
      clock: systemClock,
      onChanges: () => {},
      onError: (e) => errors.push(e),
      budget: opts.budget,
      onCycle: (r) => cycles.push(r),
    },
  );
  open.push({ close: () => poller.stop() });
  const presenceCalls = () => emu.log.filter((l) => l.path === PRESENCE);
  const stateOf = (id: string) => describeState(tracker.stateFor(id, Date.now()));
  return { emu, ids, tracker, client, poller, errors, cycles, presenceCalls, stateOf };
}

describe('the poller paces to a sliding-window quota', () => {
  test('a sweep bigger than three windows goes through without a single 429, every user polled once', async () => {
    const budget = new QuotaBudget({ limit: 10, windowMs: 1_000, share: 0.9, burst: 3 });
    const w = await world({ users: 300, quotaCalls: 10, quotaWindowMs: 1_000, budget, batchSize: 10 });
    const r = await w.poller.pollOnce();
    expect(r).toMatchObject({ polledUsers: 300, calls: 30, failedCalls: 0 });
    expect(w.emu.counters.throttled).toBe(0);
    expect(w.ids.map((id) => w.emu.pollsOf(id))).toEqual(w.ids.map(() => 1));
    expect(w.ids.every((id) => w.stateOf(id) === 'Ready')).toBe(true);
    expect(budget.stats().granted).toEqual({ 'presence-poll': 30 });
  });

  test('when the quota is tighter than the budget believes, the 429s are waited out and every user is polled', async () => {
    // Another app of the tenant uses most of the quota: Graph allows 4 calls per window, the budget would send 20.
    const budget = new QuotaBudget({ limit: 20, windowMs: 500, share: 1, burst: 20 });
    const w = await world({ users: 120, quotaCalls: 4, quotaWindowMs: 500, budget, batchSize: 10, maxRetries: 1 });
    const r = await w.poller.pollOnce();
    expect(r).toMatchObject({ polledUsers: 120, calls: 12, failedCalls: 0 });
    expect(w.emu.counters.throttled).toBeGreaterThan(0);
    expect(w.errors).toEqual([]);
    expect(w.ids.every((id) => w.emu.pollsOf(id) === 1)).toBe(true);
    expect(budget.stats().holds).toBeGreaterThan(0);
  });
});

describe('sustained 429s drop nobody', () => {
  test('every batch waits its turn and is retried until answered; no call before the fractional Retry-After', async () => {
    const budget = new QuotaBudget({ share: 0.95, maxInFlight: 1 });
    // Two retries per call would give up long before 30 throttled answers: the old behaviour dropped those users.
    // One call in flight at a time, so every call Graph sees after a 429 was sent after that 429 was received.
    const w = await world({
      users: 40,
      quotaCalls: 1500,
      quotaWindowMs: 30_000,
      budget,
      batchSize: 4,
      maxRetries: 2,
    });
    w.emu.throttleNext(30, 0.035);
    const r = await w.poller.pollOnce();
    expect(r).toMatchObject({ polledUsers: 40, calls: 10, failedCalls: 0 });
    expect(w.errors).toEqual([]);
    expect(w.emu.counters.throttled).toBe(30);
    expect(w.ids.every((id) => w.emu.pollsOf(id) === 1)).toBe(true);
    expect(w.ids.every((id) => w.stateOf(id) === 'Ready')).toBe(true);
    // Graph's clock and ours are the same here: no presence call reached it within 35 ms of a 429 it answered.
    const calls = w.presenceCalls();
    expect(calls).toHaveLength(40);
    const gaps = calls.slice(1).flatMap((c, i) => (calls[i]?.status === 429 ? [c.at - (calls[i]?.at ?? 0)] : []));
    expect(gaps).toHaveLength(30);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(35);
  });

  test('the loop keeps every user polled through a throttling storm, and stops while a Retry-After holds it', async () => {
    const budget = new QuotaBudget({ share: 0.95 });
    const w = await world({
      users: 30,
      quotaCalls: 1500,
      quotaWindowMs: 30_000,
      budget,
      batchSize: 5,
      maxRetries: 0,
      fastIntervalMs: 0,
    });
    w.emu.throttleNext(40, 0.01);
    w.poller.start();
    await vi.waitFor(() => expect(w.cycles.length).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    expect(w.cycles.every((c) => c.failedCalls === 0 && c.polledUsers === 30)).toBe(true);
    expect(w.ids.every((id) => w.emu.pollsOf(id) >= 3)).toBe(true);
    // A long Retry-After: stop does not wait for it, and the users the cut cycle did not poll stay due.
    budget.holdFor(600_000);
    await w.poller.stop();
    expect(w.errors).toEqual([]);
    expect(w.poller.dueUsers(Date.now()).length).toBeGreaterThan(0);
  });

  test('an idle loop picks up a user marked due; nobody else is polled again before due', async () => {
    const budget = new QuotaBudget();
    const w = await world({
      users: 5,
      quotaCalls: 1500,
      quotaWindowMs: 30_000,
      budget,
      batchSize: 650,
      fastIntervalMs: 3_600_000,
      maxIdleMs: 50,
    });
    w.poller.start();
    await vi.waitFor(() => expect(w.cycles.length).toBeGreaterThanOrEqual(1));
    const [first = ''] = w.ids;
    await w.emu.setPresence(first, 'Busy', 'InACall');
    w.poller.markDue(first);
    await vi.waitFor(() => expect(w.stateOf(first)).toBe('NotReady(InACall)'));
    expect(w.emu.pollsOf(first)).toBe(2);
    expect(w.emu.pollsOf(w.ids[1] ?? '')).toBe(1);
  });
});

describe('one budget for every presence caller', () => {
  test('subscription calls and polls draw from the same budget', async () => {
    const budget = new QuotaBudget({ share: 0.95 });
    const h = await startHarness({ budget });
    open.push(h);
    await h.poller.pollOnce();
    await h.signIn();
    await h.manager.assign(sampleUsers);
    expect(h.manager.subscriptions()).toHaveLength(1);
    expect(budget.stats().granted).toEqual({ 'presence-poll': 1, 'presence-subscriptions': 1 });
  });
});
