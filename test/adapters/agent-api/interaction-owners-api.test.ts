/**
 * An interaction's contact center (`api_interactions`) is known to the replica that created it, and to every replica
 * that loaded the interaction (the load carries it): a consultation started through one connector, accepted through
 * a second, messaged through the first and ended through the second never reads it on its own. Knowing it without
 * the read leaves the agent API as strict as before: South's agent is refused North's interaction on both.
 * Two connectors on one PostgreSQL database, their round trips counted by statement (bench/support/pg-round-trips).
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { startRoundTripCounter } from '../../../bench/support/pg-round-trips.js';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

/** North is the default contact center (Kate); South has Bob. */
const twoCenters = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready }
  agents:
    - { id: agent-kate, name: Kate Lewis }
    - { id: agent-jim, name: Jim Miller }
    - { id: agent-bob, name: Bob South }
routing:
  routingPoints:
    - id: billing
      name: Billing Experts
      members: { kind: static, ids: [kw-ann] }
      strategy: { kind: round-robin }
agentApi:
  contactCenters:
    - { id: south, agents: [agent-bob] }
`;

const OWNER_READ = 'select contact_center from api_interactions where interaction_id = $';

describe.each(testDatabases().filter((d) => d.name === 'postgres'))('interaction owners on $name', (database) => {
  const running: ApiTestApp[] = [];
  const counters: { close(): void }[] = [];
  afterAll(() => database.cleanup());
  afterEach(async () => {
    for (const t of running.splice(0)) await t.app.stop();
    for (const c of counters.splice(0)) c.close();
  });

  test('a consultation through two connectors never reads its contact center, and South is refused on both', async () => {
    const direct = new URL(await database.create());
    const counter = await startRoundTripCounter(direct);
    counters.push(counter);
    const viaCounter = new URL(direct);
    viaCounter.hostname = '127.0.0.1';
    viaCounter.port = String(counter.port);
    const clock = new TestClock();
    const a = await startApiApp(viaCounter.toString(), clock, '', {}, twoCenters);
    running.push(a);
    const b = await startApiApp(viaCounter.toString(), clock, '', {}, twoCenters);
    running.push(b);
    const bob = (await b.app.agentSide.keys.create({ contactCenter: 'south', agentId: 'agent-bob', label: 'Bob' })).key;

    // Kate starts it through A; Ann accepts through B; Kate writes through A and ends it through B.
    const started = await request(a.app.http)
      .post('/api/v1/interactions')
      .set(bearer(a.keys.kate))
      .send({ target: { kind: 'routing-point', id: 'billing' }, text: 'A question' })
      .expect(201);
    const id = started.body.id as string;
    await a.app.outbox.drain();
    const preview = a.experts.to('kw-ann').find((e) => e.type === 'SendPreview');
    if (preview?.type !== 'SendPreview') throw new Error('no preview for Ann');
    const accepted = await b.app.commands.execute({
      type: 'Accept',
      interactionId: id,
      invitationId: preview.invitationId,
      by: 'kw-ann',
    });
    expect(accepted.ok).toBe(true);
    await b.app.outbox.drain();
    await request(a.app.http)
      .post(`/api/v1/interactions/${id}/messages`)
      .set(bearer(a.keys.kate))
      .send({ text: 'Hello Ann' })
      .expect(200);
    await a.app.outbox.drain();
    // South's agent is refused North's interaction on both connectors, as if it did not exist.
    for (const t of [a, b]) {
      await request(t.app.http).get(`/api/v1/interactions/${id}`).set(bearer(bob)).expect(404);
      await request(t.app.http)
        .post(`/api/v1/interactions/${id}/messages`)
        .set(bearer(bob))
        .send({ text: 'Not yours' })
        .expect(404);
      await request(t.app.http).post(`/api/v1/interactions/${id}/end`).set(bearer(bob)).send({}).expect(404);
    }
    await request(b.app.http).post(`/api/v1/interactions/${id}/end`).set(bearer(b.keys.kate)).send({}).expect(200);
    await b.app.outbox.drain();

    const view = await request(a.app.http).get(`/api/v1/interactions/${id}`).set(bearer(a.keys.kate)).expect(200);
    expect(view.body.status).toBe('ended');
    expect(counter.byStatement().get(OWNER_READ) ?? 0).toBe(0);
  });
});
