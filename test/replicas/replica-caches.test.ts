/**
 * What replicas keep in memory, and forget when another replica changes it (separate processes, `src/main.ts`, on
 * one PostgreSQL database, Teams played by the Bot Connector emulator): an API key revoked through one replica is
 * refused by the other from the moment the revocation reaches it, though the other had it in memory; a conversation
 * reference stored through one replica is the one the other sends to next; an expert marked unreachable in Teams
 * through one replica is offered no work by the other, which reads no mark per offer, until a clear through the first.
 */

import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { agentApiDb } from '../../src/adapters/store/agent-api-schema.js';
import { ApiKeyStore } from '../../src/adapters/store/api-key-store.js';
import { connectorMigrations } from '../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../src/adapters/store/open-database.js';
import { SqlUnreachableStore } from '../../src/adapters/store/sql-reach-stores.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { systemClock } from '../../src/ports/clock.js';
import { checkedFetch } from '../support/api-request.js';
import {
  eventually,
  killAllReplicas,
  openStream,
  postActivity,
  type Replica,
  replicaSchemas,
  type SseStream,
  startReplica,
  TENANT,
  teamsActivity,
  writeConfig,
} from '../support/replicas.js';

const ann = { id: 'kw-ann', name: 'Ann Billing' };
const bob = { id: 'kw-bob', name: 'Bob Tax' };
const yaml = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready }
    - { id: kw-bob, name: Bob Tax, staticState: Ready }
  agents:
    - { id: agent-kate, name: Kate Lewis }
    - { id: agent-jim, name: Jim Park }
routing:
  routingPoints:
    - { id: billing, name: Billing Experts, members: { kind: static, ids: [kw-ann] }, strategy: { kind: round-robin }, previewTimeoutMs: 120000, maxOffers: 1 }
    - { id: tax, name: Tax Experts, members: { kind: static, ids: [kw-bob] }, strategy: { kind: round-robin }, previewTimeoutMs: 120000, maxOffers: 1 }
teams:
  allowedTenants: ["${TENANT}"]
