/**
 * `npm run bench -- route-to-card`: time from a consultation request to the preview card's POST at the Bot
 * Connector, through the real connector: `createApp` with 10,000 knowledge workers in the directory (each with a
 * durable conversation reference), one routing point over all of them (round-robin), the SQLite database, the
 * interaction service's transaction, the outbox worker, the routing service, the Teams messenger, the rate-limited
 * sender (limits raised so that only latency is measured), botbuilder's CloudAdapter, and HTTP to the Bot Connector
 * emulator. A sample starts when the agent's StartIm is executed and ends when the emulator has answered the POST.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSqlConversationReferenceStore } from '../src/adapters/store/sql-teams-stores.js';
import { createApp } from '../src/app.js';
import { loadConfigFiles } from '../src/config/config-files.js';
import { readConfig } from '../src/config/read-config.js';
import { startBotConnectorEmulator } from '../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { createLogger } from '../src/logger.js';
import { expertReference } from './support/expert-reference.js';

export const name = 'route-to-card';

const DIRECTORY = 10_000;
const WARMUP = 50;
const SAMPLES = 1_000;
const TENANT = '00000000-0000-0000-0000-0000000000b1';

function configYaml(): string {
  const ids = Array.from({ length: DIRECTORY }, (_, i) => `kw-${i}`);
  return [
    'directory:',
    '  knowledgeWorkers:',
    ...ids.map((id, i) => `    - { id: ${id}, name: Expert ${i}, staticState: Ready }`),
    '  agents:',
    '    - { id: agent-kate, name: Kate Lewis }',
    'routing:',
    '  routingPoints:',
    '    - id: experts',
    '      name: All Experts',
    `      members: { kind: static, ids: [${ids.join(', ')}] }`,
    '      strategy: { kind: round-robin }',
    '      previewTimeoutMs: 600000',
    'teams:',
    `  allowedTenants: ["${TENANT}"]`,
    '  send: { perTenant: [{ limit: 1000000, windowMs: 1000 }] }',
  ].join('\n');
}

export async function run(): Promise<Record<string, { value: number; unit: string; [k: string]: unknown }>> {
  const emulator = await startBotConnectorEmulator({ tenantPerSecond: 1_000_000 });
  const dir = mkdtempSync(path.join(tmpdir(), 'ucc-bench-'));
  const result = readConfig(
    { DATABASE_URL: path.join(dir, 'connector.db'), LOG_LEVEL: 'silent' },
    { path: 'bench.yaml', text: configYaml() },
  );
  const loaded = result.ok ? loadConfigFiles(result.config) : result;
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems.slice(0, 3)));
  const app = await createApp(loaded.config, { logger: createLogger('silent') });
  const references = createSqlConversationReferenceStore(app.database);
  for (let i = 0; i < DIRECTORY; i++) await references.put(expertReference(i, TENANT, emulator.serviceUrl));
  app.start();
  const kate = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' as const };
  const rp = { kind: 'routing-point' as const, id: 'experts', name: 'All Experts' };
  const times: number[] = [];
  try {
    for (let n = 0; n < WARMUP + SAMPLES; n++) {
      const before = emulator.requests.length;
      const started = performance.now();
      const res = await app.commands.execute({
        type: 'StartIm',
        interactionId: `ix-${n}`,
        initiator: kate,
        target: rp,
        text: 'Can you help with a broken TV?',
        attachedData: { Priority: 'High', Reason: 'Broken TV' },
      });
      if (!res.ok) throw new Error(res.refusal.message);
      // The outbox worker routes and sends on its own; wait for the card's POST to be answered.
      const deadline = started + 30_000;
      while (emulator.requests.length === before) {
        if (performance.now() > deadline)
          throw new Error(`no preview card for ix-${n}: ${JSON.stringify(await app.reach?.list())}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const elapsed = performance.now() - started;
      const sent = emulator.requests[before];
      if (sent?.status !== 201 && sent?.status !== 200) throw new Error(`the card's POST got ${sent?.status}`);
      if (n >= WARMUP) times.push(elapsed);
    }
  } finally {
    await app.stop();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round((times[Math.min(times.length - 1, Math.floor(p * times.length))] as number) * 100) / 100;
  return {
    'route-to-card.p99': {
      value: q(0.99),
      unit: 'ms',
      p50: q(0.5),
      p90: q(0.9),
      max: q(1),
      samples: SAMPLES,
      directory: DIRECTORY,
      path: 'StartIm → SQLite commit → outbox → routing service → messenger → CloudAdapter → emulator POST',
      target: 20,
    },
  };
}
