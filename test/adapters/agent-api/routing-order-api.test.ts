/**
 * The order in which routing points offer requests through the agent API, with three Ready experts: round-robin
 * takes the member after the one offered last, longest-idle the member whose last session ended longest ago (never
 * first, ties in list order). The order is the database's: it holds across a restart and is the same on two
 * connectors sharing one database, and two connectors routing at once never take the same round-robin turn.
 */

import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { type TestDatabase, testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

const directory = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready }
    - { id: kw-leo, name: Leo Legal, staticState: Ready }
    - { id: kw-sam, name: Sam Support, staticState: Ready }
  agents:
    - { id: agent-kate, name: Kate Lewis }
    - { id: agent-jim, name: Jim Miller }
routing:
  routingPoints:
    - id: turns
      name: Experts in Turn
      members: { kind: static, ids: [kw-ann, kw-leo, kw-sam] }
      strategy: { kind: round-robin }
    - id: rested
      name: Rested Experts
      members: { kind: static, ids: [kw-ann, kw-leo, kw-sam] }
      strategy: { kind: longest-idle }
queues: []
`;

/** Connectors on `database` with three Ready experts, stopped after each test, and what the tests do with them. */
function useConnectors(database: TestDatabase) {
  const running: ApiTestApp[] = [];
  const clock = new TestClock();
  afterAll(() => database.cleanup());
  afterEach(async () => {
    for (const t of running.splice(0)) await t.app.stop();
  });

  const start = async (url: string) => {
    const t = await startApiApp(url, clock, '', {}, directory);
    running.push(t);
    return t;
  };
  const stop = async (t: ApiTestApp) => {
    running.splice(running.indexOf(t), 1);
    await t.app.stop();
  };

  /** Starts an IM to a routing point on `t` and carries out the routing (on every connector given). */
  async function startIm(t: ApiTestApp, routingPointId: string, drainers: ApiTestApp[] = [t]): Promise<string> {
    const res = await request(t.app.http)
      .post('/api/v1/interactions')
      .set(bearer(t.keys.kate))
      .send({ target: { kind: 'routing-point', id: routingPointId }, text: 'A question' })
      .expect(201);
    for (const d of drainers) await d.app.outbox.drain();
    return res.body.id as string;
  }

  /** Who was offered the interaction, in order, on any of these connectors. */
  const offeredTo = (id: string, ...apps: ApiTestApp[]) =>
    apps.flatMap((t) =>
      t.experts.sent
        .map((s) => s.effect)
        .filter((e) => e.type === 'SendPreview' && e.interactionId === id)
        .map((e) => e.to.id),
    );

  const end = async (t: ApiTestApp, id: string) => {
    await request(t.app.http).post(`/api/v1/interactions/${id}/end`).set(bearer(t.keys.kate)).expect(200);
    await t.app.outbox.drain();
  };

  /** The expert offered the IM accepts it; a minute later the agent ends it (the expert's session ends). */
  async function serve(t: ApiTestApp, id: string) {
    const preview = t.experts.sent.map((s) => s.effect).find((e) => e.type === 'SendPreview' && e.interactionId === id);
    if (preview?.type !== 'SendPreview') throw new Error(`no preview for ${id}`);
    const accepted = await t.app.commands.execute({
      type: 'Accept',
      interactionId: id,
      invitationId: preview.invitationId,
      by: preview.to.id,
    });
    expect(accepted.ok).toBe(true);
    await t.app.outbox.drain();
    clock.advance(60_000);
    await end(t, id);
  }

  return { start, stop, startIm, offeredTo, end, serve };
}

describe.each(testDatabases())('routing order through the agent API on $name', (database) => {
  const { start, stop, startIm, offeredTo, end, serve } = useConnectors(database);

  test('round-robin offers the member after the one offered last, wrapping around, across a restart', async () => {
    const url = await database.create();
    let t = await start(url);
    const firsts: string[] = [];
    for (let n = 0; n < 4; n++) {
      const id = await startIm(t, 'turns');
      firsts.push(offeredTo(id, t)[0] ?? '');
      await end(t, id);
    }
    expect(firsts).toEqual(['kw-ann', 'kw-leo', 'kw-sam', 'kw-ann']);

    await stop(t);
    t = await start(url);
    const afterRestart = await startIm(t, 'turns');
    expect(offeredTo(afterRestart, t)).toEqual(['kw-leo']);
  });

  test('round-robin passes over a member who is busy and goes on after the one it offered', async () => {
    const t = await start(await database.create());
    const first = await startIm(t, 'turns'); // Ann, who accepts and stays in the session (busy).
    const preview = t.experts.to('kw-ann')[0];
    if (preview?.type !== 'SendPreview') throw new Error('no preview for Ann');
    await t.app.commands.execute({
      type: 'Accept',
      interactionId: first,
      invitationId: preview.invitationId,
      by: 'kw-ann',
    });
    await t.app.outbox.drain();
    const second = await startIm(t, 'turns');
    await end(t, second);
    const third = await startIm(t, 'turns');
    await end(t, third);
    const fourth = await startIm(t, 'turns'); // Ann is busy: after Sam comes Leo.
    expect([second, third, fourth].map((id) => offeredTo(id, t)[0])).toEqual(['kw-leo', 'kw-sam', 'kw-leo']);
  });

  test('longest-idle offers the member whose last session ended longest ago, never-worked first, across a restart', async () => {
    const url = await database.create();
    let t = await start(url);
    // No one has worked: list order. Ann serves, then Leo, then Sam (each session ends a minute after the last).
    const served: string[] = [];
    for (let n = 0; n < 3; n++) {
      const id = await startIm(t, 'rested');
      served.push(offeredTo(id, t)[0] ?? '');
      await serve(t, id);
    }
    expect(served).toEqual(['kw-ann', 'kw-leo', 'kw-sam']);
    // Ann's session ended longest ago: she serves again, and now Leo's is the oldest, then Sam's.
    const again = await startIm(t, 'rested');
    expect(offeredTo(again, t)).toEqual(['kw-ann']);
    await serve(t, again);

    await stop(t);
    t = await start(url);
    const next = await startIm(t, 'rested');
    expect(offeredTo(next, t)).toEqual(['kw-leo']);
    // Declined by Leo: the next one idle the longest is Sam.
    const preview = t.experts.to('kw-leo')[0];
    if (preview?.type !== 'SendPreview') throw new Error('no preview for Leo');
    await t.app.commands.execute({
      type: 'Reject',
      interactionId: next,
      invitationId: preview.invitationId,
      by: 'kw-leo',
    });
    await t.app.outbox.drain();
    expect(offeredTo(next, t)).toEqual(['kw-leo', 'kw-sam']);
  });
});

// Replicas share a PostgreSQL database (docs/scale-out.md).
describe.each(testDatabases().filter((d) => d.name === 'postgres'))(
  'routing order with two connectors on one $name database',
  (database) => {
    const { start, startIm, offeredTo, end, serve } = useConnectors(database);

    test('two connectors on one database follow one order, and routing at once never takes the same turn', async () => {
      const url = await database.create();
      const a = await start(url);
      const b = await start(url);
      // Longest-idle: sessions served on A order B's offers.
      for (const expected of ['kw-ann', 'kw-leo']) {
        const id = await startIm(a, 'rested', [a, b]);
        expect(offeredTo(id, a, b)).toEqual([expected]);
        await serve(offeredTo(id, a).length > 0 ? a : b, id);
      }
      const onB = await startIm(b, 'rested', [b, a]);
      expect(offeredTo(onB, a, b)).toEqual(['kw-sam']);
      await end(b, onB);
      await a.app.outbox.drain();

      // Round-robin: requests alternating between the connectors take turns in one order.
      const alternating: string[] = [];
      for (const t of [a, b, a, b]) {
        const id = await startIm(t, 'turns', [t]);
        alternating.push(...offeredTo(id, a, b));
        await end(t, id);
      }
      expect(alternating).toEqual(['kw-ann', 'kw-leo', 'kw-sam', 'kw-ann']);

      // Three requests routed at once, by both connectors: three different experts.
      const ids: string[] = [];
      for (const t of [a, b, a]) {
        const res = await request(t.app.http)
          .post('/api/v1/interactions')
          .set(bearer(t.keys.kate))
          .send({ target: { kind: 'routing-point', id: 'turns' }, text: 'At once' })
          .expect(201);
        ids.push(res.body.id as string);
      }
      await Promise.all([a.app.outbox.drain(), b.app.outbox.drain()]);
      await Promise.all([a.app.outbox.drain(), b.app.outbox.drain()]);
      const firsts = ids.map((id) => offeredTo(id, a, b)[0]);
      expect(new Set(firsts)).toEqual(new Set(['kw-leo', 'kw-sam', 'kw-ann']));
    });
  },
);
