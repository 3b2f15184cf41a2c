/**
 * presence-sweep: 100,000 tracked users polled back to back on the Graph emulator for ≥ 90 s (three quota windows).
 * Figure: the mean full-sweep period against the sustained floor ceil(N/650) calls at 50 calls/s, and the 429 count.
 * `PRESENCE_SWEEP_SECONDS` (read only here) shortens the run for a quick look; the default is the full 90 s.
 */
import { randomUUID } from 'node:crypto';
import { createAppTokenSource } from '../src/adapters/graph/app-token.js';
import { GraphClient } from '../src/adapters/graph/graph-client.js';
import { PresencePoller } from '../src/adapters/graph/presence-poller.js';
import { startGraphEmulator } from '../src/dev/graph-emulator/graph-emulator.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../src/domain/presence/presence-tracker.js';
import { systemClock } from '../src/ports/clock.js';

export const name = 'presence-sweep';

const USERS = 100_000;
const QUOTA_SHARE = 0.98;

export async function run() {
  const seconds = Number(process.env.PRESENCE_SWEEP_SECONDS ?? 90);
  const emu = await startGraphEmulator();
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
  const client = new GraphClient(
    { graphBaseUrl: emu.graphBaseUrl, quotaShare: QUOTA_SHARE, concurrency: 8 },
    { tokens },
  );
  const poller = new PresencePoller(
    { fastIntervalMs: 0, tickMs: 0 },
    { client, tracker, clock: systemClock, onChanges: () => {} },
  );
  const periods: number[] = [];
  const started = performance.now();
  let failed = 0;
  while (performance.now() - started < seconds * 1000) {
    const t0 = performance.now();
    const r = await poller.pollOnce();
    failed += r.failedCalls;
    periods.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - started) / 1000;
  await emu.close();
  const calls = Math.ceil(USERS / 650);
  const floor = calls / 50;
  const mean = periods.reduce((a, b) => a + b, 0) / periods.length / 1000;
  const sorted = [...periods].sort((a, b) => a - b);
  const median = (sorted[Math.floor(sorted.length / 2)] ?? 0) / 1000;
  return {
    'presence-sweep': {
      value: Math.round(mean * 1000) / 1000,
      unit: 's per full sweep (mean)',
      users: USERS,
      sweeps: periods.length,
      runSeconds: Math.round(elapsed * 10) / 10,
      floorSeconds: Math.round(floor * 1000) / 1000,
      ratioToFloor: Math.round((mean / floor) * 1000) / 1000,
      medianSeconds: Math.round(median * 1000) / 1000,
      http429: emu.counters.throttled,
      failedCalls: failed,
      quotaShare: QUOTA_SHARE,
      target: '≤ 1.1 × floor, zero 429s',
    },
  };
}
