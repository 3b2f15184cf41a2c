/**
 * Presence writes and polls on one Graph quota, over real HTTP against the Graph emulator with a small quota (150
 * calls per rolling 5 s): both draw from one presence budget, as the connector composes them, so neither draws a 429 by itself; every write
 * lands (with the app's own session) while the poller keeps sweeping; and writes Graph throttled anyway (another
 * caller used the quota) are retried by the writer with the value current then.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { createAppTokenSource } from '../../../src/adapters/graph/app-token.js';
import { GraphClient } from '../../../src/adapters/graph/graph-client.js';
import { PresencePoller } from '../../../src/adapters/graph/presence-poller.js';
import { createGraphPresenceWriteGateway } from '../../../src/adapters/graph/presence-write-gateway.js';
import { QuotaBudget } from '../../../src/adapters/graph/quota-budget.js';
import { type GraphEmulator, startGraphEmulator } from '../../../src/dev/graph-emulator/graph-emulator.js';
import { CallWindow } from '../../../src/domain/presence/call-window.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../../../src/domain/presence/presence-tracker.js';
import type { ShownPresence } from '../../../src/domain/presence/presence-write.js';
import { systemClock } from '../../../src/ports/clock.js';
import { MemoryPresenceWriteStore } from '../../../src/ports/presence/presence-write-store.js';
import { PresenceWriter } from '../../../src/services/presence-writer.js';

const APP = 'quota-app';
const busy: ShownPresence = { availability: 'Busy', activity: 'InACall', statusMessage: null };
let emu: GraphEmulator | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await emu?.close();
});

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

async function world(options: { retryBaseMs?: number } = {}) {
  const graph = await startGraphEmulator({ quotaCalls: 150, quotaWindowMs: 5000 });
  emu = graph;
  const ids = Array.from({ length: 1300 }, () => randomUUID());
  graph.seedUsers(ids);
  const tokens = createAppTokenSource({
    tenantId: 't',
    clientId: APP,
    clientSecret: 'x',
    authorityBaseUrl: graph.baseUrl,
  });
  const client = new GraphClient(
    { graphBaseUrl: graph.graphBaseUrl, quotaCalls: 150, quotaWindowMs: 5000, quotaShare: 0.9, concurrency: 4 },
    { tokens },
  );
  const budget = new QuotaBudget({ limit: 150, windowMs: 5000, share: 0.9, burst: 10, maxInFlight: 4 });
  const tracker = new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 600_000 });
  for (const id of ids) tracker.track(id, Date.now());
  const poller = new PresencePoller(
    { fastIntervalMs: 0 },
    {
      client,
      budget,
      tracker,
      clock: systemClock,
      onChanges: () => {},
      onError: () => {},
    },
  );
  const writer = new PresenceWriter(
    { expirationMinutes: 15, retryBaseMs: options.retryBaseMs ?? 50, tickMs: 20 },
    {
      store: new MemoryPresenceWriteStore(),
      gateway: createGraphPresenceWriteGateway(client, APP, budget),
      clock: systemClock,
      owns: () => true,
      budget: new CallWindow(14, 1000),
      logger: pino({ level: 'silent' }),
    },
  );
  poller.start();
  writer.start();
  stops.push(
    () => writer.stop(),
    () => poller.stop(),
    async () => budget.close(),
  );
  // Every sweep polls every user once: the last user's polls count the sweeps done.
  return { graph, ids, writer, sweeps: () => graph.pollsOf(ids[ids.length - 1] ?? '') };
}

describe('presence writes and polls on one quota', () => {
  test('neither draws a 429 by itself; every write lands while polling goes on', async () => {
    const w = await world();
    const people = w.ids.slice(0, 40);
    for (const id of people) w.writer.want(id, busy);
    await until(() => people.every((id) => w.graph.sessions.appSessions(id).has(APP)));
    const sweepsThen = w.sweeps();
    await until(() => w.sweeps() > sweepsThen + 1);
    expect(w.graph.counters.throttled).toBe(0);
    expect(w.graph.counters.presenceWrites).toBe(40);
    expect(w.graph.presenceOf(people[0] ?? '')).toMatchObject({ availability: 'Busy', activity: 'InACall' });
  });

  test('a write Graph throttles is retried with the value current then', async () => {
    const w = await world({ retryBaseMs: 200 });
    const id = w.ids[0] ?? '';
    const writesBefore = w.graph.counters.presenceWrites;
    // Another caller uses the quota up: Graph answers 429 to everyone, the write included.
    w.graph.throttleNext(1000, 0.05);
    w.writer.want(id, busy);
    await until(() => w.writer.stats.failures > 0);
    w.writer.want(id, null); // the session ended while the write was failing
    w.graph.throttleNext(0, 0);
    await until(
      () => w.writer.backlog().pending === 0 && w.writer.backlog().inFlight === 0 && w.writer.written(id) === undefined,
    );
    // Never set: the retry cleared (a 404: nothing to clear) instead of writing the stale Busy.
    expect(w.graph.log.filter((c) => c.path === `/users/${id}/presence/setPresence` && c.status === 200)).toEqual([]);
    expect(w.graph.counters.presenceWrites).toBeGreaterThan(writesBefore);
    expect(w.graph.presenceOf(id)).toMatchObject({ availability: 'Available' });
  });
});
