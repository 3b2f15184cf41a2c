/**
 * Replica signals between two replicas over an in-memory notification bus (what PostgreSQL LISTEN/NOTIFY does
 * between processes): a commit's time-out and a summary of the sessions it changed reach the other replica, batched
 * into one notification per topic per turn of the event loop; a replica never hears its own; appended events wake the
 * other replica's streams (and its webhook worker when deliveries were queued); changed conversation references and
 * revoked keys are named; a commit that made a request wait is told (`waits`); a malformed body or a reconnect makes
 * the other side re-read everything and its caches forget everything; long lists are cut into bodies that fit a
 * notification, losing nothing.
 */
import pino from 'pino';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { SessionSummary } from '../../src/domain/interaction/active-sessions.js';
import type { Interaction } from '../../src/domain/interaction/types.js';
import type { NotificationBus } from '../../src/ports/notification-bus.js';
import { chunks, ReplicaSignals } from '../../src/services/replica-signals.js';
import { captureLogs } from '../support/log-capture.js';

/** One database's notification channel: every bus attached hears every notification (the sender's included). */
class MemoryHub {
  readonly sent: { topic: string; payload: string }[] = [];
  readonly #buses: MemoryBus[] = [];

  bus(): MemoryBus {
    const bus = new MemoryBus(this);
    this.#buses.push(bus);
    return bus;
  }

