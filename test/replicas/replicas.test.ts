/**
 * Two replicas as separate processes (`src/main.ts`) on one PostgreSQL database, Teams played by the Bot Connector
 * emulator: a consultation started through A is accepted through B; a replica killed mid-preview leaves its
 * time-out to the other, which fires it once; an agent's stream reconnects to the other replica and misses
 * nothing; both restart and every interaction, transcript and fact is still there.
 */

import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { agentApiDb } from '../../src/adapters/store/agent-api-schema.js';
import { ApiKeyStore } from '../../src/adapters/store/api-key-store.js';
import { connectorMigrations } from '../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../src/adapters/store/open-database.js';
import { createSqlInteractionStore } from '../../src/adapters/store/sql-interaction-store.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { systemClock } from '../../src/ports/clock.js';
import { checkedFetch } from '../support/api-request.js';
import { readEvents } from '../support/event-readers.js';
import {
  cardAction,
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
const leo = { id: 'kw-leo', name: 'Leo Legal' };
const yaml = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready }
    - { id: kw-leo, name: Leo Legal, staticState: Ready }
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - { id: billing, name: Billing Experts, members: { kind: static, ids: [kw-ann] }, strategy: { kind: round-robin }, previewTimeoutMs: 120000, maxOffers: 1 }
    - { id: quick, name: Quick Desk, members: { kind: static, ids: [kw-leo] }, strategy: { kind: round-robin }, previewTimeoutMs: 5000, maxOffers: 1 }
teams:
  allowedTenants: ["${TENANT}"]
