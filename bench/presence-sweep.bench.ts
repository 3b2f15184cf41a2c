/**
 * presence-sweep: 100,000 tracked users polled by the poller's own loop (`start()`, every user due at once) on the
 * Graph emulator for ≥ 90 s (three quota windows), paced by the presence quota's budget at the default share (0.95).
 * Quota model: the emulator's sliding window, 1,500 `getPresencesByUserId` calls in any rolling 30 s per app and
 * tenant (a 429 with the fractional seconds until a slot frees as Retry-After), as Graph documents it.
 * Figure: the mean full-sweep period against the floor the share allows, ceil(N/650) calls at 0.95 × 1,500 / 30 s =
 * 47.5 calls/s, and the 429 count. `presence-sweep-latency` does the same with 150 ms per presence answer (Graph's
 * own latency), so that calls in flight, not the budget, would show if they limited the pace.
 * `PRESENCE_SWEEP_SECONDS` (read only here) shortens the runs for a quick look; the default is the full 90 s.
 */
import { randomUUID } from 'node:crypto';
import { createAppTokenSource } from '../src/adapters/graph/app-token.js';
import { GraphClient } from '../src/adapters/graph/graph-client.js';
import { type PollCycleResult, PresencePoller } from '../src/adapters/graph/presence-poller.js';
import { QuotaBudget } from '../src/adapters/graph/quota-budget.js';
import { startGraphEmulator } from '../src/dev/graph-emulator/graph-emulator.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../src/domain/presence/presence-tracker.js';
import { systemClock } from '../src/ports/clock.js';
import type { BenchFigure } from './run.js';

export const name = 'presence-sweep';

const USERS = 100_000;
const QUOTA_SHARE = 0.95;
const QUOTA_MODEL = 'sliding window: 1,500 calls in any rolling 30 s (Graph emulator), 429 + fractional Retry-After';

async function sweep(seconds: number, latencyMs: number): Promise<BenchFigure> {
  const emu = await startGraphEmulator({ presenceLatencyMs: latencyMs });
  const ids = Array.from({ length: USERS }, () => randomUUID());
  emu.seedUsers(ids);
  const tracker = new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 300_000 });
  for (const id of ids) tracker.track(id, Date.now());
  const tokens = createAppTokenSource({
    tenantId: 'bench',
    clientId: 'bench-app',
    clientSecret: 'x',
    authorityBaseUrl: emu.baseUrl,
  });
  const client = new GraphClient({ graphBaseUrl: emu.graphBaseUrl }, { tokens });
  const budget = new QuotaBudget({ share: QUOTA_SHARE });
  const ends: number[] = [];
  const cycles: PollCycleResult[] = [];
  const poller = new PresencePoller(
    { fastIntervalMs: 0 },
    {
      client,
      tracker,
      clock: systemClock,
      onChanges: () => {},
      budget,
      onCycle: (r) => {
        ends.push(performance.now());
        cycles.push(r);
      },
    },
  );
  const started = performance.now();
  poller.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await poller.stop();
  await emu.close();
  const calls = Math.ceil(USERS / 650);
  // Full sweeps only: the cycle the stop interrupted answered fewer calls.
  const full = cycles
    .map((c, i) => ({ c, end: ends[i] ?? 0 }))
    .filter((x) => x.c.polledUsers === USERS && x.c.calls === calls && x.c.failedCalls === 0);
  const periods = full.map((x, i) => x.end - (i === 0 ? started : (full[i - 1]?.end ?? started)));
  const floor = calls / ((QUOTA_SHARE * 1500) / 30);
  const sweeps = periods.length;
  const runSeconds = ((full.at(-1)?.end ?? started) - started) / 1000;
  const mean = runSeconds / Math.max(1, sweeps);
  const sorted = [...periods].sort((a, b) => a - b);
  const median = (sorted[Math.floor(sorted.length / 2)] ?? 0) / 1000;
  const max = (sorted.at(-1) ?? 0) / 1000;
  const stats = budget.stats();
  return {
    value: Math.round(mean * 1000) / 1000,
    unit: 's per full sweep (mean)',
    users: USERS,
    sweeps,
    runSeconds: Math.round(runSeconds * 10) / 10,
    floorSeconds: Math.round(floor * 1000) / 1000,
    ratioToFloor: Math.round((mean / floor) * 1000) / 1000,
    medianSeconds: Math.round(median * 1000) / 1000,
    maxSeconds: Math.round(max * 1000) / 1000,
    callsPerSecond: Math.round(((sweeps * calls) / runSeconds) * 10) / 10,
    http429: emu.counters.throttled,
    failedCalls: cycles.reduce((n, c) => n + c.failedCalls, 0),
    budgetGranted: stats.granted['presence-poll'] ?? 0,
    quotaShare: QUOTA_SHARE,
    quotaModel: QUOTA_MODEL,
    presenceLatencyMs: latencyMs,
    target: '≤ 1.1 × floor at the default share, zero 429s',
  };
}

export async function run() {
  const seconds = Number(process.env.PRESENCE_SWEEP_SECONDS ?? 90);
  return {
    'presence-sweep': await sweep(seconds, 0),
    'presence-sweep-latency': await sweep(seconds, 150),
  };
}
