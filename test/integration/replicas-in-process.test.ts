/**
 * Two connectors on one database (two app instances in one process, one PostgreSQL schema or one SQLite file)
 * racing for the same due work: every outbox effect, time-out and webhook delivery is carried out once, and work
 * claimed by a connector that then stops is taken over when its claim runs out.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { PersonEffect } from '../../src/ports/participant-channel.js';
import { type TestDatabase, testDatabases } from '../support/databases.js';
import { sampleDirectory, startTestApp, type TestApp, TestClock, testConfig } from '../support/test-app.js';

const kate = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' as const };
const billing = { kind: 'routing-point' as const, id: 'billing', name: 'Billing Experts' };

const sentBy = (...apps: TestApp[]) => apps.flatMap((t) => t.experts.sent);
const ofType = (sent: { id: string; effect: PersonEffect }[], type: PersonEffect['type']) =>
  sent.filter((s) => s.effect.type === type);

/** Connectors sharing one database, stopped after each test; the database is dropped after the file. */
function useConnectors(database: TestDatabase) {
  const running: TestApp[] = [];
  const servers: http.Server[] = [];
  afterAll(() => database.cleanup());
  afterEach(async () => {
    for (const s of servers.splice(0)) s.close();
    for (const t of running.splice(0)) await t.app.stop();
  });
  /** Two connectors on one fresh database. */
  async function pair(clock: TestClock, extraYaml = '') {
    const url = await database.create();
    const config = testConfig(sampleDirectory + extraYaml, url);
    const a = await startTestApp(config, clock);
    running.push(a);
    const b = await startTestApp(config, clock);
    running.push(b);
    return { a, b };
  }
  return { servers, running, pair };
}

async function startIms(t: TestApp, count: number) {
  for (let n = 0; n < count; n++) {
    const result = await t.app.commands.execute({
      type: 'StartIm',
      interactionId: `im-${n}`,
      initiator: kate,
      target: billing,
      text: `Question ${n}`,
    });
    expect(result.ok).toBe(true);
  }
}

describe.each(testDatabases())('two connectors on one $name database', (database) => {
  const { running, pair } = useConnectors(database);

  test('work claimed by a connector that stops is taken over when the claim runs out', async () => {
    const clock = new TestClock();
    const url = await database.create();
    const config = testConfig(sampleDirectory, url);
    const a = await startTestApp(config, clock);
    await startIms(a, 1);
    // A claims the routing request and stops before carrying it out.
    const claimed = await a.app.store.claimOutbox(clock.now(), 100, 60_000);
    expect(claimed.map((c) => c.effect.type)).toContain('RouteRequest');
    await a.app.stop();
    const b = await startTestApp(config, clock);
    running.push(b);
    expect(await b.app.outbox.drain()).toBe(0);
    expect(await b.app.store.nextOutboxAt()).toBe(clock.now() + 60_000);
    clock.advance(60_000);
    expect(await b.app.outbox.drain()).toBeGreaterThan(0);
    expect(ofType(b.experts.sent, 'SendPreview')).toHaveLength(1);
    expect(a.experts.sent).toEqual([]);
    expect(await b.app.outbox.drain()).toBe(0);

    // The preview's time-out: B claims it and stops; C fires it when the claim runs out, once.
    clock.advance(30_000);
    expect(await b.app.store.claimDueInvitations(clock.now(), 10, 30_000)).toHaveLength(1);
    await b.app.stop();
    running.splice(0);
    const c = await startTestApp(config, clock);
    running.push(c);
    expect(await c.app.timeouts.fireDue()).toBe(0);
    expect(await c.app.store.nextDueAt()).toBe(clock.now() + 30_000);
    clock.advance(30_000);
    expect(await c.app.timeouts.fireDue()).toBe(1);
    expect(await c.app.timeouts.fireDue()).toBe(0);
    await c.app.outbox.drain();
    const stored = await c.app.store.get('im-0');
    expect(stored?.invitations.map((i) => [i.target.id, i.state])).toEqual([
      ['kw-ann', 'timed_out'],
      ['kw-leo', 'pending'],
    ]);
  });

  test("an interaction's later effects wait while another connector holds its first", async () => {
    const clock = new TestClock();
    const { a, b } = await pair(clock);
    await startIms(a, 1);
    await a.app.outbox.drain();
    const result = await a.app.commands.execute({
      type: 'Accept',
      interactionId: 'im-0',
      invitationId: 'v1',
      by: 'kw-ann',
    });
    expect(result.ok).toBe(true);
    const all = await a.app.store.claimOutbox(clock.now(), 100, 60_000);
    expect(all.length).toBeGreaterThan(1);
    await a.app.store.releaseOutbox(all.map((c) => c.id));
    const [first] = await a.app.store.claimOutbox(clock.now(), 1, 60_000);
    expect(first?.id).toBe(all[0]?.id);
    expect(await b.app.store.claimOutbox(clock.now(), 100, 60_000)).toEqual([]);
    await a.app.store.completeOutbox([first?.id ?? '']);
    expect((await b.app.store.claimOutbox(clock.now(), 100, 60_000)).map((c) => c.id)).toEqual(
      all.slice(1).map((c) => c.id),
    );
  });
});