  deliver(topic: string, payload: string): void {
    this.sent.push({ topic, payload });
    for (const bus of this.#buses) bus.receive(topic, payload);
  }

  /** Bodies (after the sender's id) sent on a topic. */
  bodies(topic: string): string[] {
    return this.sent.filter((n) => n.topic === topic).map((n) => n.payload.slice(n.payload.indexOf('\n') + 1));
  }
}

class MemoryBus implements NotificationBus {
  readonly #handlers = new Map<string, ((payload: string) => void)[]>();
  readonly #reconnects: (() => void)[] = [];
  constructor(private readonly hub: MemoryHub) {}
  on(topic: string, handler: (payload: string) => void): void {
    this.#handlers.set(topic, [...(this.#handlers.get(topic) ?? []), handler]);
  }
  onReconnect(handler: () => void): void {
    this.#reconnects.push(handler);
  }
  async notify(topic: string, payload: string): Promise<void> {
    this.hub.deliver(topic, payload);
  }
  async notifyAll(notifications: readonly { topic: string; payload: string }[]): Promise<void> {
    for (const n of notifications) this.hub.deliver(n.topic, n.payload);
  }
  receive(topic: string, payload: string): void {
    for (const handler of this.#handlers.get(topic) ?? []) handler(payload);
  }
  /** The listening connection came back. */
  reconnect(): void {
    for (const handler of this.#reconnects) handler();
  }
  isListening(): boolean {
    return true;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** What one replica's handlers were told. */
function heard(signals: ReplicaSignals) {
  const log = {
    events: 0,
    concerning: [] as (readonly (readonly [string, string])[] | null)[],
    webhooks: 0,
    recheck: 0,
    timeouts: [] as (number | null)[],
    sessions: [] as (readonly string[] | null)[],
    summaries: [] as SessionSummary[],
    keys: [] as (readonly string[] | null)[],
    refs: [] as (readonly string[] | null)[],
    reach: [] as (readonly string[] | null)[],
    waits: 0,
  };
  signals.on('waits', () => log.waits++);
  signals.on('sessionSummaries', (s) => log.summaries.push(...s));
  signals.on('keys', (ids) => log.keys.push(ids));
  signals.on('refs', (ids) => log.refs.push(ids));
  signals.on('reach', (ids) => log.reach.push(ids));
  signals.on('events', (c) => {
    log.events++;
    log.concerning.push(c);
  });
  signals.on('webhooks', () => log.webhooks++);
  signals.on('recheck', () => log.recheck++);
  signals.on('timeouts', (dueAt) => log.timeouts.push(dueAt));
  signals.on('sessions', (ids) => log.sessions.push(ids));
  return log;
}

/** Lets the current turn of the event loop end (and anything it scheduled with setImmediate run). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

/** An interaction as committed, with knowledge workers as parties (`connected` or `disconnected`). */
function interaction(id: string, revision: number, parties: [string, string][], ended = false): Interaction {
  return {
    id,
    revision,
    endedAt: ended ? T0 : null,
    parties: parties.map(([kw, status], n) => ({
      id: `p${n}`,
      person: { kind: 'knowledge-worker', id: kw },
      status,
    })),
  } as unknown as Interaction;
}

const quiet = {
  events: 0,
  concerning: [],
  webhooks: 0,
  recheck: 0,
  timeouts: [],
  sessions: [],
  summaries: [],
  keys: [],
  refs: [],
  reach: [],
  waits: 0,
};

describe('ReplicaSignals between two replicas', () => {
  const started: ReplicaSignals[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await s.stop();
  });

  function twoReplicas() {
    const hub = new MemoryHub();
    const busA = hub.bus();
    const busB = hub.bus();
    const logger = pino({ level: 'silent' });
    const a = new ReplicaSignals({ bus: busA, replicaId: 'replica-a', logger });
    const b = new ReplicaSignals({ bus: busB, replicaId: 'replica-b', logger });
    return { hub, busA, busB, a, b, heardA: heard(a), heardB: heard(b) };
  }

  test('commits of one turn reach the other replica as one notification per topic: the earliest time-out, the sessions as they stand', async () => {
    const { hub, a, heardA, heardB } = twoReplicas();
    a.committed({
      nextTimeoutAt: T0 + 30_000,
      sessionsChanged: ['kw-ann'],
      interactions: [interaction('ix-1', 2, [['kw-ann', 'connected']])],
    });
    a.committed({
      nextTimeoutAt: T0 + 10_000,
      sessionsChanged: ['kw-leo', 'kw-ann'],
      interactions: [
        interaction('ix-1', 3, [['kw-ann', 'disconnected']]),
        interaction('ix-2', 5, [
          ['kw-leo', 'connected'],
          ['kw-eve', 'connected'],
        ]),
      ],
    });
    await Promise.resolve(); // a commit resolved in between: still the same turn
    // A commit that changed no session tells nothing of its interaction.
    a.committed({ nextTimeoutAt: null, sessionsChanged: [], interactions: [interaction('ix-3', 1, [])] });
    await Promise.resolve();
    a.committed({ nextTimeoutAt: T0 + 20_000, sessionsChanged: [], interactions: [] });

    await vi.waitFor(() => expect(heardB.summaries).toHaveLength(2));
    await nextTurn();
    expect(heardB.timeouts).toEqual([T0 + 10_000]);
    // The newest revision of each interaction, with every knowledge worker and who of them is in a session.
    expect(heardB.summaries).toEqual([
      { interactionId: 'ix-1', revision: 3, knowledgeWorkers: ['kw-ann'], live: [] },
      { interactionId: 'ix-2', revision: 5, knowledgeWorkers: ['kw-leo', 'kw-eve'], live: ['kw-leo', 'kw-eve'] },
    ]);
    expect(heardB.sessions).toEqual([]);
    expect(hub.sent.map((n) => n.topic).sort()).toEqual(['sessions', 'timeouts']);
    // Nothing else woke B, and A never hears its own notifications.
    expect(heardB).toMatchObject({ events: 0, webhooks: 0, recheck: 0 });
    expect(heardA).toEqual(quiet);

    // The next turn's commits are a new batch.
    a.committed({ nextTimeoutAt: T0 + 50_000, sessionsChanged: [], interactions: [] });
    await vi.waitFor(() => expect(heardB.timeouts).toEqual([T0 + 10_000, T0 + 50_000]));
    expect(heardB.summaries).toHaveLength(2);
  });

  test('an ended interaction is told with no one in a session', async () => {
    const { a, heardB } = twoReplicas();
    a.committed({
      nextTimeoutAt: null,
      sessionsChanged: ['kw-ann'],
      interactions: [interaction('ix-9', 7, [['kw-ann', 'connected']], true)],
    });
    await vi.waitFor(() =>
      expect(heardB.summaries).toEqual([
        { interactionId: 'ix-9', revision: 7, knowledgeWorkers: ['kw-ann'], live: [] },
      ]),
    );
  });

  test('a list of ids (a summary too long for a notification, or an older replica) makes the other re-read them', async () => {
    const { busA, a, heardB } = twoReplicas();
    await busA.notify('sessions', 'replica-a\n["kw-ann","kw-leo"]');
    expect(heardB.sessions).toEqual([['kw-ann', 'kw-leo']]);
    const crowd = Array.from({ length: 300 }, (_, i): [string, string] => [`kw-${'x'.repeat(20)}-${i}`, 'connected']);
    const changed = [crowd[0]?.[0] ?? ''];
    a.committed({ nextTimeoutAt: null, sessionsChanged: changed, interactions: [interaction('ix-big', 2, crowd)] });
    await vi.waitFor(() => expect(heardB.sessions.slice(1).flat()).toHaveLength(300));
    expect(heardB.summaries).toEqual([]);
  });

  test('changed conversation references, reachability marks and revoked keys are named to the other replica, batched per turn', async () => {
    const { hub, a, heardA, heardB } = twoReplicas();
    a.referenceChanged('kw-ann');
    a.referenceChanged('kw-leo');
    a.referenceChanged('kw-ann');
    a.reachChanged('kw-eve');
    a.reachChanged('kw-eve');
    a.keyRevoked('key_1');
    await vi.waitFor(() => expect(heardB.keys).toEqual([['key_1']]));
    await nextTurn();
    expect(heardB.refs).toEqual([['kw-ann', 'kw-leo']]);
    expect(heardB.reach).toEqual([['kw-eve']]);
    expect(hub.sent.map((n) => n.topic).sort()).toEqual(['keys', 'reach', 'refs']);
    expect(heardA).toEqual(quiet);
  });
  test('a commit with neither a time-out nor a session tells nothing', async () => {
    const { hub, a } = twoReplicas();
    a.committed({ nextTimeoutAt: null, sessionsChanged: [], interactions: [] });
    await nextTurn();
    await nextTurn();
    expect(hub.sent).toEqual([]);
  });

  test('signals go both ways, each replica hearing only the other', async () => {
    const { a, b, heardA, heardB } = twoReplicas();
    a.committed({ nextTimeoutAt: T0 + 1_000, sessionsChanged: [], interactions: [] });
    b.committed({ nextTimeoutAt: T0 + 2_000, sessionsChanged: [], interactions: [] });
    await vi.waitFor(() => {
      expect(heardA.timeouts).toEqual([T0 + 2_000]);
      expect(heardB.timeouts).toEqual([T0 + 1_000]);
    });
  });

  test('appended events with webhook deliveries wake the other replica’s streams and webhook worker', async () => {
    const { hub, a, heardA, heardB } = twoReplicas();
    a.appended({ remote: false, deliveries: 2, concerns: [['default', 'agent-kate']] });
    a.appended({ remote: false, deliveries: 0, concerns: [['default', '*']] });
    await vi.waitFor(() => expect(heardB.webhooks).toBe(1));
    await nextTurn();
    expect(heardB.events).toBe(1);
    expect(hub.sent.map((n) => n.topic).sort()).toEqual(['events', 'webhooks']);
    expect(heardA).toMatchObject({ events: 0, webhooks: 0 });
  });

  test('appended events are told with whom they concern, each once; unknown concerns wake every stream', async () => {
    const { a, heardB } = twoReplicas();
    a.appended({ remote: false, deliveries: 0, concerns: [['default', 'agent-kate']] });
    a.appended({
      remote: false,
      deliveries: 0,
      concerns: [
        ['default', 'agent-kate'],
        ['north', '*'],
      ],
    });
    await vi.waitFor(() => expect(heardB.events).toBe(1));
    expect(heardB.concerning).toEqual([
      [
        ['default', 'agent-kate'],
        ['north', '*'],
      ],
    ]);
    a.appended({ remote: false, deliveries: 0, concerns: [['default', '']] });
    a.appended({ remote: false, deliveries: 0, concerns: null });
    await vi.waitFor(() => expect(heardB.events).toBe(2));
    expect(heardB.concerning[1]).toBeNull();
  });

  test('appended events without deliveries wake only the streams', async () => {
    const { a, heardB } = twoReplicas();
    a.appended({ remote: false, deliveries: 0, concerns: [['default', '*']] });
    await vi.waitFor(() => expect(heardB.events).toBe(1));
    await nextTurn();
    expect(heardB.webhooks).toBe(0);
  });

  test('an append noticed from another replica tells nothing', async () => {
    const { hub, a, heardB } = twoReplicas();
    a.appended({ remote: true, deliveries: 3, concerns: null });
    await nextTurn();
    await nextTurn();
    expect(hub.sent).toEqual([]);
    expect(heardB).toMatchObject({ events: 0, webhooks: 0 });
  });

  test('a sessions body that is not JSON makes the other replica re-read everyone’s load', async () => {
    const { busA, heardB } = twoReplicas();
    await busA.notify('sessions', 'replica-a\n["kw-ann", truncated');
    expect(heardB.sessions).toEqual([null]);
  });

  test('a sessions body that is JSON but not a list of ids makes the other replica re-read everyone’s load', async () => {
    const { busA, heardB } = twoReplicas();
    await busA.notify('sessions', 'replica-a\n{"kw":1}');
    await busA.notify('sessions', 'replica-a\n"kw-ann"');
    await busA.notify('sessions', 'replica-a\n[1,null]');
    await busA.notify('sessions', 'replica-a\n[["ix-1","2",[],[]]]');
    expect(heardB.sessions).toEqual([null, null, null, null]);
    expect(heardB.summaries).toEqual([]);
  });

  test('a handler that throws is logged and the handlers after it still run', async () => {
    const hub = new MemoryHub();
    const { logger, records } = captureLogs();
    const signals = new ReplicaSignals({ bus: hub.bus(), replicaId: 'replica-b', logger });
    let after = 0;
    signals.on('events', () => {
      throw new Error('stream gone');
    });
    signals.on('events', () => {
      after++;
    });
    await hub.bus().notify('events', 'replica-a\n');
    expect(after).toBe(1);
    expect(records.filter((r) => r.msg === 'a replica signal handler failed')).toHaveLength(1);
  });

  test('a time-out body that is not a time makes the other replica re-read', async () => {
    const { busA, heardB } = twoReplicas();
    await busA.notify('timeouts', 'replica-a\nsoon');
    await busA.notify('timeouts', 'replica-a\n');
    expect(heardB.timeouts).toEqual([null, null]);
  });

  test('a reconnect wakes everything, makes every session be re-read and every cache forget everything', () => {
    const { busB, heardA, heardB } = twoReplicas();
    busB.reconnect();
    expect(heardB).toEqual({
      ...quiet,
      events: 1,
      concerning: [null],
      webhooks: 1,
      recheck: 1,
      timeouts: [null],
      sessions: [null],
      keys: [null],
      refs: [null],
      reach: [null],
      waits: 1,
    });
    expect(heardA).toEqual(quiet);
  });

  test('starting to listen makes the reachability marks be re-read (they were read before anything was heard)', async () => {
    const signals = new ReplicaSignals({
      bus: new MemoryHub().bus(),
      replicaId: 'replica-c',
      logger: pino({ level: 'silent' }),
    });
    const heardC = heard(signals);
    started.push(signals);
    await signals.start();
    expect(heardC).toEqual({ ...quiet, reach: [null] });
  });

  test('a commit that made a request wait tells the other replica (once per turn); other commits do not', async () => {
    const { hub, a, heardA, heardB } = twoReplicas();
    const waitExpiry = {
      type: 'ScheduleWaitExpiry',
      interactionId: 'ix-1',
      requestId: 'r1',
      dueAt: T0 + 60_000,
    } as const;
    a.committed({ nextTimeoutAt: T0 + 60_000, sessionsChanged: [], interactions: [], emitted: [waitExpiry] });
    a.committed({
      nextTimeoutAt: T0 + 90_000,
      sessionsChanged: [],
      interactions: [],
      emitted: [{ ...waitExpiry, interactionId: 'ix-2' }],
    });
    await vi.waitFor(() => expect(heardB.waits).toBe(1));
    await nextTurn();
    a.committed({ nextTimeoutAt: T0 + 30_000, sessionsChanged: [], interactions: [], emitted: [] });
    await vi.waitFor(() => expect(heardB.timeouts).toEqual([T0 + 60_000, T0 + 30_000]));
    await nextTurn();
    expect(heardB.waits).toBe(1);
    expect(hub.bodies('waits')).toEqual(['']);
    expect(heardA.waits).toBe(0);
  });

  test('the periodic recheck wakes everything', async () => {
    const signals = new ReplicaSignals({
      bus: new MemoryHub().bus(),
      replicaId: 'replica-c',
      logger: pino({ level: 'silent' }),
      recheckMs: 10,
    });
    const heardC = heard(signals);
    started.push(signals);
    await signals.start();
    await vi.waitFor(() => expect(heardC.recheck).toBeGreaterThanOrEqual(2));
    expect(heardC.events).toBeGreaterThanOrEqual(2);
    expect(heardC.webhooks).toBeGreaterThanOrEqual(2);
    expect(heardC.timeouts).toContain(null);
  });

  test('many sessions changed at once are cut into notifications that fit, and none is lost', async () => {
    const { hub, a, heardB } = twoReplicas();
    const ids = Array.from({ length: 600 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    a.committed({
      nextTimeoutAt: null,
      sessionsChanged: ids,
      interactions: ids.map((id, i) => interaction(`ix-${i}`, 2, [[id, 'connected']])),
    });
    await vi.waitFor(() => expect(heardB.summaries).toHaveLength(ids.length));
    const bodies = hub.bodies('sessions');
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(7_000);
    expect(heardB.summaries.flatMap((s) => s.live)).toEqual(ids);
    // The whole payload (replica id, newline, body) fits PostgreSQL's 8,000-byte limit.
    for (const n of hub.sent) expect(Buffer.byteLength(n.payload)).toBeLessThan(8_000);
  });
});

describe('chunks', () => {
  test('cuts ids so each JSON body stays within the limit, in order, losing none', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `kw-${'x'.repeat(i % 7)}${i}`);
    for (const max of [20, 40, 64, 100, 1_000]) {
      const cut = chunks(ids, max);
      expect(cut.flat()).toEqual(ids);
      for (const chunk of cut) {
        expect(chunk.length).toBeGreaterThan(0);
        expect(JSON.stringify(chunk).length).toBeLessThanOrEqual(max);
      }
    }
  });

  test('fills each body as far as the limit allows', () => {
    // ["a1","a2"] is 11 characters and ["a1","a2","a3"] 16; chunks keeps one character to spare.
    expect(chunks(['a1', 'a2', 'a3', 'a4', 'a5'], 12)).toEqual([['a1', 'a2'], ['a3', 'a4'], ['a5']]);
    expect(chunks(['a1', 'a2', 'a3'], 17)).toEqual([['a1', 'a2', 'a3']]);
  });

  test('counts UTF-8 bytes, as PostgreSQL counts its payload, and leaves out an id no body can hold', () => {
    const ids = ['ü'.repeat(10), 'é'.repeat(10), 'x'.repeat(100)];
    const cut = chunks(ids, 40);
    expect(cut).toEqual([['ü'.repeat(10)], ['é'.repeat(10)]]);
    for (const chunk of cut) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThanOrEqual(40);
  });

  test('no ids, no bodies', () => {
    expect(chunks([])).toEqual([]);
  });
});
