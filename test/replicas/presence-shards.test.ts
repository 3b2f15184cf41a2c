/**
 * Presence shards under leases, with replicas as separate processes (`src/main.ts`) on one PostgreSQL database and
 * the Graph emulator as Microsoft Graph; Graph's notifications reach the replicas through a load balancer (here a
 * small forwarding proxy). Two replicas share the directory's two shards, one each, each keeping its shard's
 * subscription; a notification that lands on the replica not holding its subscription is still accepted, checked
 * and applied, and reaches both replicas' APIs, published once; when one replica dies, the other takes its shard
 * over, recreates the subscription Graph lost, and its users' changes keep reaching the survivor's API.
 */

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { DelegatedTokens } from '../../src/adapters/graph/delegated-tokens.js';
import { agentApiDb } from '../../src/adapters/store/agent-api-schema.js';
import { ApiKeyStore } from '../../src/adapters/store/api-key-store.js';
import { connectorMigrations } from '../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../src/adapters/store/open-database.js';
import { SqlTokenCacheStore } from '../../src/adapters/store/sql-presence-stores.js';
import { type GraphEmulator, startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.js';
import { LOCAL_GRAPH_APP_ID, LOCAL_TENANT_ID } from '../../src/dev/local-presence.js';
import { systemClock } from '../../src/ports/clock.js';
import { checkedFetch } from '../support/api-request.js';
import { readEvents } from '../support/event-readers.js';
import {
  eventually,
  isReplica,
  killAllReplicas,
  type Replica,
  replicaSchemas,
  startReplica,
  writeConfig,
} from '../support/replicas.js';

const server = process.env.TEST_DATABASE_URL;
const cert = (name: string) => fileURLToPath(new URL(`../../src/dev/certs/${name}`, import.meta.url));
const accounts = ['svc-presence-a@contoso.example', 'svc-presence-b@contoso.example'];
// Sorted, two per shard: shard-0 holds the first two, shard-1 the others; account n subscribes to shard n.
const users = [
  '1a8d4c2e-0000-4000-8000-000000000001',
  '2b7e5d3f-0000-4000-8000-000000000002',
  '3c6f6e40-0000-4000-8000-000000000003',
  '4d507f51-0000-4000-8000-000000000004',
];
const [u0, u1, u2] = users as [string, string, string, string];

/** A load balancer in front of the replicas: forwards each request to the replica `pick` names (503 before any). */
async function startBalancer(pick: () => Replica | undefined) {
  const received: { replica: string; path: string; status: number }[] = [];
  const proxy = http.createServer((req, res) => {
    const replica = pick();
    if (!replica) {
      req.resume();
      res.writeHead(503).end();
      return;
    }
    const target = new URL(replica.base);
    const name = replica.name;
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        received.push({ replica: name, path: req.url ?? '', status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  return { base: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, received, close: () => proxy.close() };
}

function configYaml(emu: GraphEmulator, notificationBaseUrl: string): string {
  return `
directory:
  knowledgeWorkers:
${users.map((id, n) => `    - { id: ${id}, name: Expert ${n} }`).join('\n')}
  agents:
    - { id: agent-kate, name: Kate Lewis }
presence:
  tenantId: ${LOCAL_TENANT_ID}
  clientId: ${LOCAL_GRAPH_APP_ID}
  authorityBaseUrl: ${emu.baseUrl}
  graphBaseUrl: ${emu.graphBaseUrl}
  staleAfterMs: 600000
  usersPerShard: 2
  poll: { fastIntervalMs: 600000, slowIntervalMs: 600000 }
  subscriptions:
    accounts: [${accounts.join(', ')}]
    certificateFile: ${cert('local-notification-cert.pem')}
    privateKeyFile: ${cert('local-notification-key.pem')}
    certificateId: local-dev
    notificationBaseUrl: ${notificationBaseUrl}
    maintainEveryMs: 1000
agentApi:
  rateLimit: { requestsPerMinute: 100000, burst: 10000 }
scaleOut:
  leaseMs: 3000
  wakeEveryMs: 1000
`;
}

describe.skipIf(!server)('presence shards held by replicas in separate processes', { timeout: 180_000 }, () => {
  const schemas = replicaSchemas(server);
  let emu: GraphEmulator | undefined;
  let db: OpenDatabase | undefined;
  let balancer: Awaited<ReturnType<typeof startBalancer>> | undefined;
  afterEach(async () => {
    await killAllReplicas();
    balancer?.close();
    await db?.close();
    await emu?.close();
  });
  afterAll(() => schemas.dropAll());

  test('a notification to the replica not holding its shard is applied on both; a dead replica’s shard moves to the survivor', async () => {
    // The database, the emulator with the four users, and the subscriber accounts signed in (as `presence sign-in` does).
    const url = await schemas.fresh();
    db = await openDatabase({ url, migrations: connectorMigrations });
    const database = db;
    emu = await startGraphEmulator({ tenantId: LOCAL_TENANT_ID });
    const graph = emu;
    graph.seedUsers(users, 'Available', 'Available');
    const tokenCacheKey = randomBytes(32).toString('base64');
    const delegated = new DelegatedTokens(
      {
        tenantId: LOCAL_TENANT_ID,
        clientId: LOCAL_GRAPH_APP_ID,
        authorityBaseUrl: graph.baseUrl,
        cacheKeyBase64: tokenCacheKey,
      },
      new SqlTokenCacheStore(database),
    );
    for (const account of accounts)
      await delegated.signIn(account, (code) => graph.identity.approveDeviceCode(code, account));
    const kate = await new ApiKeyStore(agentApiDb(database.db), systemClock).create({
      contactCenter: 'default',
      agentId: 'agent-kate',
      label: 'Kate desktop',
    });

    // Two replicas behind the balancer, which sends Graph's requests to each in turn until told otherwise.
    const live: Replica[] = [];
    let pinned: Replica | null = null;
    let turn = 0;
    balancer = await startBalancer(() => pinned ?? live[turn++ % Math.max(1, live.length)]);
    const env = {
      DATABASE_URL: url,
      CONNECTOR_CONFIG: writeConfig(configYaml(graph, balancer.base)),
      GRAPH_CLIENT_SECRET: 'local-emulator-secret',
      PRESENCE_TOKEN_CACHE_KEY: tokenCacheKey,
    };
    const [a, b] = await Promise.all([startReplica('A', env), startReplica('B', env)]);
    live.push(a, b);

    const holders = async () => {
      const rows = await database.db
        .selectFrom('leases')
        .select(['name', 'owner'])
        .where('name', 'like', 'presence/shard-%')
        .where('expires_at', '>', Date.now())
        .orderBy('name')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.name, live.find((x) => isReplica(x, r.owner))?.name ?? r.owner]));
    };
    const stateIn = async (r: Replica, id: string) => {
      const res = await checkedFetch(`${r.base}/api/v1/directory?kind=knowledge-worker`, {
        headers: { authorization: `Bearer ${kate.key}` },
      });
      if (res.status !== 200) throw new Error(`the directory answered ${res.status}`);
      const body = (await res.json()) as { entries: { id: string; state: unknown }[] };
      return JSON.stringify(body.entries.find((e) => e.id === id)?.state);
    };
    const ready = JSON.stringify({ kind: 'Ready' });
    const subscriptionOf = (account: string) => [...graph.subscriptions.byId.values()].find((s) => s.owner === account);

    // One shard each, each with its account's subscription; both APIs serve the first sweep's states.
    const split = await eventually('one shard on each replica', async () => {
      const h = await holders();
      const shard0 = h['presence/shard-0'];
      const shard1 = h['presence/shard-1'];
      return shard0 && shard1 && shard0 !== shard1 ? { shard0, shard1 } : undefined;
    });
    await eventually('both subscriptions', () => accounts.every((x) => subscriptionOf(x) !== undefined));
    for (const r of [a, b])
      for (const id of users)
        await eventually(`${id} Ready on ${r.name}`, async () => (await stateIn(r, id)) === ready);
    const holderOf0 = split.shard0 === 'A' ? a : b;
    const other = holderOf0 === a ? b : a;

    // Graph notifies a change of u0 (shard-0): the balancer sends it to the replica that does not hold shard-0.
    pinned = other;
    const notified = balancer.received.length;
    await graph.setPresence(u0, 'Away', 'BeRightBack');
    const away = JSON.stringify({ kind: 'NotReady', reason: 'BeRightBack' });
    for (const r of [a, b]) await eventually(`u0 away on ${r.name}`, async () => (await stateIn(r, u0)) === away);
    expect(balancer.received.slice(notified)).toEqual([
      { replica: other.name, path: '/api/graph/notifications', status: 202 },
    ]);
    // Published once (by the holder of shard-0), not by both: the event may follow the state by a moment.
    const awayEvents = async () =>
      (await readEvents(a.base, kate.key)).filter(
        (e) =>
          e.type === 'knowledge-worker.state' &&
          e.data.knowledgeWorker.id === u0 &&
          JSON.stringify(e.data.state) === away,
      );
    await eventually('the away event', async () => (await awayEvents()).length > 0);
    await new Promise((r) => setTimeout(r, 500));
    expect(await awayEvents()).toHaveLength(1);

    // The holder of shard-0 dies, and Graph loses its subscription meanwhile. The survivor takes shard-0 over
    // (its lease runs out), finds the subscription gone when renewing it, and creates it again.
    const lostSubscription = subscriptionOf(accounts[0] as string)?.id ?? '';
    await holderOf0.kill();
    live.splice(live.indexOf(holderOf0), 1);
    pinned = other;
    expect(graph.dropSubscription(lostSubscription)).toBe(true);
    await eventually('the survivor holding both shards', async () => {
      const h = await holders();
      return h['presence/shard-0'] === other.name && h['presence/shard-1'] === other.name;
    });
    const recreated = await eventually('shard-0’s subscription recreated', () => {
      const s = subscriptionOf(accounts[0] as string);
      return s && s.id !== lostSubscription ? s : undefined;
    });
    expect(
      graph.log.some(
        (l) => l.method === 'PATCH' && l.path === `/subscriptions/${lostSubscription}` && l.status === 404,
      ),
    ).toBe(true);
    expect([...recreated.userIds].sort()).toEqual([u0, u1]);

    // The dead replica's users' changes reach the survivor's API, by notification.
    await graph.setPresence(u1, 'Busy', 'InACall');
    await graph.setPresence(u2, 'Away', 'BeRightBack');
    await eventually(
      'u1 in a call on the survivor',
      async () => (await stateIn(other, u1)) === JSON.stringify({ kind: 'NotReady', reason: 'InACall' }),
    );
    await eventually('u2 away on the survivor', async () => (await stateIn(other, u2)) === away);
  });
});
