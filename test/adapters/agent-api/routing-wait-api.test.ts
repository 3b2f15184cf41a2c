/**
 * Routing points that wait for an expert (`waitMs`), through the agent API: a request that finds no one waits (the
 * requester, or the platform for a chat, is told its place), is offered as soon as a member's session ends, in
 * order (priority, then arrival), and on expiry follows the default route or fails with the wait named. A customer
 * leaving while the chat waits gives the routing point's `Puller/CustomerAbandoned` (Info Mart flow 10). Waiting
 * requests are the database's: a restart keeps their place and deadline, and two connectors on one PostgreSQL
 * database offer each once and expire each once.
 */

import { afterAll, afterEach, describe, expect, onTestFinished, test, vi } from 'vitest';
import { startRoundTripCounter } from '../../../bench/support/pg-round-trips.js';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { type TestDatabase, testDatabases } from '../../support/databases.js';
import { readEvents } from '../../support/event-readers.js';
import { TestClock } from '../../support/test-app.js';

// Ann is the one expert of both waiting routing points; Ready with a limit of one session, she is Busy in one.
const directory = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready }
    - { id: kw-leo, name: Leo Legal, staticState: Ready }
  agents:
    - { id: agent-kate, name: Kate Lewis }
    - { id: agent-jim, name: Jim Miller }
routing:
  routingPoints:
    - id: patient
      name: Patient Experts
      members: { kind: static, ids: [kw-ann] }
      strategy: { kind: round-robin }
      waitMs: 120000
      defaultRoute: { kind: routing-point, id: backup }
    - id: backup
      name: Backup Experts
      members: { kind: static, ids: [kw-leo] }
      strategy: { kind: round-robin }
    - id: lonely
      name: Lonely Experts
      members: { kind: static, ids: [kw-ann] }
      strategy: { kind: named, knowledgeWorkerId: kw-ann }
      waitMs: 60000
    - id: hasty
      name: Hasty Experts
      members: { kind: static, ids: [kw-ann] }
      strategy: { kind: round-robin }
queues:
  - { id: inbound-chat, name: Inbound Chat, members: [agent-kate, agent-jim] }