// Racing needs concurrent writers: PostgreSQL. SQLite is the single-process mode (one writer).
describe.each(testDatabases().filter((d) => d.name === 'postgres'))(
  'two connectors racing on one $name database',
  (database) => {
    const { servers, pair } = useConnectors(database);

    test('every effect and every time-out is carried out once when both race for them', async () => {
      const clock = new TestClock();
      const { a, b } = await pair(clock);
      await startIms(a, 24);
      await Promise.all([a.app.outbox.drain(), b.app.outbox.drain(), a.app.outbox.drain(), b.app.outbox.drain()]);
      await a.app.outbox.drain();
      await b.app.outbox.drain();

      const previews = ofType(sentBy(a, b), 'SendPreview');
      expect(previews).toHaveLength(24);
      expect(new Set(previews.map((p) => p.id)).size).toBe(24);
      expect(new Set(previews.map((p) => p.effect.interactionId)).size).toBe(24);
      expect(await a.app.store.outboxCounts()).toEqual({ done: expect.any(Number) });

      clock.advance(30_001);
      const fired = await Promise.all([a.app.timeouts.fireDue(), b.app.timeouts.fireDue()]);
      expect(fired[0] + fired[1]).toBe(24);
      await Promise.all([a.app.outbox.drain(), b.app.outbox.drain()]);
      await a.app.outbox.drain();
      await b.app.outbox.drain();
      const expired = ofType(sentBy(a, b), 'UpdatePreview');
      expect(expired).toHaveLength(24);
      expect(new Set(expired.map((e) => e.id)).size).toBe(24);
      for (let n = 0; n < 24; n++) {
        const stored = await b.app.store.get(`im-${n}`);
        expect(stored?.invitations.filter((i) => i.state === 'timed_out')).toHaveLength(1);
      }
    });

    test('each webhook delivery is posted once when both workers race for it', async () => {
      const clock = new TestClock();
      const { a, b } = await pair(clock);
      const received: string[] = [];
      const receiver = http.createServer((req, res) => {
        received.push(String(req.headers['webhook-id']));
        req.resume();
        req.on('end', () => res.writeHead(204).end());
      });
      receiver.listen(0, '127.0.0.1');
      await once(receiver, 'listening');
      servers.push(receiver);
      const platform = await a.app.agentSide.keys.create({
        contactCenter: 'default',
        agentId: null,
        label: 'Platform',
      });
      await request(a.app.http)
        .post('/api/v1/webhooks')
        .set({ authorization: `Bearer ${platform.key}` })
        .send({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` })
        .expect(201);
      for (let n = 0; n < 30; n++)
        await a.app.agentSide.publishKnowledgeWorkerState(
          'kw-eve',
          { kind: n % 2 ? 'Ready' : 'Busy' },
          clock.now() + n,
        );
      const rounds = await Promise.all([a.app.agentSide.webhooks.drain(), b.app.agentSide.webhooks.drain()]);
      expect(rounds[0].delivered + rounds[1].delivered).toBe(30);
      expect(received).toHaveLength(30);
      expect(new Set(received).size).toBe(30);
      expect(await b.app.agentSide.webhooks.counts()).toEqual({ delivered: 30 });
    });
  },
);
