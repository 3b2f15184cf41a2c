/**
 * A call preview pending at a voice routing point is kept in the database: after a restart the new connector still
 * answers it, Accept still routes the call, and the time-out still fires at its deadline, once. Two connectors on
 * one database: a long poll on one sees the decision taken on the other, and the time-out fires once between them.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { SendPreview } from '../../../src/domain/interaction/effects.js';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

const escalation = `
escalation:
  voiceRoutingPoints:
    - { dn: "6001", name: Billing transfer, previewTimeoutMs: 15000, defaultRoute: { dn: "6999" } }
`;

describe.each(testDatabases())('a pending call preview across a restart, on $name', (database) => {
  let t: ApiTestApp | undefined;
  const clock = new TestClock();
  afterAll(() => database.cleanup());
  afterEach(async () => t?.app.stop());

  const startOn = async (url: string) => {
    t = await startApiApp(url, clock, escalation);
    return t;
  };
  const report = (app: ApiTestApp, id: string) =>
    request(app.app.http)
      .post('/api/v1/voice-calls')
      .set(bearer(app.keys.platform))
      .send({ id, routingPoint: '6001', attachedData: { UCC_KnowledgeWorkerId: 'kw-ann', UCC_AgentId: 'agent-kate' } })
      .expect(202);
  const read = (app: ApiTestApp, id: string) =>
    request(app.app.http).get(`/api/v1/voice-calls/${id}`).set(bearer(app.keys.platform)).expect(200);

  test('the time-out fires after the restart, once, and sends the call to the default route', async () => {
    const url = await database.create();
    const first = await startOn(url);
    await report(first, 'call-r1');
    await first.app.outbox.drain();
    const preview = first.experts.to('kw-ann').find((e): e is SendPreview => e.type === 'SendPreview');
    expect(preview?.origin).toEqual({
      kind: 'voice-call',
      from: { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' },
      dn: '6001',
    });
    await first.app.stop();
    t = undefined;

    const second = await startOn(url);
    expect((await read(second, 'call-r1')).body.status).toBe('previewing');
    clock.advance(15_000);
    await second.app.timeouts.fireDue();
    await second.app.timeouts.fireDue();
    const decided = (await read(second, 'call-r1')).body;
    expect(decided.decision).toMatchObject({
      route: 'default',
      reason: 'timed_out',
      target: { dn: '6999', name: null },
    });
    const facts = await request(second.app.http)
      .get('/api/v1/reports/facts?interactionId=call-r1')
      .set(bearer(second.keys.platform))
      .expect(200);
    expect(
      facts.body.facts.map((f: { descriptor: string; outcome: string }) => `${f.descriptor} ${f.outcome}`),
    ).toEqual(['RoutedTo/Redirected [Revoked] timed_out']);
  });

  test('Accept after the restart routes the call to the knowledge worker', async () => {
    const url = await database.create();
    const first = await startOn(url);
    await report(first, 'call-r2');
    await first.app.stop();
    t = undefined;

    const second = await startOn(url);
    const accepted = await second.app.commands.execute({
      type: 'Accept',
      interactionId: 'call-r2',
      invitationId: 'v1',
      by: 'kw-ann',
    });
    expect(accepted.ok).toBe(true);
    const decided = (await read(second, 'call-r2')).body;
    expect(decided.decision).toMatchObject({
      route: 'knowledge-worker',
      reason: 'accepted',
      target: { kind: 'knowledge-worker', dn: '+14255550101' },
    });
  });
});

/** Several replicas share a PostgreSQL database (scale-out runs on PostgreSQL only). */
const postgres = testDatabases().filter((d) => d.name === 'postgres');

describe.each(postgres)('a call preview with two connectors, on $name', (database) => {
  const clock = new TestClock();
  afterAll(() => database.cleanup());
  const report = (app: ApiTestApp, id: string) =>
    request(app.app.http)
      .post('/api/v1/voice-calls')
      .set(bearer(app.keys.platform))
      .send({ id, routingPoint: '6001', attachedData: { UCC_KnowledgeWorkerId: 'kw-ann' } })
      .expect(202);
  const read = (app: ApiTestApp, id: string) =>
    request(app.app.http).get(`/api/v1/voice-calls/${id}`).set(bearer(app.keys.platform)).expect(200);

  test('two connectors: the long poll on one sees the Accept on the other; the time-out fires once', async () => {
    const url = await database.create();
    const a = await startApiApp(url, clock, escalation);
    const b = await startApiApp(url, clock, escalation);
    try {
      await report(a, 'call-2a');
      const waiting = request(b.app.http)
        .get('/api/v1/voice-calls/call-2a?waitMs=20000')
        .set(bearer(b.keys.platform))
        .then((res) => res);
      const accepted = await a.app.commands.execute({
        type: 'Accept',
        interactionId: 'call-2a',
        invitationId: 'v1',
        by: 'kw-ann',
      });
      expect(accepted.ok).toBe(true);
      const seen = await waiting;
      expect(seen.status).toBe(200);
      expect(seen.body.decision).toMatchObject({ route: 'knowledge-worker', reason: 'accepted' });

      await report(b, 'call-2b');
      clock.advance(15_000);
      await Promise.all([a.app.timeouts.fireDue(), b.app.timeouts.fireDue()]);
      await Promise.all([a.app.timeouts.fireDue(), b.app.timeouts.fireDue()]);
      expect((await read(a, 'call-2b')).body.decision).toMatchObject({ route: 'default', reason: 'timed_out' });
      const facts = await request(a.app.http)
        .get('/api/v1/reports/facts?interactionId=call-2b')
        .set(bearer(a.keys.platform))
        .expect(200);
      expect(facts.body.facts).toHaveLength(1);
    } finally {
      await a.app.stop();
      await b.app.stop();
    }
  });
});
