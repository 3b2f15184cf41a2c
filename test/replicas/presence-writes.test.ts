/**
 * Presence writes with two replicas (two connectors built by createApp, as production builds them) on one PostgreSQL
 * database and the Graph emulator as Graph: each expert's presence shard is held by one replica, and only that one
 * writes the expert's presence, whichever replica committed the session; the other replica sees the session too
 * (its session load re-reads the database) and reads the connector's own Busy back as busy in our session.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type ConnectorApp, createApp } from '../../src/app.js';
import { startLocalPresence } from '../../src/dev/local-presence.js';
import { createLogger } from '../../src/logger.js';
import { RecordingChannel } from '../../src/ports/participant-channel.js';
import request from '../support/api-request.js';
import { testDatabases } from '../support/databases.js';
import { loadTestConfig } from '../support/test-app.js';

const megan = '6e7b768e-07e2-4810-8459-485f84f8f204';
const alex = '87d349ed-44d7-43e1-9a83-5f2406dee5bd';
const postgres = testDatabases().find((d) => d.name === 'postgres');

const apps: ConnectorApp[] = [];
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  await close?.();
});
afterAll(async () => {
  await postgres?.cleanup();
});

async function eventually<T>(what: string, check: () => Promise<T> | T, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!postgres)('presence writes with replicas', () => {
  test('only the replica holding an expert’s shard writes their presence, set once and cleared once', async () => {
    const local = await startLocalPresence({ fastIntervalMs: 200, write: true });
    close = () => local.close();
    const graph = local.emulator;
    graph.seedUsers([alex], 'Available', 'Available');
    const url = await postgres?.create();
    const yaml = `
directory:
  knowledgeWorkers:
    - { id: "${megan}", name: Megan Bowen }
    - { id: "${alex}", name: Alex Wilber }
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - { id: megans, name: Megan, members: { kind: static, ids: ["${megan}"] }, strategy: { kind: round-robin } }
    - { id: alexs, name: Alex, members: { kind: static, ids: ["${alex}"] }, strategy: { kind: round-robin } }
agentApi:
  rateLimit: { requestsPerMinute: 1000000, burst: 100000 }
scaleOut: { leaseMs: 3000, wakeEveryMs: 500 }
${local.yaml.replace('  staleAfterMs: 600000', '  staleAfterMs: 600000\n  usersPerShard: 1')}`;
    const config = loadTestConfig({ DATABASE_URL: url, ...local.env }, yaml);
    for (let i = 0; i < 2; i++) {
      const app = await createApp(config, {
        logger: createLogger('silent'),
        channels: { 'knowledge-worker': new RecordingChannel() },
      });
      apps.push(app);
    }
    const [a, b] = apps as [ConnectorApp, ConnectorApp];
    const kate = (await a.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'Kate' }))
      .key;
    a.start();
    b.start();
    const holder = (id: string) => apps.filter((app) => app.presence?.shards.holdsUser(id));
    await eventually('each expert’s shard held by one replica', () =>
      [megan, alex].every((id) => holder(id).length === 1),
    );

    const stateOn = async (app: ConnectorApp, id: string) => {
      const res = await request(app.http)
        .get('/api/v1/directory?kind=knowledge-worker')
        .set('authorization', `Bearer ${kate}`);
      return (res.body.entries as { id: string; state: { kind: string } }[]).find((e) => e.id === id)?.state.kind;
    };
    for (const app of apps)
      for (const id of [megan, alex]) await eventually(`${id} Ready`, async () => (await stateOn(app, id)) === 'Ready');

    // Kate consults each expert through replica A; each accepts (the engine command the bot endpoint runs).
    const sessions: string[] = [];
    for (const [rp, expert] of [
      ['megans', megan],
      ['alexs', alex],
    ] as const) {
      const res = await request(a.http)
        .post('/api/v1/interactions')
        .set('authorization', `Bearer ${kate}`)
        .send({ target: { kind: 'routing-point', id: rp }, text: 'Can you check an invoice?' });
      expect(res.status).toBe(201);
      const id = res.body.id as string;
      const invitation = await eventually('the invitation', async () => (await a.store.get(id))?.invitations[0]);
      if (!invitation) throw new Error('no invitation');
      const accepted = await a.commands.execute({
        type: 'Accept',
        interactionId: id,
        invitationId: invitation.id,
        by: expert,
      });
      expect(accepted.ok).toBe(true);
      sessions.push(id);
    }

    const shown = (id: string) => `${graph.presenceOf(id)?.availability}/${graph.presenceOf(id)?.activity}`;
    for (const id of [megan, alex]) await eventually(`${id} Busy in Teams`, () => shown(id) === 'Busy/InACall');
    const writesOf = (id: string, action: string) =>
      graph.log.filter((c) => c.path === `/users/${id}/presence/${action}`).length;
    expect([writesOf(megan, 'setPresence'), writesOf(alex, 'setPresence')]).toEqual([1, 1]);
    for (const id of [megan, alex]) {
      const [owner] = holder(id);
      const other = apps.find((app) => app !== owner);
      expect(owner?.presenceWrites?.writer.written(id)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
      expect(other?.presenceWrites?.writer.written(id)).toBeUndefined();
    }
    // Both replicas read the connector's own Busy back as busy in our session, not as a call of the expert's own.
    for (const app of apps)
      for (const id of [megan, alex])
        await eventually(`${id} Busy on a replica`, async () => (await stateOn(app, id)) === 'Busy');

    // The sessions end through replica B: each presence is cleared once, by its holder.
    for (const id of sessions)
      await request(b.http).post(`/api/v1/interactions/${id}/end`).set('authorization', `Bearer ${kate}`).expect(200);
    for (const id of [megan, alex])
      await eventually(`${id} Available in Teams`, () => shown(id) === 'Available/Available');
    expect([writesOf(megan, 'clearPresence'), writesOf(alex, 'clearPresence')]).toEqual([1, 1]);
    expect([writesOf(megan, 'setPresence'), writesOf(alex, 'setPresence')]).toEqual([1, 1]);
  });
});