`;

const server = process.env.TEST_DATABASE_URL;
const schemas = replicaSchemas(server);

describe.skipIf(!server)('what replicas keep in memory', { timeout: 180_000 }, () => {
  let emulator: BotConnectorEmulator;
  let db: OpenDatabase | undefined;
  const streams: SseStream[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await killAllReplicas();
    await db?.close();
    db = undefined;
    await emulator?.close();
  });
  afterAll(() => schemas.dropAll());

  async function setUp(logLevel = 'warn') {
    const url = await schemas.fresh();
    emulator = await startBotConnectorEmulator({ tenantPerSecond: 1000 });
    const env = { DATABASE_URL: url, CONNECTOR_CONFIG: writeConfig(yaml), LOG_LEVEL: logLevel };
    const [a, b] = await Promise.all([startReplica('A', env), startReplica('B', env)]);
    db = await openDatabase({ url, migrations: connectorMigrations });
    const store = new ApiKeyStore(agentApiDb(db.db), systemClock);
    const kate = await store.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'Kate desktop' });
    const jim = await store.create({ contactCenter: 'default', agentId: 'agent-jim', label: 'Jim desktop' });
    const platform = await store.create({ contactCenter: 'default', agentId: null, label: 'platform' });
    const call = (r: Replica, key: string, method: string, path: string, body?: unknown) =>
      checkedFetch(`${r.base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const stream = async (r: Replica, key: string) => {
      const s = await openStream(`${r.base}/api/v1/events/stream`, { authorization: `Bearer ${key}` });
      streams.push(s);
      return s;
    };
    return { a, b, kate, jim, platform, call, stream, db };
  }

  test('a key revoked through A is refused by B at once, though B had it in memory', async () => {
    const { a, b, kate, platform, call, stream } = await setUp();
    // B verifies Kate's key (and keeps it) with every request she makes there.
    for (let n = 0; n < 3; n++) expect((await call(b, kate.key, 'GET', '/me')).status).toBe(200);
    const kateOnB = await stream(b, kate.key);

    expect((await call(a, platform.key, 'DELETE', `/keys/${kate.keyId}`)).status).toBe(204);
    // The revocation reaches B: it ends the stream the key opened there, and from then on B refuses the key.
    await kateOnB.ended;
    const refused = await call(b, kate.key, 'GET', '/me');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await call(a, kate.key, 'GET', '/me')).status).toBe(401);
    // Another key is untouched.
    expect((await call(b, platform.key, 'GET', '/me')).status).toBe(200);
  });

  test("Ann's conversation stored anew through B is the one A's next preview goes to", async () => {
    const { a, b, kate, jim, platform, call, stream } = await setUp();
    expect((await postActivity(a.base, teamsActivity('installation-update-add', emulator.serviceUrl, ann))).ok).toBe(
      true,
    );
    const consult = (id: string) =>
      call(a, kate.key, 'POST', '/interactions', {
        id,
        target: { kind: 'routing-point', id: 'billing' },
        text: `Question ${id}`,
      });
    const previewIn = (conversationId: string, id: string) =>
      emulator.activitiesOf(conversationId).some((x) => JSON.stringify(x).includes(`Question ${id}`));
    expect((await consult('im-1')).status).toBe(201);
    await eventually('the first preview in Ann’s first conversation', () => previewIn(`a:${ann.id}`, 'im-1'));
    expect((await call(a, kate.key, 'POST', '/interactions/im-1/end', {})).status).toBe(200);

    // Ann's chat with the bot is a new conversation now: Teams tells B.
    const moved = teamsActivity('installation-update-add', emulator.serviceUrl, ann, {
      conversation: { conversationType: 'personal', tenantId: TENANT, id: `a:${ann.id}-2` },
    });
    expect((await postActivity(b.base, moved)).ok).toBe(true);
    // Notifications reach A in the order B committed them: once A has heard of a key revoked through B after that,
    // it has heard of Ann's new conversation too.
    const jimOnA = await stream(a, jim.key);
    expect((await call(b, platform.key, 'DELETE', `/keys/${jim.keyId}`)).status).toBe(204);
    await jimOnA.ended;

    expect((await consult('im-2')).status).toBe(201);
    await eventually('the second preview in Ann’s new conversation', () => previewIn(`a:${ann.id}-2`, 'im-2'));
    expect(previewIn(`a:${ann.id}`, 'im-2')).toBe(false);
  });

  test('Ann marked unreachable through A is offered no work by B, which reads no mark per offer, until a clear through A', async () => {
    const { a, b, kate, call, stream, db: database } = await setUp('info');
    const logged = (r: Replica, msg: string) => r.output.some((chunk) => chunk.includes(`"msg":"${msg}"`));
    // Each replica has read every mark since it began hearing the others: from then on an offer reads none.
    for (const r of [a, b])
      await eventually(`${r.name} to read the marks`, () =>
        logged(r, 'Teams reachability marks read: offers take them from memory'),
      );
    for (const expert of [ann, bob])
      expect(
        (await postActivity(a.base, teamsActivity('installation-update-add', emulator.serviceUrl, expert))).ok,
      ).toBe(true);
    const kateOnB = await stream(b, kate.key);
    const consult = (r: Replica, id: string, routingPoint: string) =>
      call(r, kate.key, 'POST', '/interactions', {
        id,
        target: { kind: 'routing-point', id: routingPoint },
        text: `Question ${id}`,
      });
    const previewIn = (expert: { id: string }, id: string) =>
      emulator.activitiesOf(`a:${expert.id}`).some((x) => JSON.stringify(x).includes(`Question ${id}`));
    const failure = (id: string) =>
      eventually(`no expert for ${id}`, () =>
        kateOnB.events.find((e) => e.event === 'invitation.failed' && e.data.interactionId === id),
      );

    // Ann blocked the bot: the preview A sends her is refused, and A marks her.
    emulator.inject({ status: 403, code: 'MessageWritesBlocked', conversationId: `a:${ann.id}` });
    expect((await consult(a, 'im-1', 'billing')).status).toBe(201);
    await failure('im-1');
    const why = 'they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)';

    // B offers her nothing: a consultation through B finds no one it can reach, and says why.
    expect((await consult(b, 'im-2', 'billing')).status).toBe(201);
    expect((await failure('im-2')).data.data.details).toEqual([
      `No expert available at Billing Experts: everyone is unreachable in Teams (1) — Ann Billing: ${why}.`,
    ]);
    expect(previewIn(ann, 'im-2')).toBe(false);

    // B knows Ann's mark from A's notification, not from reading the table at each offer: a mark written into the
    // table by hand (told to no one) keeps no one from offering Bob work.
    await new SqlUnreachableStore(database as OpenDatabase).put({
      userId: bob.id,
      reason: 'blocked',
      detail: 'written by hand',
      since: Date.now(),
    });
    expect((await consult(b, 'im-3', 'tax')).status).toBe(201);
    await eventually('the preview at Bob', () => previewIn(bob, 'im-3'));

    // Ann writes to the bot through A: her mark clears there, B hears of it, and B offers her work again.
    expect((await postActivity(a.base, teamsActivity('message', emulator.serviceUrl, ann, { text: 'hello' }))).ok).toBe(
      true,
    );
    await eventually('B to hear that Ann can be reached again', () =>
      logged(b, 'knowledge worker reachable in Teams again (told by a replica)'),
    );
    expect((await consult(b, 'im-4', 'billing')).status).toBe(201);
    await eventually('the preview at Ann', () => previewIn(ann, 'im-4'));
  });
});
