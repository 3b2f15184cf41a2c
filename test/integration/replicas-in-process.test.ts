/**
 * Two connectors on one database (two app instances in one process, one PostgreSQL schema or one SQLite file)
 * racing for the same due work: every outbox effect, time-out and webhook delivery is carried out once, and work
 * claimed by a connector that then stops is taken over when its claim runs out.
 */
import type http from 'node:http';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type PersonEffect, RecordingChannel } from '../../src/ports/participant-channel.js';
import request from '../support/api-request.js';
import { type TestDatabase, testDatabases } from '../support/databases.js';
import { sampleDirectory, startTestApp, type TestApp, TestClock, testConfig } from '../support/test-app.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const kate = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' as const };
const billing = { kind: 'routing-point' as const, id: 'billing', name: 'Billing Experts' };

const sentBy = (...apps: TestApp[]) => apps.flatMap((t) => t.experts.sent);
const ofType = (sent: { id: string; effect: PersonEffect }[], type: PersonEffect['type']) =>
  sent.filter((s) => s.effect.type === type);

/** Polls `check` until it holds; fails after a while. */
async function eventually(check: () => boolean): Promise<void> {
  for (let n = 0; !check(); n++) {
    if (n > 400) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 25));
  }
}

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

/** Records what it is sent; the first preview waits until `open()` (an effect still being carried out). */
class GatedChannel extends RecordingChannel {
  #open: () => void = () => {};
  readonly #gate = new Promise<void>((resolve) => {
    this.#open = resolve;
  });
  #reached: () => void = () => {};
  /** Resolves when the first preview is being sent (and waits at the gate). */
  readonly reached = new Promise<void>((resolve) => {
    this.#reached = resolve;
  });
  #held = false;

  override async send(id: string, effect: PersonEffect): Promise<void> {
    if (effect.type === 'SendPreview' && !this.#held) {
      this.#held = true;
      this.#reached();
      await this.#gate;
    }
    await super.send(id, effect);
  }

  open(): void {
    this.#open();
  }
}

/** A started connector whose experts' channel is gated; the periodic wake-up is made too slow to matter. */
async function gatedConnector(url: string, clock: TestClock) {
  const experts = new GatedChannel();
  const agents = new RecordingChannel();
  const config = testConfig(`${sampleDirectory}scaleOut:\n  wakeEveryMs: 600000\n`, url);
  const t = await startTestApp(config, clock, {
    channels: { 'knowledge-worker': experts, agent: agents, customer: new RecordingChannel() },
  });
  t.app.start();
  return { ...t, experts, agents };
}

/**
 * Ann's preview is still being sent through `holder` when her Accept is committed through `committer`: the
 * Accept's effects wait for the preview, then run right after it, on the connector that sent it (not after a
 * periodic wake-up, which is ten minutes away here, nor after a lease runs out, which the test clock never lets).
 */
async function heldBehind(holder: Awaited<ReturnType<typeof gatedConnector>>, committer: TestApp): Promise<void> {
  await startIms(holder, 1);
  await holder.experts.reached;
  const accepted = await committer.app.commands.execute({
    type: 'Accept',
    interactionId: 'im-0',
    invitationId: 'v1',
    by: 'kw-ann',
  });
  expect(accepted.ok).toBe(true);
  await new Promise((r) => setTimeout(r, 200));
  // Nothing of the Accept ran ahead of the preview.
  expect(holder.experts.sent).toEqual([]);
  expect(committer.experts.sent).toEqual([]);
  holder.experts.open();
  await eventually(() => ofType(holder.experts.sent, 'UpdatePreview').length === 1);
  expect(holder.experts.sent.map((s) => s.effect.type)).toEqual(['SendPreview', 'UpdatePreview']);
  if (committer !== holder) expect(committer.experts.sent).toEqual([]);
  await holder.app.outbox.drain();
  expect(await holder.app.store.outboxCounts()).toEqual({ done: expect.any(Number) });
}

