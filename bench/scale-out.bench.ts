/**
 * `npm run bench -- scale-out`: consultations per second end to end with 1, 2 and 4 replica processes
 * (`src/main.ts`) on one PostgreSQL database, Teams played by the Bot Connector emulator. One consultation: an
 * agent's request through the API of one replica (to a routing point), the preview card at the expert, the
 * expert's Accept through another replica's /api/messages, the agent's first message relayed to the expert in
 * Teams, then the agent ends it. Database round trips are counted by a proxy in front of PostgreSQL (each simple
 * query or extended-protocol Sync is one round trip), background work included. Needs PostgreSQL at
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import net from 'node:net';
import pg from 'pg';
import { agentApiDb } from '../src/adapters/store/agent-api-schema.js';
import { ApiKeyStore } from '../src/adapters/store/api-key-store.js';
import { connectorMigrations } from '../src/adapters/store/connector-migrations.js';
import { openDatabase } from '../src/adapters/store/open-database.js';
import { startBotConnectorEmulator } from '../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { systemClock } from '../src/ports/clock.js';
import {
  cardAction,
  eventually,
  freePort,
  postActivity,
  type Replica,
  startReplica,
  TENANT,
  teamsActivity,
  writeConfig,
} from '../test/support/replicas.js';

export const name = 'scale-out';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const EXPERTS = 64;
const AGENTS = 16;
const WARMUP_MS = 4_000;
const MEASURE_MS = 20_000;

/** A TCP proxy to PostgreSQL counting round trips: frontend `Q` (simple query) and `S` (Sync) messages. */
async function countingProxy(target: URL): Promise<{ port: number; count: () => number; close: () => void }> {
  let trips = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    let buffer = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      if (!started) {
        if (buffer.length < 4) return;
        const len = buffer.readInt32BE(0);
        if (buffer.length < len) return;
        buffer = buffer.subarray(len);
        started = true;
      }
      while (buffer.length >= 5) {
        const len = buffer.readInt32BE(1);
        if (buffer.length < len + 1) break;
        const type = String.fromCharCode(buffer[0] ?? 0);
        if (type === 'Q' || type === 'S') trips++;
        buffer = buffer.subarray(len + 1);
      }
    });
    upstream.on('data', (d) => client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  const port = await freePort();
  server.listen(port, '127.0.0.1');
  return { port, count: () => trips, close: () => server.close() };
}

function configYaml(): string {
  const kws = Array.from({ length: EXPERTS }, (_, i) => `    - { id: kw-${i}, name: Expert ${i}, staticState: Ready }`);
  const agents = Array.from({ length: AGENTS }, (_, i) => `    - { id: agent-${i}, name: Agent ${i} }`);
  return `
directory:
  knowledgeWorkers:
${kws.join('\n')}
  agents:
${agents.join('\n')}
routing:
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: static, ids: [${Array.from({ length: EXPERTS }, (_, i) => `kw-${i}`).join(', ')}] }
      strategy: { kind: round-robin }
      previewTimeoutMs: 120000
      maxOffers: 3
teams:
  allowedTenants: ["${TENANT}"]
  send:
    perConversation: [{ limit: 1000, windowMs: 1000 }]
    perTenant: [{ limit: 100000, windowMs: 1000 }]
agentApi:
  rateLimit: { requestsPerMinute: 1000000, burst: 100000 }
`;
}

