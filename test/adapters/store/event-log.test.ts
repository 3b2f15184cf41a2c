/**
 * The event log: ids increase in the order events are appended, an event appended twice (by source) is kept once,
 * and each new event queues a delivery for every webhook endpoint of its contact center that wants its type. On
 * PostgreSQL, several replicas (each with its own connection pool) append to two contact centers at once while a
 * reader of each contact center keeps reading after the last id it saw, as an SSE stream resuming with
 * `Last-Event-ID` does: every reader gets every event of its contact center, once, in increasing order, and a fresh
 * stream starts after the last event of its contact center. A stream is woken only by appends it would read.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { agentApiDb } from '../../../src/adapters/store/agent-api-schema.js';
import { connectorMigrations } from '../../../src/adapters/store/connector-migrations.js';
import {
  type AgentEvent,
  concernOf,
  concerns,
  EventLog,
  type NewAgentEvent,
} from '../../../src/adapters/store/event-log.js';
import { type OpenDatabase, openDatabase } from '../../../src/adapters/store/open-database.js';
import { WebhookSubscriptions } from '../../../src/adapters/webhooks/webhook-subscriptions.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

const event = (sourceId: string, contactCenter = 'default', type = 'message'): NewAgentEvent => ({
  sourceId,
  contactCenter,
  agentId: 'agent-kate',
  audience: 'agent',
  type,
  interactionId: 'im-1',
  data: { text: sourceId },
});

describe.each(testDatabases())('the event log on $name', (database) => {
  const clock = new TestClock();
  const opened: OpenDatabase[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
  });
  afterAll(() => database.cleanup());

  const open = async (url: string) => {
    const db = await openDatabase({ url, migrations: connectorMigrations });
    opened.push(db);
    return db;
  };

  test('ids increase in append order; a source appended twice is kept once; deliveries follow the endpoints', async () => {
    const db = await open(await database.create());
    const log = new EventLog(agentApiDb(db.db), clock);
    const hooks = new WebhookSubscriptions(agentApiDb(db.db), clock);
    const all = await hooks.create('default', 'https://hooks.contoso.com/all', []);
    const messages = await hooks.create('default', 'https://hooks.contoso.com/messages', ['message']);
    const gone = await hooks.create('default', 'https://hooks.contoso.com/gone', []);
    await hooks.remove('default', gone.id);
    await hooks.create('north', 'https://hooks.contoso.com/north', []);

    expect(
      await log.append([event('e1'), event('e2', 'default', 'interaction.ended'), event('e3', 'north'), event('e1')]),
    ).toBe(3);
    expect(await log.append([event('e2'), event('e4')])).toBe(1);

    const read = await log.read({ contactCenter: 'default', agentId: null }, 0);
    expect(read.map((e) => e.data.text)).toEqual(['e1', 'e2', 'e4']);
    const seqs = read.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(await log.lastSeq('default')).toBe(seqs.at(-1));
    expect(await log.lastSeq('north')).toBeLessThan(seqs.at(-1) ?? 0);
    expect(await log.lastSeq('south')).toBe(0);

    const deliveries = await agentApiDb(db.db)
      .selectFrom('webhook_deliveries')
      .select(['subscription_id', 'event_seq', 'status'])
      .execute();
    const bySeq = new Map(read.map((e) => [e.seq, String(e.data.text)]));
    const queued = deliveries
      .filter((d) => bySeq.has(Number(d.event_seq)))
      .map((d) => [d.subscription_id, bySeq.get(Number(d.event_seq)), d.status])
      .sort();
    expect(queued).toEqual(
      [
        [all.id, 'e1', 'pending'],
        [all.id, 'e2', 'pending'],
        [all.id, 'e4', 'pending'],
        [messages.id, 'e1', 'pending'],
        [messages.id, 'e4', 'pending'],
      ].sort(),
    );
    // The north endpoint got north's event only.
    expect(deliveries).toHaveLength(6);
  });

  if (database.name === 'postgres')
    test('replicas appending at once: a reader after the last id it saw misses nothing of its contact center', async () => {
      const url = await database.create();
      const replicas = await Promise.all([1, 2, 3, 4].map(() => open(url)));
      const logs = replicas.map((r) => new EventLog(agentApiDb(r.db), clock));
      const reader = new EventLog(agentApiDb((await open(url)).db), clock);
      const centers = ['default', 'north'];
      let appending = true;

      /** Reads after the last id seen, over and over, as a stream does, until the appends are over. */
      const follow = async (contactCenter: string) => {
        const seen: AgentEvent[] = [];
        let last = 0;
        for (let done = false; !done; ) {
          done = !appending; // one more read after the last append has committed
          for (;;) {
            const batch = await reader.read({ contactCenter, agentId: null }, last);
            if (batch.length === 0) break;
            seen.push(...batch);
            last = batch.at(-1)?.seq ?? last;
          }
        }
        return seen;
      };
      const readers = centers.map(follow);
      // Each replica appends batches of 1 to 3 events to both contact centers, never waiting for the others.
      await Promise.all(
        logs.map(async (log, r) => {
          for (let n = 0; n < 60; n++) {
            const size = 1 + (n % 3);
            const batch = Array.from({ length: size }, (_, k) => event(`r${r}-${n}-${k}`, centers[(n + k + r) % 2]));
            await log.append(batch);
          }
        }),
      );
      appending = false;
      const [seenDefault, seenNorth] = await Promise.all(readers);

      for (const [contactCenter, seen] of [
        ['default', seenDefault],
        ['north', seenNorth],
      ] as const) {
        const stored = await reader.read({ contactCenter, agentId: null }, 0, 10_000);
        expect(stored.length).toBeGreaterThan(100);
        // Everything stored, each once, in increasing order.
        expect(seen?.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
        const seqs = stored.map((e) => e.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      }
      // A fresh stream of a contact center starts after its newest event.
      const newestNorth = (await reader.read({ contactCenter: 'north', agentId: null }, 0, 10_000)).at(-1)?.seq;
      expect(await reader.lastSeq('north')).toBe(newestNorth);
    });
});

describe('which streams an append wakes', () => {
  const kate = { contactCenter: 'default', agentId: 'agent-kate' };
  const platform = { contactCenter: 'default', agentId: null };
  const toKate = concernOf({ contactCenter: 'default', audience: 'agent', agentId: 'agent-kate' });
  const toJim = concernOf({ contactCenter: 'default', audience: 'agent', agentId: 'agent-jim' });
  const toAll = concernOf({ contactCenter: 'default', audience: 'broadcast', agentId: null });
  const toPlatform = concernOf({ contactCenter: 'default', audience: 'platform', agentId: null });
  const toNorth = concernOf({ contactCenter: 'north', audience: 'broadcast', agentId: null });

  test("an agent's stream: their own events and broadcasts of their contact center", () => {
    expect(concerns(kate, [toKate])).toBe(true);
    expect(concerns(kate, [toJim, toAll])).toBe(true);
    expect(concerns(kate, [toJim, toPlatform, toNorth])).toBe(false);
  });

  test("the platform's stream: every event of its contact center", () => {
    expect(concerns(platform, [toJim])).toBe(true);
    expect(concerns(platform, [toPlatform])).toBe(true);
    expect(concerns(platform, [toNorth])).toBe(false);
  });

  test('unknown concerns wake every stream', () => {
    expect(concerns(kate, null)).toBe(true);
    expect(concerns({ contactCenter: 'north', agentId: 'agent-ola' }, null)).toBe(true);
  });
});
