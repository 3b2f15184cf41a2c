/**
 * Replica signals between two replicas over an in-memory notification bus (what PostgreSQL LISTEN/NOTIFY does
 * between processes): a commit's time-out and changed sessions reach the other replica, batched into one notification
 * per topic per turn of the event loop; a replica never hears its own; appended events wake the other replica's
 * streams (and its webhook worker when deliveries were queued); a malformed body or a reconnect makes the other side
 * re-read everything; long lists of sessions are cut into bodies that fit a notification, losing no id.
 */
import pino from 'pino';
import { afterEach, describe, expect, test, vi } from 'vitest';
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
  receive(topic: string, payload: string): void {
    for (const handler of this.#handlers.get(topic) ?? []) handler(payload);
  }
  /** The listening connection came back. */
  reconnect(): void {
    for (const handler of this.#reconnects) handler();
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** What one replica's handlers were told. */
function heard(signals: ReplicaSignals) {
  const log = {
    events: 0,
    webhooks: 0,
    recheck: 0,
    timeouts: [] as (number | null)[],
    sessions: [] as (readonly string[] | null)[],
  };
  signals.on('events', () => log.events++);
  signals.on('webhooks', () => log.webhooks++);
  signals.on('recheck', () => log.recheck++);
  signals.on('timeouts', (dueAt) => log.timeouts.push(dueAt));
  signals.on('sessions', (ids) => log.sessions.push(ids));
  return log;
}

/** Lets the current turn of the event loop end (and anything it scheduled with setImmediate run). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

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

  test('commits of one turn reach the other replica as one notification per topic: the earliest time-out, every session', async () => {
    const { hub, a, heardA, heardB } = twoReplicas();
    a.committed({ nextTimeoutAt: T0 + 30_000, sessionsChanged: ['kw-ann'] });
    a.committed({ nextTimeoutAt: T0 + 10_000, sessionsChanged: ['kw-leo', 'kw-ann'] });
    await Promise.resolve(); // a commit resolved in between: still the same turn
    a.committed({ nextTimeoutAt: null, sessionsChanged: ['kw-eve'] });
    await Promise.resolve();
    a.committed({ nextTimeoutAt: T0 + 20_000, sessionsChanged: [] });

    await vi.waitFor(() => expect(heardB.sessions).toHaveLength(1));
    await nextTurn();
    expect(heardB.timeouts).toEqual([T0 + 10_000]);
    expect(heardB.sessions).toEqual([['kw-ann', 'kw-leo', 'kw-eve']]);
    expect(hub.sent.map((n) => n.topic).sort()).toEqual(['sessions', 'timeouts']);
    // Nothing else woke B, and A never hears its own notifications.
    expect(heardB).toMatchObject({ events: 0, webhooks: 0, recheck: 0 });
    expect(heardA).toEqual({ events: 0, webhooks: 0, recheck: 0, timeouts: [], sessions: [] });

    // The next turn's commits are a new batch.
    a.committed({ nextTimeoutAt: T0 + 50_000, sessionsChanged: [] });
    await vi.waitFor(() => expect(heardB.timeouts).toEqual([T0 + 10_000, T0 + 50_000]));
    expect(heardB.sessions).toHaveLength(1);
  });

  test('a commit with neither a time-out nor a session tells nothing', async () => {
    const { hub, a } = twoReplicas();
    a.committed({ nextTimeoutAt: null, sessionsChanged: [] });
    await nextTurn();
    await nextTurn();
    expect(hub.sent).toEqual([]);
  });

  test('signals go both ways, each replica hearing only the other', async () => {
    const { a, b, heardA, heardB } = twoReplicas();
    a.committed({ nextTimeoutAt: T0 + 1_000, sessionsChanged: [] });
    b.committed({ nextTimeoutAt: T0 + 2_000, sessionsChanged: [] });
    await vi.waitFor(() => {
      expect(heardA.timeouts).toEqual([T0 + 2_000]);
      expect(heardB.timeouts).toEqual([T0 + 1_000]);
    });
  });

  test('appended events with webhook deliveries wake the other replica’s streams and webhook worker', async () => {
    const { hub, a, heardA, heardB } = twoReplicas();
    a.appended({ remote: false, deliveries: 2 });
    a.appended({ remote: false, deliveries: 0 });
    await vi.waitFor(() => expect(heardB.webhooks).toBe(1));
    await nextTurn();
    expect(heardB.events).toBe(1);
    expect(hub.sent.map((n) => n.topic).sort()).toEqual(['events', 'webhooks']);
    expect(heardA).toMatchObject({ events: 0, webhooks: 0 });
  });

  test('appended events without deliveries wake only the streams', async () => {
    const { a, heardB } = twoReplicas();
    a.appended({ remote: false, deliveries: 0 });
    await vi.waitFor(() => expect(heardB.events).toBe(1));
    await nextTurn();
    expect(heardB.webhooks).toBe(0);
  });

  test('an append noticed from another replica tells nothing', async () => {
    const { hub, a, heardB } = twoReplicas();
    a.appended({ remote: true, deliveries: 3 });
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
    expect(heardB.sessions).toEqual([null, null, null]);
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

  test('a reconnect wakes everything and makes every session be re-read', () => {
    const { busB, heardA, heardB } = twoReplicas();
    busB.reconnect();
    expect(heardB).toEqual({ events: 1, webhooks: 1, recheck: 1, timeouts: [null], sessions: [null] });
    expect(heardA).toEqual({ events: 0, webhooks: 0, recheck: 0, timeouts: [], sessions: [] });
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
    a.committed({ nextTimeoutAt: null, sessionsChanged: ids });
    await vi.waitFor(() => expect(heardB.sessions.flat()).toHaveLength(ids.length));
    const bodies = hub.bodies('sessions');
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(7_000);
    expect(heardB.sessions.flat()).toEqual(ids);
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
