/**
 * presence-write: presence writes and polls sharing one Graph quota, on the Graph emulator over real HTTP.
 *
 * 10,000 people change what Teams should show for them (Busy/InACall ↔ cleared) while 100,000 users are polled back
 * to back, for ≥ 90 s (three quota windows). Both go through one Graph client at `quotaShare` 0.95 of 1,500 calls per
 * 30 s; writes go ahead of polls and keep to `writeShare` 0.5 of that. The writer is the connector's
 * ({@link PresenceWriter}) with its SQLite record of written presences.
 *
 * The rate: 10,000 changes per 10 minutes (16.7 per second), one change per person every 10 minutes on average. A
 * change here is one that changes Teams (start or end of a call or chat shown as Busy); a voice agent at 5-minute
 * handle time and 50 % occupancy makes one every 5 minutes, but Graph's tenant-wide limit (1,500 per 30 s = 50/s, reads
 * included) cannot carry 33 writes/s for 10,000 people and still poll 100,000: 16.7/s is what a 10,000-seat centre
 * can show with half the budget, and the figure to compare against is the write share (23.75/s), which it stays under.
 *
 * Figures: the p99 lag from a change to Graph having the value (a person changing again before the write counts from
 * their first unwritten change), 429s, the full-sweep period against the floor the writes' share leaves
 * (ceil(100,000 / 650) calls at (1 − 0.5) × 0.95 × 50/s), and writes against changes (coalescing).
 * `PRESENCE_WRITE_SECONDS` (read only here) shortens the run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createAppTokenSource } from '../src/adapters/graph/app-token.js';
import { GraphClient } from '../src/adapters/graph/graph-client.js';
import { PresencePoller } from '../src/adapters/graph/presence-poller.js';
import { createGraphPresenceWriteGateway } from '../src/adapters/graph/presence-write-gateway.js';
import { QuotaBudget } from '../src/adapters/graph/quota-budget.js';
import { connectorMigrations } from '../src/adapters/store/connector-migrations.js';
import { openDatabase } from '../src/adapters/store/open-database.js';
import { createSqlPresenceWriteStore } from '../src/adapters/store/sql-presence-writes.js';
import { startGraphEmulator } from '../src/dev/graph-emulator/graph-emulator.js';
import { CallWindow } from '../src/domain/presence/call-window.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../src/domain/presence/presence-tracker.js';
import type { ShownPresence } from '../src/domain/presence/presence-write.js';
import { systemClock } from '../src/ports/clock.js';
import { PresenceWriter } from '../src/services/presence-writer.js';

export const name = 'presence-write';

const USERS = 100_000;
const WRITERS = 10_000;
const QUOTA_SHARE = 0.95;
const WRITE_SHARE = 0.5;
/** Changes per second across the 10,000 people (one per person per 10 minutes). */
const RATE = WRITERS / 600;
const APP = 'bench-app';

export async function run() {
  const seconds = Number(process.env.PRESENCE_WRITE_SECONDS ?? 90);
  const emu = await startGraphEmulator();
  const ids = Array.from({ length: USERS }, () => randomUUID());
  emu.seedUsers(ids);
  const people = ids.slice(0, WRITERS);
  const tracker = new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 300_000 });
  for (const id of ids) tracker.track(id, Date.now());
  const tokens = createAppTokenSource({
    tenantId: 'bench',
    clientId: APP,
    clientSecret: 'x',
    authorityBaseUrl: emu.baseUrl,
  });
  const client = new GraphClient(
    { graphBaseUrl: emu.graphBaseUrl, quotaShare: QUOTA_SHARE, concurrency: 8 },
    { tokens },
  );
  // One presence budget for polls and writes, as the connector composes them (compose/graph.ts).
  const presenceQuota = new QuotaBudget({ share: QUOTA_SHARE });
  const poller = new PresencePoller(
    { fastIntervalMs: 0 },
    { client, tracker, clock: systemClock, onChanges: () => {}, budget: presenceQuota },
  );
  const database = await openDatabase({
    url: path.join(mkdtempSync(path.join(tmpdir(), 'bench-write-')), 'connector.db'),
    migrations: connectorMigrations,
  });

  const pendingSince = new Map<string, number>();
  const lags: number[] = [];
  const busy: ShownPresence = { availability: 'Busy', activity: 'InACall', statusMessage: null };
  const writer: PresenceWriter = new PresenceWriter(
    { expirationMinutes: 15 },
    {
      store: createSqlPresenceWriteStore(database),
      gateway: createGraphPresenceWriteGateway(client, APP, presenceQuota),
      clock: systemClock,
      owns: () => true,
      budget: new CallWindow(Math.floor(WRITE_SHARE * QUOTA_SHARE * 1500), 30_000),
      logger: pino({ level: 'silent' }),
      onWritten: (id, _kind, at) => {
        const since = pendingSince.get(id);
        const satisfied = (writer.wanted(id) === undefined) === (writer.written(id) === undefined);
        if (since !== undefined && satisfied) {
          lags.push(at - since);
          pendingSince.delete(id);
        }
      },
    },
  );
  writer.start();

  // Changes: a steady rate, each to a random person, toggling Busy on and off.
  let changes = 0;
  let carry = 0;
  let last = performance.now();
  const generator = setInterval(() => {
    const now = performance.now();
    carry += ((now - last) / 1000) * RATE;
    last = now;
    for (; carry >= 1; carry--) {
      const id = people[Math.floor(Math.random() * people.length)] as string;
      if (!pendingSince.has(id)) pendingSince.set(id, Date.now());
      writer.want(id, writer.wanted(id) ? null : busy);
      changes++;
    }
  }, 10);

  const periods: number[] = [];
  const started = performance.now();
  let failedPolls = 0;
  while (performance.now() - started < seconds * 1000) {
    const t0 = performance.now();
    const r = await poller.pollOnce();
    failedPolls += r.failedCalls;
    periods.push(performance.now() - t0);
  }
  clearInterval(generator);
  const elapsed = (performance.now() - started) / 1000;
  await writer.stop();
  presenceQuota.close();
  await database.close();
  await emu.close();

  const sorted = [...lags].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
  const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const calls = Math.ceil(USERS / 650);
  const floor = calls / ((1 - WRITE_SHARE) * QUOTA_SHARE * 50);
  // The first sweep starts before any write: count the steady ones.
  const steady = periods.length > 2 ? periods.slice(1) : periods;
  const mean = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length) / 1000;
  const writes = writer.stats.sets + writer.stats.clears;
  return {
    'presence-write': {
      value: Math.round(p99),
      unit: 'ms p99 lag from a change to Graph',
      p50LagMs: Math.round(p50),
      lagsMeasured: lags.length,
      changes,
      changesPerSecond: Math.round((changes / elapsed) * 10) / 10,
      writes,
      writesPerSecond: Math.round((writes / elapsed) * 10) / 10,
      coalesced: writer.stats.coalesced,
      failedWrites: writer.stats.failures,
      http429: emu.counters.throttled,
      polledUsers: USERS,
      writers: WRITERS,
      sweeps: steady.length,
      sweepSecondsMean: Math.round(mean * 1000) / 1000,
      sweepFloorSeconds: Math.round(floor * 1000) / 1000,
      sweepRatioToFloor: Math.round((mean / floor) * 1000) / 1000,
      failedPolls,
      runSeconds: Math.round(elapsed * 10) / 10,
      quotaShare: QUOTA_SHARE,
      writeShare: WRITE_SHARE,
      target: 'p99 < 2000 ms, zero 429s, sweep ≤ 1.1 × floor, writes ≤ changes',
    },
  };
}
