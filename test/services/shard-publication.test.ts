/**
 * Publishing presence changes when replicas share the directory: the replica holding a shard publishes its users'
 * changes following what was last published (the snapshots in the database), so a shard taken over neither
 * repeats a state nor records a period twice, and a change that happened while no one held the shard is published
 * when it is taken on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { connectorMigrations } from '../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../src/adapters/store/open-database.js';
import { SqlPresenceHistoryStore } from '../../src/adapters/store/sql-presence-stores.js';
import { READY } from '../../src/domain/presence/agent-state.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../../src/domain/presence/presence-tracker.js';
import { historyRecordFor, type StateChange } from '../../src/domain/presence/state-change.js';
import { ShardPublication } from '../../src/services/shard-publication.js';

const ann = 'kw-ann';
const leo = 'kw-leo';
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

describe('publishing the changes of held presence shards', () => {
  let db: OpenDatabase | undefined;
  afterEach(async () => db?.close());

  /** A replica's view: a fresh tracker, the shared history store, and its publication (what it published). */
  async function replica(database: OpenDatabase) {
    const tracker = new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 600_000 });
    for (const id of [ann, leo]) tracker.track(id, T0);
    const history = new SqlPresenceHistoryStore(database);
    const publication = new ShardPublication({ snapshotsOf: (ids) => history.snapshotsOf(ids), tracker });
    const published: StateChange[] = [];
    const publish = async (changes: readonly StateChange[]) => {
      published.push(...changes);
      await history.record(
        changes.map(historyRecordFor),
        changes.map((c) => ({ userId: c.userId, state: c.to, since: c.at })),
      );
    };
    const observe = (userId: string, availability: string, activity: string, at: number) =>
      tracker.apply({ userId, availability, activity, observedAt: at, source: 'poll' }, at).change;
    return { tracker, history, publication, published, publish, observe };
  }

  async function open() {
    db = await openDatabase({
      url: path.join(mkdtempSync(path.join(tmpdir(), 'ucc-')), 'connector.db'),
      migrations: connectorMigrations,
    });
    return db;
  }

  test('a shard taken over publishes nothing again, and the changes after continue from the last published state', async () => {
    const database = await open();
    const first = await replica(database);
    expect(await first.publication.take([ann, leo], () => true)).toEqual([]);
    await first.publish(
      first.publication.filter(
        [first.observe(ann, 'Available', 'Available', T0 + 1_000)].flatMap((c) => (c ? [c] : [])),
      ),
    );
    expect(first.published.map((c) => [c.userId, c.to.kind])).toEqual([[ann, 'ready']]);

    // The first replica dies; a second one, started later, takes the shard over. Its first poll sees Ann Ready:
    // that is what was published already, so nothing is published.
    const second = await replica(database);
    const change = second.observe(ann, 'Available', 'Available', T0 + 60_000);
    expect(change?.to).toEqual(READY);
    expect(await second.publication.take([ann, leo], () => true)).toEqual([]);
    expect(second.publication.filter(change ? [change] : [])).toEqual([]);

    // Ann goes away: the change closes the Ready period that began when the first replica published it.
    const away = second.observe(ann, 'Away', 'BeRightBack', T0 + 120_000);
    const published = second.publication.filter(away ? [away] : []);
    expect(published).toEqual([
      expect.objectContaining({ userId: ann, from: READY, previousSince: T0 + 1_000, at: T0 + 120_000 }),
    ]);
    await second.publish(published);
    expect(
      (await second.history.historyOf(ann, 0, T0 + 200_000)).map((h) => [h.state.kind, h.startedAt, h.endedAt]),
    ).toEqual([
      ['unknown', T0, T0 + 1_000],
      ['ready', T0 + 1_000, T0 + 120_000],
    ]);
  });

  test('a change made while no one held the shard is published when it is taken on; users not held are not', async () => {
    const database = await open();
    const first = await replica(database);
    await first.publication.take([ann], () => true);
    const ready = first.observe(ann, 'Available', 'Available', T0 + 1_000);
    await first.publish(first.publication.filter(ready ? [ready] : []));

    // Another replica learnt (from a notification shared with it) that Ann went away, while holding no shard.
    const second = await replica(database);
    second.observe(ann, 'Available', 'Available', T0 + 2_000);
    const away = second.observe(ann, 'Away', 'BeRightBack', T0 + 30_000);
    const leoReady = second.observe(leo, 'Available', 'Available', T0 + 30_000);
    expect(second.publication.filter([away, leoReady].flatMap((c) => (c ? [c] : [])))).toEqual([]);

    // It takes Ann's shard on: her change is published, from the state the first replica published.
    const taken = await second.publication.take([ann], () => true);
    expect(taken).toEqual([
      expect.objectContaining({ userId: ann, from: READY, to: expect.objectContaining({ kind: 'not-ready' }) }),
    ]);
    expect(taken[0]?.previousSince).toBe(T0 + 1_000);

    // A shard lost while its snapshots were read is not taken on.
    const third = await replica(database);
    third.observe(leo, 'Busy', 'InACall', T0 + 40_000);
    expect(await third.publication.take([leo], () => false)).toEqual([]);
    const busy = third.observe(leo, 'Away', 'Away', T0 + 50_000);
    expect(third.publication.filter(busy ? [busy] : [])).toEqual([]);
  });
});
