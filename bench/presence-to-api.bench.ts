/**
 * presence-to-api: time from a presence change made in the Graph emulator to the new agent state being served by
 * the connector's API (`GET /api/v1/directory`), with change notifications (encrypted, through a signed-in
 * subscriber account) and the sweep slowed to ten minutes, so only a notification can carry the change.
 * Target: within 1 s.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectorApp, createApp } from '../src/app.js';
import { loadConfigFiles } from '../src/config/config-files.js';
import { readConfig } from '../src/config/read-config.js';
import { signInLocalSubscriber, startLocalPresence } from '../src/dev/local-presence.js';
import { createLogger } from '../src/logger.js';
import { RecordingChannel } from '../src/ports/participant-channel.js';

export const name = 'presence-to-api';

const CHANGES = 60;
// The bench reads the API back to back until the change shows; the agent API's per-key rate limit (600 a minute,
// bursts of 60) is not what it measures, and a slow change on a busy machine would exhaust it.
const benchApi = `
agentApi:
  rateLimit: { requestsPerMinute: 1000000, burst: 100000 }
`;
const megan = '6e7b768e-07e2-4810-8459-485f84f8f204';

export async function run() {
  let handler: ConnectorApp['http'] | undefined;
  const server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const local = await startLocalPresence({ connectorBaseUrl: base, fastIntervalMs: 600_000 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-presence-'));
  const result = readConfig(
    { DATABASE_URL: join(dir, 'connector.db'), ...local.env },
    { path: 'config/local.yaml', text: readFileSync('config/local.yaml', 'utf8') + local.yaml + benchApi },
  );
  const loaded = result.ok ? loadConfigFiles(result.config) : result;
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const app = await createApp(loaded.config, {
    logger: createLogger('warn'),
    channels: { 'knowledge-worker': new RecordingChannel() },
  });
  handler = app.http;
  const delegated = app.presence?.delegated;
  if (!delegated) throw new Error('local presence should have subscriptions');
  await signInLocalSubscriber(local.emulator, (a, onCode) => delegated.signIn(a, onCode));
  const key = (await app.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'bench' }))
    .key;
  app.start();
  while (!app.presence?.subscriptions?.isSubscribed(megan)) await new Promise((r) => setTimeout(r, 20));

  const stateOfMegan = async (): Promise<string> => {
    const res = await fetch(`${base}/api/v1/directory?kind=knowledge-worker&q=megan`, {
      headers: { authorization: `Bearer ${key}` },
    });
    if (res.status !== 200) throw new Error(`GET /api/v1/directory answered ${res.status}`);
    const body = (await res.json()) as { entries: { id: string; state: { kind: string; reason?: string } }[] };
    const s = body.entries.find((e) => e.id === megan)?.state;
    return s ? `${s.kind}${s.reason ? `(${s.reason})` : ''}` : 'missing';
  };
  const sweepsBefore = local.emulator.counters.presenceCalls;
  const latencies: number[] = [];
  const steps = [
    { availability: 'Busy', activity: 'InACall', expect: 'NotReady(InACall)' },
    { availability: 'Available', activity: 'Available', expect: 'Ready' },
  ];
  for (let i = 0; i < CHANGES; i++) {
    const step = steps[i % 2] ?? steps[0];
    if (!step) break;
    const t0 = performance.now();
    await local.emulator.setPresence(megan, step.availability, step.activity);
    while ((await stateOfMegan()) !== step.expect) {
      if (performance.now() - t0 > 10_000) throw new Error(`state ${step.expect} never reached the API`);
    }
    latencies.push(performance.now() - t0);
  }
  const sweeps = local.emulator.counters.presenceCalls - sweepsBefore;
  await app.stop();
  server.closeAllConnections();
  server.close();
  await local.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 10) / 10;
  return {
    'presence-to-api': {
      value: pct(0.5),
      unit: 'ms from a presence change in Graph to the new state in the API (median, by notification)',
      p90: pct(0.9),
      p99: pct(0.99),
      max: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
      changes: CHANGES,
      sweepsDuringRun: sweeps,
      target: '< 1000',
    },
  };
}