`;

const WAIT_MS = 120_000;

/**
 * The waiting router's reads, as the round-trip counter names them (cut at 90 characters): the waiting requests, and
 * who has a preview pending. (The first name is also that of the wait deadlines' claim, whose scheduler these tests do
 * not start.)
 */
const WAIT_READS = [
  'select id, wait_point, wait_since, wait_until, wait_priority from interactions where wait_',
  'select distinct target_id from invitations where state = $',
];

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

  /** Starts an IM from `key`'s agent to a routing point and carries out its routing. */
  async function startIm(t: ApiTestApp, key: string, routingPointId: string): Promise<string> {
    const res = await request(t.app.http)
      .post('/api/v1/interactions')
      .set(bearer(key))
      .send({ target: { kind: 'routing-point', id: routingPointId }, text: 'A question' })
      .expect(201);
    await t.app.outbox.drain();
    return res.body.id as string;
  }

  /** A customer chat arrives in the queue and a routing point pulls it; its routing is carried out. */
  async function routeChat(t: ApiTestApp, id: string, routingPointId: string, attachedData = {}) {
    await request(t.app.http)
      .post('/api/v1/chats')
      .set(bearer(t.keys.platform))
      .send({ id, customer: { name: `Customer of ${id}` }, queueId: 'inbound-chat', text: 'Hello', attachedData })
      .expect(201);
    await request(t.app.http)
      .post(`/api/v1/chats/${id}/route`)
      .set(bearer(t.keys.platform))
      .send({ routingPointId })
      .expect(200);
    await t.app.outbox.drain();
  }

  /** The previews sent to an expert, in order, on any of these connectors. */
  const previewsTo = (expert: string, ...apps: ApiTestApp[]) =>
    apps.flatMap((t) => t.experts.to(expert).filter((e) => e.type === 'SendPreview'));
  const offeredTo = (expert: string, ...apps: ApiTestApp[]) => previewsTo(expert, ...apps).map((e) => e.interactionId);

  /** The expert accepts the last preview of `id` sent to them. */
  async function accept(t: ApiTestApp, expert: string, id: string, ...apps: ApiTestApp[]) {
    const preview = previewsTo(expert, t, ...apps).findLast((e) => e.interactionId === id);
    if (preview?.type !== 'SendPreview') throw new Error(`no preview of ${id} for ${expert}`);
    const accepted = await t.app.commands.execute({
      type: 'Accept',
      interactionId: id,
      invitationId: preview.invitationId,
      by: expert,
    });
    expect(accepted.ok).toBe(true);
    await t.app.outbox.drain();
  }

  /** Ann takes an IM from Kate to `hasty` and stays in the session: she is Busy. Returns the IM. */
  async function keepAnnBusy(t: ApiTestApp): Promise<string> {
    const id = await startIm(t, t.keys.kate, 'hasty');
    await accept(t, 'kw-ann', id);
    return id;
  }

  /** Kate ends an IM (Ann's session in it ends). */
  async function end(t: ApiTestApp, id: string, key = t.keys.kate) {
    await request(t.app.http).post(`/api/v1/interactions/${id}/end`).set(bearer(key)).expect(200);
    await t.app.outbox.drain();
  }

  const get = async (t: ApiTestApp, id: string, key = t.keys.platform) =>
    (await request(t.app.http).get(`/api/v1/interactions/${id}`).set(bearer(key)).expect(200)).body;

  /** Starts the waiting feature alone (the rest of the connector is driven by the test). */
  const startWaiting = (t: ApiTestApp) => t.app.features.find((f) => f.name === 'waiting')?.start?.();

  return { clock, start, stop, startIm, routeChat, offeredTo, accept, keepAnnBusy, end, get, startWaiting };
}

describe.each(testDatabases())('routing points that wait, through the agent API on $name', (database) => {
  const c = useConnectors(database);

  test('a request that finds no one waits, is told so, and is offered as soon as the member’s session ends', async () => {
    const t = await c.start(await database.create());
    c.startWaiting(t);
    const busy = await c.keepAnnBusy(t);
    const since = c.clock.now();
    const waiting = await c.startIm(t, t.keys.jim, 'patient');
    expect(c.offeredTo('kw-ann', t)).toEqual([busy]);

    const view = await c.get(t, waiting, t.keys.jim);
    expect(view.status).toBe('establishing');
    expect(view.invitations).toEqual([]);
    expect(view.request.waiting).toEqual({
      routingPoint: { kind: 'routing-point', id: 'patient', name: 'Patient Experts' },
      since: new Date(since).toISOString(),
      until: new Date(since + WAIT_MS).toISOString(),
      position: 1,
    });
    const events = await readEvents(t.app.http, t.keys.jim);
    const told = events.filter((e) => e.type === 'request.waiting');
    expect(told).toHaveLength(1);
    expect(told[0]?.data).toMatchObject({
      interactionId: waiting,
      requestKind: 'route',
      routingPoint: { id: 'patient', name: 'Patient Experts' },
      position: 1,
      until: new Date(since + WAIT_MS).toISOString(),
      details: ['No expert available at Patient Experts: everyone is busy (1).'],
    });

    // Ann's session ends: the waiting request is offered to her, without anything else asking.
    c.clock.advance(10_000);
    await c.end(t, busy);
    await vi.waitFor(
      async () => {
        await t.app.outbox.drain();
        expect(c.offeredTo('kw-ann', t)).toEqual([busy, waiting]);
      },
      { timeout: 10_000, interval: 20 },
    );
    const offered = await c.get(t, waiting, t.keys.jim);
    expect(offered.request.waiting).toBeNull();
    const over = (await readEvents(t.app.http, t.keys.jim)).filter((e) => e.type === 'request.offered');
    expect(over.map((e) => e.data)).toEqual([
      expect.objectContaining({
        interactionId: waiting,
        requestKind: 'route',
        routingPoint: { kind: 'routing-point', id: 'patient', name: 'Patient Experts' },
        offeredTo: [{ id: 'kw-ann', name: 'Ann Billing', kind: 'knowledge-worker' }],
      }),
    ]);
    expect(offered.invitations).toMatchObject([{ target: { id: 'kw-ann' }, state: 'pending' }]);
    // The time-out of the wait no longer applies.
    c.clock.advance(WAIT_MS);
    expect(await t.app.timeouts.fireDue()).toBe(1); // Ann's preview timed out (30 s), not the wait.
  });

  test('several waiting requests are offered in order: a higher priority first, then arrival', async () => {
    const t = await c.start(await database.create());
    const busy = await c.keepAnnBusy(t);
    await c.routeChat(t, 'chat-1', 'patient');
    c.clock.advance(1_000);
    await c.routeChat(t, 'chat-2', 'patient');
    c.clock.advance(1_000);
    await c.routeChat(t, 'chat-3', 'patient', { Priority: '5' });

    const platform = await readEvents(t.app.http, t.keys.platform);
    const places = platform
      .filter((e) => e.type === 'request.waiting')
      .map((e) => [e.interactionId, e.data.position, e.data.to.kind]);
    expect(places).toEqual([
      ['chat-1', 1, 'customer'],
      ['chat-2', 2, 'customer'],
      ['chat-3', 1, 'customer'],
    ]);
    expect((await c.get(t, 'chat-1')).request.waiting.position).toBe(2);
    expect((await c.get(t, 'chat-2')).request.waiting.position).toBe(3);
    expect((await c.get(t, 'chat-3')).request.waiting.position).toBe(1);
    expect((await c.get(t, 'chat-1')).mediation).toMatchObject({ kind: 'routing-point', id: 'patient' });

    // Each time Ann's session ends, the next waiting chat is offered to her.
    let current = busy;
    for (const next of ['chat-3', 'chat-1', 'chat-2']) {
      if (current.startsWith('chat-')) {
        const ended = await t.app.commands.execute({ type: 'End', interactionId: current, by: 'kw-ann' });
        expect(ended.ok).toBe(true);
      } else await c.end(t, current);
      await t.app.waiting.offerWaiting();
      await t.app.outbox.drain();
      expect(c.offeredTo('kw-ann', t).at(-1)).toBe(next);
      await c.accept(t, 'kw-ann', next);
      current = next;
    }
    expect(c.offeredTo('kw-ann', t)).toEqual([busy, 'chat-3', 'chat-1', 'chat-2']);
  });

  test('when the wait runs out, the default route is followed, or the request fails naming the wait', async () => {
    const t = await c.start(await database.create());
    await c.keepAnnBusy(t);
    const toBackup = await c.startIm(t, t.keys.jim, 'patient');
    c.clock.advance(30_000);
    const failing = await c.startIm(t, t.keys.jim, 'lonely');

    // Lonely Experts' wait (1 min) runs out at 1 min 30 s, Patient Experts' (2 min) at 2 min.
    c.clock.advance(60_000 - 1);
    expect(await t.app.timeouts.fireDue()).toBe(0);
    c.clock.advance(1);
    expect(await t.app.timeouts.fireDue()).toBe(1);
    c.clock.advance(30_000);
    expect(await t.app.timeouts.fireDue()).toBe(1);
    await t.app.outbox.drain();
    // Patient Experts' wait is over: its default route, Backup Experts, offers Leo.
    expect(c.offeredTo('kw-leo', t)).toEqual([toBackup]);
    expect((await c.get(t, toBackup, t.keys.jim)).invitations).toMatchObject([
      { target: { id: 'kw-leo' }, state: 'pending' },
    ]);
    // Lonely Experts has no default route: the request fails, and Jim reads why.
    const events = await readEvents(t.app.http, t.keys.jim);
    const failed = events.filter((e) => e.type === 'invitation.failed');
    expect(failed.map((e) => [e.interactionId, e.data.details])).toEqual([
      [failing, ['No expert available at Lonely Experts after waiting 1 min: everyone is busy (1).']],
    ]);
    expect((await c.get(t, failing, t.keys.jim)).status).toBe('ended');
  });

  test('a chat whose wait runs out goes back to its queue, and the platform is told', async () => {
    const t = await c.start(await database.create());
    await c.keepAnnBusy(t);
    await c.routeChat(t, 'chat-back', 'lonely');
    c.clock.advance(60_000);
    expect(await t.app.timeouts.fireDue()).toBe(1);
    await t.app.outbox.drain();
    const view = await c.get(t, 'chat-back');
    expect(view).toMatchObject({ status: 'waiting', request: null, mediation: { kind: 'queue', id: 'inbound-chat' } });
    const events = await readEvents(t.app.http, t.keys.platform);
    expect(events.filter((e) => e.type === 'interaction.requeued').map((e) => e.data)).toEqual([
      expect.objectContaining({
        interactionId: 'chat-back',
        queue: { kind: 'queue', id: 'inbound-chat', name: 'Inbound Chat' },
        routingPoint: { kind: 'routing-point', id: 'lonely', name: 'Lonely Experts' },
        details: ['No expert available at Lonely Experts after waiting 1 min: everyone is busy (1).'],
      }),
    ]);
  });

  test('a customer who leaves while the chat waits gives the routing point’s Puller/CustomerAbandoned, wait included', async () => {
    const t = await c.start(await database.create());
    await c.keepAnnBusy(t);
    const pulledAt = c.clock.now();
    await c.routeChat(t, 'chat-gone', 'patient');
    c.clock.advance(45_000);
    await request(t.app.http).post('/api/v1/chats/chat-gone/customer-leaves').set(bearer(t.keys.platform)).expect(200);
    await t.app.outbox.drain();
    const facts = await request(t.app.http)
      .get('/api/v1/reports/facts?interactionId=chat-gone')
      .set(bearer(t.keys.platform))
      .expect(200);
    expect(facts.body.facts).toEqual([
      expect.objectContaining({
        resource: { kind: 'routing-point', id: 'patient', name: 'Patient Experts' },
        descriptor: 'Puller/CustomerAbandoned',
        routingPointId: 'patient',
        startedAt: new Date(pulledAt).toISOString(),
        endedAt: new Date(pulledAt + 45_000).toISOString(),
        mediationMs: 45_000,
      }),
    ]);
    // Nothing waits any more: Ann's next free moment offers nothing, and no deadline fires.
    expect(await t.app.waiting.offerWaiting()).toBe(0);
    c.clock.advance(WAIT_MS);
    expect(await t.app.timeouts.fireDue()).toBe(0);
  });

  test('the wait before an offer is mediation: on the expert’s fact and in the routing point’s summary, across a restart', async () => {
    const url = await database.create();
    let t = await c.start(url);
    const busy = await c.keepAnnBusy(t);
    const waiting = await c.startIm(t, t.keys.jim, 'patient');
    // Ann's session ends 90 s later: the waiting IM is offered to her then.
    c.clock.advance(90_000);
    await c.end(t, busy);
    expect(await t.app.waiting.offerWaiting()).toBe(1);
    await t.app.outbox.drain();
    expect(c.offeredTo('kw-ann', t)).toEqual([busy, waiting]);
    // The connector restarts while the preview is showing: the party keeps when its request began waiting.
    await c.stop(t);
    t = await c.start(url);
    c.clock.advance(3_000);
    const preview = (await c.get(t, waiting, t.keys.jim)).invitations[0];
    const accepted = await t.app.commands.execute({
      type: 'Accept',
      interactionId: waiting,
      invitationId: preview.id,
      by: 'kw-ann',
    });
    expect(accepted.ok).toBe(true);
    await t.app.outbox.drain();
    c.clock.advance(60_000);
    await c.end(t, waiting, t.keys.jim);

    const facts = await request(t.app.http)
      .get(`/api/v1/reports/facts?interactionId=${waiting}`)
      .set(bearer(t.keys.platform))
      .expect(200);
    expect(facts.body.facts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          resource: { kind: 'knowledge-worker', id: 'kw-ann', name: 'Ann Billing' },
          descriptor: 'RoutedTo/Completed',
          routingPointId: 'patient',
          alertMs: 3_000,
          engageMs: 60_000,
          mediationMs: 90_000,
        }),
        expect.objectContaining({ descriptor: 'Initiated/Completed', mediationMs: 0 }),
      ]),
    );
    expect(facts.body.facts).toHaveLength(2);
    const csv = await request(t.app.http)
      .get(`/api/v1/reports/facts?interactionId=${waiting}&format=csv`)
      .set(bearer(t.keys.platform))
      .expect(200);
    const [header, ...rows] = csv.text
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','));
    const column = header?.indexOf('mediation_ms') ?? -1;
    expect(rows.map((r) => r[column]).sort()).toEqual(['0', '90000']);

    // Patient Experts mediated one request (90 s); Hasty Experts offered Ann's first IM at once. (The range ends
    // before now: one second on, the last fact is in it.)
    c.clock.advance(1_000);
    const summary = await request(t.app.http)
      .get('/api/v1/reports/summary?by=routing-point')
      .set(bearer(t.keys.platform))
      .expect(200);
    const rowOf = (id: string) => summary.body.rows.find((r: { id: string }) => r.id === id);
    expect(rowOf('patient')).toMatchObject({
      accepted: 1,
      handleTimeMs: { total: 60_000, average: 60_000 },
      mediationMs: { requests: 1, total: 90_000, average: 90_000 },
    });
    expect(rowOf('hasty')).toMatchObject({ accepted: 1, mediationMs: { requests: 1, total: 0, average: 0 } });
    expect(summary.body.totals.mediationMs).toEqual({ requests: 2, total: 90_000, average: 45_000 });
  });

  test('after a restart, waiting requests keep their place and their deadline', async () => {
    const url = await database.create();
    let t = await c.start(url);
    const busy = await c.keepAnnBusy(t);
    const since = c.clock.now();
    await c.routeChat(t, 'chat-a', 'patient');
    c.clock.advance(1_000);
    await c.routeChat(t, 'chat-b', 'patient');
    await c.stop(t);

    t = await c.start(url);
    expect((await c.get(t, 'chat-a')).request.waiting).toMatchObject({
      until: new Date(since + WAIT_MS).toISOString(),
      position: 1,
    });
    expect((await c.get(t, 'chat-b')).request.waiting.position).toBe(2);
    // Ann's session ends on the restarted connector: the first to arrive is offered, the other keeps waiting.
    await c.end(t, busy);
    expect(await t.app.waiting.offerWaiting()).toBe(1);
    await t.app.outbox.drain();
    expect(c.offeredTo('kw-ann', t)).toEqual(['chat-a']);
    expect((await c.get(t, 'chat-b')).request.waiting.position).toBe(1);
    await c.accept(t, 'kw-ann', 'chat-a');
    // chat-b's deadline is the one set before the restart: 2 min after it arrived.
    c.clock.advance(WAIT_MS - 1);
    expect(await t.app.timeouts.fireDue()).toBe(0);
    c.clock.advance(1);
    expect(await t.app.timeouts.fireDue()).toBe(1);
    await t.app.outbox.drain();
    expect(c.offeredTo('kw-leo', t)).toEqual(['chat-b']);
  });
});

// Replicas share a PostgreSQL database (docs/scale-out.md).
describe.each(testDatabases().filter((d) => d.name === 'postgres'))(
  'routing points that wait, with two connectors on one $name database',
  (database) => {
    const c = useConnectors(database);

    test('a waiting request is offered once and expires once across two connectors', async () => {
      const url = await database.create();
      const a = await c.start(url);
      const b = await c.start(url);
      // The replicas tell each other of session changes over LISTEN/NOTIFY.
      for (const t of [a, b]) t.app.features.find((f) => f.name === 'scale-out')?.start?.();
      const busy = await c.keepAnnBusy(a);
      await vi.waitFor(() => expect(b.app.load.of('kw-ann')).toBe(1), { timeout: 10_000, interval: 20 });
      const first = await c.startIm(a, a.keys.jim, 'patient');
      c.clock.advance(1_000);
      const second = await c.startIm(b, b.keys.jim, 'patient');
      expect((await c.get(b, first)).request.waiting.position).toBe(1);
      expect((await c.get(a, second)).request.waiting.position).toBe(2);

      // Ann's session ends: both connectors route the waiting requests at once; the first is offered once.
      await c.end(a, busy);
      await vi.waitFor(() => expect(b.app.load.of('kw-ann')).toBe(0), { timeout: 10_000, interval: 20 });
      await Promise.all([a.app.waiting.offerWaiting(), b.app.waiting.offerWaiting()]);
      await Promise.all([a.app.outbox.drain(), b.app.outbox.drain()]);
      expect(c.offeredTo('kw-ann', a, b)).toEqual([busy, first]);
      expect((await c.get(b, first)).invitations).toHaveLength(1);

      await c.accept(b, 'kw-ann', first, a);

      // The second's wait runs out: fired by one connector only, then its default route offers Leo once.
      c.clock.advance(WAIT_MS);
      const fired = await Promise.all([a.app.timeouts.fireDue(), b.app.timeouts.fireDue()]);
      expect(fired[0] + fired[1]).toBe(1);
      await Promise.all([a.app.outbox.drain(), b.app.outbox.drain()]);
      expect(c.offeredTo('kw-leo', a, b)).toEqual([second]);
    });

    test('with nothing waiting a trigger reads nothing; a wait begun on the other connector is still offered here', async () => {
      const direct = new URL(await database.create());
      const counter = await startRoundTripCounter(direct);
      onTestFinished(() => counter.close());
      const viaCounter = new URL(direct);
      viaCounter.hostname = '127.0.0.1';
      viaCounter.port = String(counter.port);
      const a = await c.start(viaCounter.toString());
      const b = await c.start(viaCounter.toString());
      for (const t of [a, b]) t.app.features.find((f) => f.name === 'scale-out')?.start?.();
      await vi.waitFor(
        () => expect(a.app.scaleOut?.signals.listening() && b.app.scaleOut?.signals.listening()).toBe(true),
        {
          timeout: 10_000,
          interval: 20,
        },
      );
      // Only A routes waiting requests; its start-up read finds none.
      c.startWaiting(a);
      await vi.waitFor(() => expect(a.app.waiting.nothingWaits()).toBe(true), { timeout: 10_000, interval: 20 });
      const reads = () => WAIT_READS.map((s) => counter.byStatement().get(s) ?? 0);
      const before = reads();

      // Ann's session begins and ends on A (B hears of both): triggers, with nothing waiting.
      const busy = await c.keepAnnBusy(a);
      await c.end(a, busy);
      await vi.waitFor(() => expect(b.app.load.of('kw-ann')).toBe(0), { timeout: 10_000, interval: 20 });
      // A pass asked for now reads the waiting requests once (and, finding none, nothing else); a pass a trigger
      // started would have read them too, or would be joined by this one and read them again.
      await a.app.waiting.offerWaiting();
      expect(reads()).toEqual([(before[0] ?? 0) + 1, before[1]]);

      // Ann is busy again; a request begins waiting on B, which does not route waiting requests.
      const busyAgain = await c.keepAnnBusy(a);
      await vi.waitFor(() => expect(b.app.load.of('kw-ann')).toBe(1), { timeout: 10_000, interval: 20 });
      const waiting = await c.startIm(b, b.keys.jim, 'patient');
      expect((await c.get(b, waiting)).request.waiting.position).toBe(1);
      // Her session ends on A: A offers B's waiting request (B told A that it began waiting).
      await c.end(a, busyAgain);
      await vi.waitFor(
        async () => {
          await a.app.outbox.drain();
          expect(c.offeredTo('kw-ann', a, b)).toEqual([busy, busyAgain, waiting]);
        },
        { timeout: 10_000, interval: 20 },
      );
    });
  },
);