describe.each(testDatabases())('effects held behind earlier ones on $name', (database) => {
  const running: TestApp[] = [];
  afterAll(() => database.cleanup());
  afterEach(async () => {
    for (const t of running.splice(0)) await t.app.stop();
  });

  test("an interaction's effects committed while its earlier ones run here follow them at once, in order", async () => {
    const clock = new TestClock();
    const a = await gatedConnector(await database.create(), clock);
    running.push(a);
    await heldBehind(a, a);
  });

  if (database.name === 'postgres')
    test('effects committed through one connector behind effects the other runs follow them there', async () => {
      const clock = new TestClock();
      const url = await database.create();
      const a = await gatedConnector(url, clock);
      const b = await gatedConnector(url, clock);
      running.push(a, b);
      await heldBehind(a, b);
    });
});

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

    test('commands racing on one interaction through both are each applied once, and none is half-written', async () => {
      const clock = new TestClock();
      const { a, b } = await pair(clock);
      await startIms(a, 1);
      await a.app.outbox.drain();
      expect(
        (await b.app.commands.execute({ type: 'Accept', interactionId: 'im-0', invitationId: 'v1', by: 'kw-ann' })).ok,
      ).toBe(true);
      const before = await a.app.store.get('im-0');
      // Five at once: each attempt one of them wins, so none runs out of its five attempts.
      const texts = Array.from({ length: 5 }, (_, n) => `message ${n}`);
      const results = await Promise.all(
        texts.map((text, n) =>
          (n % 2 ? a : b).app.commands.execute({
            type: 'SendMessage',
            interactionId: 'im-0',
            from: n % 4 < 2 ? 'agent-kate' : 'kw-ann',
            text,
          }),
        ),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      const after = await b.app.store.get('im-0');
      // Every message once, each one revision, the transcript numbered without gaps.
      expect(after?.revision).toBe((before?.revision ?? 0) + 5);
      const said = after?.transcript.filter((e) => texts.includes(e.text)).map((e) => e.text) ?? [];
      expect([...said].sort()).toEqual([...texts].sort());
      expect(after?.transcript.map((e) => e.seq)).toEqual(after?.transcript.map((_, n) => n + 1));
      await Promise.all([a.app.outbox.drain(), b.app.outbox.drain()]);
      // Kate's to Ann in Teams, Ann's to Kate: each delivered once.
      const everyone = [...sentBy(a, b), ...a.agents.sent, ...b.agents.sent];
      const delivered = ofType(everyone, 'Deliver').filter((d) =>
        texts.some((t) => JSON.stringify(d.effect).includes(`"${t}"`)),
      );
      expect(delivered).toHaveLength(5);
      expect(await a.app.store.outboxCounts()).toEqual({ done: expect.any(Number) });
    });

    test('a session begun through one connector and ended through the other counts on both', async () => {
      const clock = new TestClock();
      const { a, b } = await pair(clock);
      a.app.start();
      b.app.start();
      await startIms(a, 1);
      await a.app.outbox.drain();
      expect(
        (await b.app.commands.execute({ type: 'Accept', interactionId: 'im-0', invitationId: 'v1', by: 'kw-ann' })).ok,
      ).toBe(true);
      await eventually(() => a.app.load.of('kw-ann') === 1 && b.app.load.of('kw-ann') === 1);
      // Routing on A now sees Ann busy: a second request goes to Leo.
      await a.app.commands.execute({
        type: 'StartIm',
        interactionId: 'im-1',
        initiator: kate,
        target: billing,
        text: 'Another',
      });
      await a.app.outbox.drain();
      expect((await a.app.store.get('im-1'))?.invitations.map((i) => i.target.id)).toEqual(['kw-leo']);
      expect((await a.app.commands.execute({ type: 'End', interactionId: 'im-0', by: 'agent-kate' })).ok).toBe(true);
      await eventually(() => a.app.load.of('kw-ann') === 0 && b.app.load.of('kw-ann') === 0);
    });

    test('each webhook delivery is posted once when both workers race for it', async () => {
      const clock = new TestClock();
      // The receiver listens on loopback.
      const { a, b } = await pair(clock, 'agentApi:\n  webhooks: { allowPrivateTargets: true }\n');
      const receiver = await startWebhookReceiver(a.app.http);
      servers.push(receiver.server);
      const platform = await a.app.agentSide.keys.create({
        contactCenter: 'default',
        agentId: null,
        label: 'Platform',
      });
      await request(a.app.http)
        .post('/api/v1/webhooks')
        .set({ authorization: `Bearer ${platform.key}` })
        .send({ url: receiver.url })
        .expect(201);
      for (let n = 0; n < 30; n++)
        await a.app.agentSide.publishKnowledgeWorkerState(
          'kw-eve',
          { kind: n % 2 ? 'Ready' : 'Busy' },
          clock.now() + n,
        );
      const rounds = await Promise.all([a.app.agentSide.webhooks.drain(), b.app.agentSide.webhooks.drain()]);
      expect(rounds[0].delivered + rounds[1].delivered).toBe(30);
      const received = receiver.received.map((r) => String(r.headers['webhook-id']));
      expect(received).toHaveLength(30);
      expect(new Set(received).size).toBe(30);
      expect(await b.app.agentSide.webhooks.counts()).toEqual({ delivered: 30 });
    });
  },
);