async function measure(replicaCount: number) {
  const schema = `bench_scale_${process.pid}_${replicaCount}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  const proxy = await countingProxy(new URL(SERVER));
  const viaProxy = new URL(SERVER);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  viaProxy.searchParams.set('options', `-c search_path=${schema}`);
  const emulator = await startBotConnectorEmulator({
    tenantPerSecond: 1_000_000,
    perConversation: [{ limit: 1_000_000, windowMs: 1000 }],
  });
  const env = { DATABASE_URL: viaProxy.toString(), CONNECTOR_CONFIG: writeConfig(configYaml()), LOG_LEVEL: 'error' };
  const replicas: Replica[] = [];
  try {
    replicas.push(await startReplica('r0', env));
    replicas.push(
      ...(await Promise.all(Array.from({ length: replicaCount - 1 }, (_, i) => startReplica(`r${i + 1}`, env)))),
    );
    const direct = new URL(SERVER);
    direct.searchParams.set('options', `-c search_path=${schema}`);
    const db = await openDatabase({
      url: direct.toString(),
      migrations: connectorMigrations,
    });
    const keyStore = new ApiKeyStore(agentApiDb(db.db), systemClock);
    const keys: string[] = [];
    for (let i = 0; i < AGENTS; i++)
      keys.push((await keyStore.create({ contactCenter: 'default', agentId: `agent-${i}`, label: 'bench' })).key);
    await db.close();
    for (let i = 0; i < EXPERTS; i++) {
      const kw = { id: `kw-${i}`, name: `Expert ${i}` };
      await postActivity(
        replicas[i % replicaCount]?.base ?? '',
        teamsActivity('installation-update-add', emulator.serviceUrl, kw),
      );
    }

    // Previews as they arrive at the emulator: interaction id → expert and invitation.
    const previews = new Map<string, { expert: string; invitationId: string }>();
    const relayed = new Set<string>();
    let scanned = 0;
    const scan = () => {
      for (; scanned < emulator.requests.length; scanned++) {
        const r = emulator.requests[scanned];
        if (r?.method !== 'POST') continue;
        const text = JSON.stringify(r.activity);
        const card = /"verb":"accept","data":\{"interactionId":"([^"]+)","invitationId":"([^"]+)"/.exec(text);
        if (card?.[1] && card[2]) previews.set(card[1], { expert: r.conversationId.slice(2), invitationId: card[2] });
        const message = /first message for (bx-[0-9a-z-]+)/.exec(text);
        if (message?.[1]) relayed.add(message[1]);
      }
    };
    const scanner = setInterval(scan, 5);

    let stopAt = Date.now() + WARMUP_MS + MEASURE_MS;
    let completed = 0;
    let windowStart = 0;
    let tripsAtStart = 0;
    let seq = 0;
    const agentLoop = async (agent: number) => {
      const auth = { authorization: `Bearer ${keys[agent]}`, 'content-type': 'application/json' };
      while (Date.now() < stopAt) {
        const n = seq++;
        const id = `bx-${replicaCount}-${n}`;
        const via = replicas[n % replicaCount] as Replica;
        const other = replicas[(n + 1) % replicaCount] as Replica;
        const started = await fetch(`${via.base}/api/v1/interactions`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ id, target: { kind: 'routing-point', id: 'experts' }, text: `Question ${id}` }),
        });
        if (started.status !== 201) throw new Error(`start answered ${started.status}`);
        const preview = await eventually('the preview', () => previews.get(id), 60_000);
        const kw = { id: preview.expert, name: preview.expert };
        const accepted = await postActivity(
          other.base,
          cardAction(emulator.serviceUrl, kw, 'accept', { interactionId: id, invitationId: preview.invitationId }),
        );
        if (accepted.status !== 200) throw new Error(`accept answered ${accepted.status}`);
        await fetch(`${via.base}/api/v1/interactions/${id}/messages`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ text: `first message for ${id}` }),
        });
        await eventually('the relayed message', () => relayed.has(id), 60_000);
        if (windowStart > 0 && Date.now() < stopAt) completed++;
        await fetch(`${other.base}/api/v1/interactions/${id}/end`, { method: 'POST', headers: auth, body: '{}' });
      }
    };
    setTimeout(() => {
      windowStart = Date.now();
      tripsAtStart = proxy.count();
    }, WARMUP_MS).unref();
    await Promise.all(Array.from({ length: AGENTS }, (_, i) => agentLoop(i)));
    stopAt = 0;
    clearInterval(scanner);
    const seconds = MEASURE_MS / 1000;
    const trips = proxy.count() - tripsAtStart;
    return { perSecond: completed / seconds, tripsPerConsultation: completed > 0 ? trips / completed : 0, completed };
  } finally {
    await Promise.all(replicas.map((r) => r.kill()));
    proxy.close();
    await emulator.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

export async function run(): Promise<Record<string, { value: number; unit: string; [k: string]: unknown }>> {
  const out: Record<string, { value: number; unit: string; [k: string]: unknown }> = {};
  for (const n of [1, 2, 4]) {
    const m = await measure(n);
    out[`scale-out-${n}-replica${n > 1 ? 's' : ''}`] = {
      value: Math.round(m.perSecond * 10) / 10,
      unit: 'consultations/s',
      replicas: n,
      concurrentAgents: AGENTS,
      measuredSeconds: MEASURE_MS / 1000,
      completed: m.completed,
      dbRoundTripsPerConsultation: Math.round(m.tripsPerConsultation * 10) / 10,
      cores: (await import('node:os')).cpus().length,
    };
  }
  return out;
}
