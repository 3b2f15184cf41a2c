/**
 * `npm run bench -- voice-call`: a call at a voice routing point with the `preview` rule, through the real connector
 * over HTTP (`createApp` on SQLite, listening on loopback, the Bot Connector emulator as Teams):
 * - call → card: `POST /api/v1/voice-calls` sent until the call preview card's POST is answered by the emulator;
 * - accept → decision: the knowledge worker's Accept (an `adaptiveCard/action` invoke at `/api/messages`) sent until
 *   the contact center's long poll (`GET /api/v1/voice-calls/{id}?waitMs=20000`, already waiting) answers with the
 *   decision.
 * The calls go to 100 knowledge workers in turn, so that no one conversation reaches Teams' per-conversation send
 * limits (each call sends its card and replaces it: two sends), which the sender would otherwise wait out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSqlConversationReferenceStore } from '../src/adapters/store/sql-teams-stores.js';
import { createApp } from '../src/app.js';
import { loadConfigFiles } from '../src/config/config-files.js';
import { readConfig } from '../src/config/read-config.js';
import { startBotConnectorEmulator } from '../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { createLogger } from '../src/logger.js';
import { expertReference } from './support/expert-reference.js';

export const name = 'voice-call';

const WARMUP = 30;
const SAMPLES = 300;
const TENANT = '00000000-0000-0000-0000-0000000000b2';
const EXPERTS = 100;

const yaml = [
  'directory:',
  '  knowledgeWorkers:',
  ...Array.from(
    { length: EXPERTS },
    (_, i) => `    - { id: kw-${i}, name: Expert ${i}, voice: { extension: "${4700 + i}" } }`,
  ),
  '  agents:',
  '    - { id: agent-kate, name: Kate Lewis }',
  'teams:',
  `  allowedTenants: ["${TENANT}"]`,
  '  send: { perTenant: [{ limit: 1000000, windowMs: 1000 }] }',
  'agentApi:',
  '  rateLimit: { requestsPerMinute: 1000000, burst: 100000 }',
  'escalation:',
  '  voiceRoutingPoints:',
  '    - { dn: "5001", name: Expert transfer, rule: preview, previewTimeoutMs: 120000, defaultRoute: { dn: "5999" } }',
].join('\n');

const quantiles = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number) * 100) / 100;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) };
};

export async function run(): Promise<Record<string, { value: number; unit: string; [k: string]: unknown }>> {
  const emulator = await startBotConnectorEmulator({ tenantPerSecond: 1_000_000 });
  const dir = mkdtempSync(path.join(tmpdir(), 'ucc-bench-'));
  const result = readConfig(
    { DATABASE_URL: path.join(dir, 'connector.db'), LOG_LEVEL: 'silent' },
    { path: 'bench.yaml', text: yaml },
  );
  const loaded = result.ok ? loadConfigFiles(result.config) : result;
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems.slice(0, 3)));
  const app = await createApp(loaded.config, { logger: createLogger('silent') });
  const references = createSqlConversationReferenceStore(app.database);
  for (let i = 0; i < EXPERTS; i++) await references.put(expertReference(i, TENANT, emulator.serviceUrl));
  app.start();
  const server: Server = await new Promise((resolve) => {
    const s = app.http.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = (await app.agentSide.keys.create({ contactCenter: 'default', agentId: null, label: 'bench' })).key;
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const toCard: number[] = [];
  const toDecision: number[] = [];
  try {
    for (let n = 0; n < WARMUP + SAMPLES; n++) {
      const id = `call-${n}`;
      const kw = `kw-${n % EXPERTS}`;
      const before = emulator.requests.length;
      const started = performance.now();
      const posted = await fetch(`${base}/api/v1/voice-calls`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          id,
          routingPoint: '5001',
          attachedData: { UCC_KnowledgeWorkerId: kw, UCC_AgentId: 'agent-kate', CallType: 'Inbound' },
        }),
      });
      if (posted.status !== 202) throw new Error(`POST /voice-calls answered ${posted.status}`);
      const deadline = started + 30_000;
      while (emulator.requests.length === before) {
        if (performance.now() > deadline) throw new Error(`no call preview card for ${id}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const carded = performance.now() - started;

      const waiting = fetch(`${base}/api/v1/voice-calls/${id}?waitMs=20000`, { headers: auth });
      // Let the long poll reach the connector and start waiting before the click.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const clicked = performance.now();
      const invoke = await fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'invoke',
          name: 'adaptiveCard/action',
          id: `f:${n}`,
          channelId: 'msteams',
          serviceUrl: emulator.serviceUrl,
          from: { id: `29:${kw}`, name: kw, aadObjectId: kw },
          conversation: { conversationType: 'personal', tenantId: TENANT, id: `a:${kw}` },
          recipient: { id: '28:bench-bot', name: 'bench' },
          channelData: { tenant: { id: TENANT } },
          value: {
            action: { type: 'Action.Execute', verb: 'accept', data: { interactionId: id, invitationId: 'v1' } },
            trigger: 'manual',
          },
        }),
      });
      if (invoke.status !== 200) throw new Error(`the Accept invoke answered ${invoke.status}`);
      const answer = (await (await waiting).json()) as { decision: { route: string } | null };
      const decided = performance.now() - clicked;
      if (answer.decision?.route !== 'knowledge-worker') throw new Error(`${id}: ${JSON.stringify(answer)}`);
      if (n >= WARMUP) {
        toCard.push(carded);
        toDecision.push(decided);
      }
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.stop();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const card = quantiles(toCard);
  const decision = quantiles(toDecision);
  return {
    'voice-call.call-to-card.p99': {
      value: card.p99,
      unit: 'ms',
      ...card,
      samples: SAMPLES,
      experts: EXPERTS,
      path: 'POST /api/v1/voice-calls → SQLite commit → outbox → messenger → CloudAdapter → emulator POST answered',
    },
    'voice-call.accept-to-decision.p99': {
      value: decision.p99,
      unit: 'ms',
      ...decision,
      samples: SAMPLES,
      path: 'Accept invoke at /api/messages → engine commit → the waiting GET /api/v1/voice-calls/{id}?waitMs answered',
    },
  };
}