`;

const server = process.env.TEST_DATABASE_URL;
const schemas = replicaSchemas(server);

describe.skipIf(!server)('two replicas in separate processes on one PostgreSQL database', { timeout: 180_000 }, () => {
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

  /** A fresh schema, its config, the emulator, two replicas and Kate's key. */
  async function setUp() {
    const url = await schemas.fresh();
    emulator = await startBotConnectorEmulator({ tenantPerSecond: 1000 });
    const env = { DATABASE_URL: url, CONNECTOR_CONFIG: writeConfig(yaml) };
    const [a, b] = await Promise.all([startReplica('A', env), startReplica('B', env)]);
    db = await openDatabase({ url, migrations: connectorMigrations });
    const kate = await new ApiKeyStore(agentApiDb(db.db), systemClock).create({
      contactCenter: 'default',
      agentId: 'agent-kate',
      label: 'Kate desktop',
    });
    const auth = { authorization: `Bearer ${kate.key}` };
    const api = (r: Replica, path: string, body?: unknown) =>
      checkedFetch(`${r.base}/api/v1${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const stream = async (r: Replica, headers: Record<string, string> = {}, query = '?after=0') => {
      const s = await openStream(`${r.base}/api/v1/events/stream${query}`, { ...auth, ...headers });
      streams.push(s);
      return s;
    };
    /** Waits until no effect is pending in the outbox (every replica has carried out everything). */
    const settled = () =>
      eventually('the outbox to be empty', async () => {
        const pending = await db?.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirst();
        return Number(pending?.n) === 0;
      });
    const chatOf = (user: { id: string }) => emulator.activitiesOf(`a:${user.id}`).map((a) => JSON.stringify(a));
    /** Kate's events read from a replica, checked against its served AsyncAPI document. */
    const events = (r: Replica) => readEvents(r.base, kate.key);
    return { url, env, a, b, auth, api, stream, settled, chatOf, events };
  }

  test('a consultation started through A is accepted through B; both restart and nothing is lost', async () => {
    const { env, a, b, api, stream, settled, chatOf, events } = await setUp();
    expect((await postActivity(a.base, teamsActivity('installation-update-add', emulator.serviceUrl, ann))).ok).toBe(
      true,
    );
    const kateOnA = await stream(a);

    const started = await api(a, '/interactions', {
      id: 'im-1',
      target: { kind: 'routing-point', id: 'billing' },
      text: 'Can you help with a refund for Ms. Mai?',
    });
    expect(started.status).toBe(201);
    await eventually('the preview card at Ann', () => chatOf(ann).some((a) => a.includes('Ms. Mai')));
    const view = (await (await api(b, '/interactions/im-1')).json()) as { invitations: { id: string }[] };
    const invitationId = view.invitations[0]?.id ?? '';

    // Ann accepts: Teams delivers her click to B.
    const accepted = await postActivity(
      b.base,
      cardAction(emulator.serviceUrl, ann, 'accept', { interactionId: 'im-1', invitationId }),
    );
    expect(accepted.status).toBe(200);
    // Kate's stream is on A: she sees it.
    await eventually('Kate to see the accept on A', () =>
      kateOnA.events.some((e) => e.event === 'invitation.accepted' && e.data.interactionId === 'im-1'),
    );

    // Kate writes through B; Ann gets it once. Ann answers through A; Kate's stream on A gets it.
    expect((await api(b, '/interactions/im-1/messages', { text: 'Order 1234' })).status).toBe(200);
    await eventually('the message at Ann', () => chatOf(ann).some((a) => a.includes('Kate Lewis: Order 1234')));
    expect(
      (await postActivity(a.base, teamsActivity('message', emulator.serviceUrl, ann, { text: 'Refund approved' }))).ok,
    ).toBe(true);
    await eventually('Ann’s answer on Kate’s stream', () =>
      kateOnA.events.some((e) => e.event === 'message' && JSON.stringify(e.data).includes('Refund approved')),
    );
    expect((await api(a, '/interactions/im-1/end', {})).status).toBe(200);
    await settled();
    expect(chatOf(ann).filter((a) => a.includes('Order 1234'))).toHaveLength(1);
    expect(emulator.requests.filter((r) => JSON.stringify(r.activity).includes('Order 1234'))).toHaveLength(1);
    // The stream carried each event once, in order.
    const ids = kateOnA.events.map((e) => Number(e.id));
    expect(ids).toEqual([...new Set(ids)].sort((x, y) => x - y));

    const store = createSqlInteractionStore(db as OpenDatabase);
    const before = {
      interaction: await (await api(a, '/interactions/im-1')).json(),
      transcript: await (await api(a, '/interactions/im-1/transcript')).json(),
      events: { events: await events(a) },
      facts: await store.facts({ interactionId: 'im-1' }),
    };
    expect(before.facts.map((f) => [f.resource.id, f.result])).toEqual(
      expect.arrayContaining([expect.arrayContaining(['kw-ann'])]),
    );
    expect(JSON.stringify(before.transcript)).toContain('Refund approved');

    // Both stop; both start again.
    await Promise.all([a.stop(), b.stop()]);
    const [a2, b2] = await Promise.all([startReplica('A2', env), startReplica('B2', env)]);
    for (const r of [a2, b2]) {
      expect(await (await api(r, '/interactions/im-1')).json()).toEqual(before.interaction);
      expect(await (await api(r, '/interactions/im-1/transcript')).json()).toEqual(before.transcript);
      expect({ events: await events(r) }).toEqual(before.events);
    }
    expect(await store.facts({ interactionId: 'im-1' })).toEqual(before.facts);
  });

  test('a replica killed mid-preview: the other fires the time-out, once', async () => {
    const { a, b, api, stream, settled, chatOf } = await setUp();
    expect((await postActivity(a.base, teamsActivity('installation-update-add', emulator.serviceUrl, leo))).ok).toBe(
      true,
    );
    const kateOnB = await stream(b);
    expect(
      (
        await api(a, '/interactions', {
          id: 'im-q',
          target: { kind: 'routing-point', id: 'quick' },
          text: 'Quick one',
        })
      ).status,
    ).toBe(201);
    await eventually('the preview card at Leo', () => chatOf(leo).some((x) => x.includes('Quick one')));
    await settled();
    await a.kill();

    const store = createSqlInteractionStore(db as OpenDatabase);
    await eventually(
      'the time-out, fired by B',
      async () => (await store.get('im-q'))?.invitations[0]?.state === 'timed_out',
    );
    await settled();
    await eventually('the outcome on Kate’s stream (on B)', () =>
      kateOnB.events.some((e) => e.event === 'interaction.ended'),
    );
    const stored = await store.get('im-q');
    expect(stored?.invitations.map((i) => [i.target.id, i.state])).toEqual([['kw-leo', 'timed_out']]);
    // Kate hears once that no one took it (the only member timed out), and that the IM ended.
    expect(kateOnB.events.map((e) => e.event)).toEqual(['transcript.system', 'invitation.failed', 'interaction.ended']);
    // Leo's card was replaced once (no Accept button left, one update).
    const previewId = emulator.requests.find(
      (r) => r.method === 'POST' && JSON.stringify(r.activity).includes('Quick one'),
    )?.activityId;
    expect(emulator.requests.filter((r) => r.method === 'PUT' && r.activityId === previewId)).toHaveLength(1);
    expect(chatOf(leo).filter((x) => x.includes('"verb":"accept"'))).toEqual([]);
  });

  test("an agent's stream reconnects to the other replica with Last-Event-ID and misses nothing", async () => {
    const { a, b, api, stream, settled, chatOf, events } = await setUp();
    expect((await postActivity(b.base, teamsActivity('installation-update-add', emulator.serviceUrl, ann))).ok).toBe(
      true,
    );
    const first = await stream(a);
    expect(
      (
        await api(b, '/interactions', {
          id: 'im-s',
          target: { kind: 'routing-point', id: 'billing' },
          text: 'Need a hand with order 77',
        })
      ).status,
    ).toBe(201);
    await eventually('the preview card at Ann', () => chatOf(ann).some((x) => x.includes('order 77')));
    const view = (await (await api(b, '/interactions/im-s')).json()) as { invitations: { id: string }[] };
    const accept = cardAction(emulator.serviceUrl, ann, 'accept', {
      interactionId: 'im-s',
      invitationId: view.invitations[0]?.id ?? '',
    });
    expect((await postActivity(b.base, accept)).status).toBe(200);
    await eventually('the accept on the stream to A', () =>
      first.events.some((e) => e.event === 'invitation.accepted'),
    );
    await a.kill();
    await first.ended;

    // While Kate is disconnected, Ann writes (through B).
    for (const text of ['Sure, go ahead', 'Anything else?'])
      expect((await postActivity(b.base, teamsActivity('message', emulator.serviceUrl, ann, { text }))).ok).toBe(true);
    await settled();

    const lastSeen = first.events.at(-1)?.id ?? '0';
    const second = await stream(b, { 'last-event-id': lastSeen }, '');
    const all = { events: await events(b) };
    await eventually('the missed events on B', () => second.events.length + first.events.length >= all.events.length);
    expect([...first.events, ...second.events].map((e) => e.id)).toEqual(all.events.map((e) => e.id));
    const texts = second.events.filter((e) => e.event === 'message').map((e) => JSON.stringify(e.data));
    expect(texts.some((t) => t.includes('Sure, go ahead'))).toBe(true);
    expect(texts.some((t) => t.includes('Anything else?'))).toBe(true);
  });
});
