/**
 * The lease primitive on both databases: compare-and-set acquire, renew and release; a lease moves to a live
 * replica when its owner stops renewing; keepers share a set of leases fairly and take over a dead replica's.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { LeaseStore } from '../../src/adapters/store/lease-store.js';
import { type OpenDatabase, openDatabase } from '../../src/adapters/store/open-database.js';
import { createLogger } from '../../src/logger.js';
import { LeaseKeeper } from '../../src/services/lease-keeper.js';
import { testDatabases } from '../support/databases.js';
import { TestClock } from '../support/test-app.js';

describe.each(testDatabases())('leases on $name', (database) => {
  let db: OpenDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });
  afterAll(() => database.cleanup());

  async function open() {
    db = await openDatabase({ url: await database.create() });
    const clock = new TestClock();
    return { clock, leases: new LeaseStore(db.db, clock) };
  }

  test('one holder at a time; the lease moves to a live replica when its owner stops renewing', async () => {
    const { clock, leases } = await open();
    expect(await leases.acquire('presence/shard-0', 'replica-a', 10_000)).toBe(true);
    expect(await leases.acquire('presence/shard-0', 'replica-b', 10_000)).toBe(false);
    expect(await leases.renew('presence/shard-0', 'replica-b', 10_000)).toBe(false);
    clock.advance(9_000);
    expect(await leases.renew('presence/shard-0', 'replica-a', 10_000)).toBe(true);
    clock.advance(9_000);
    expect(await leases.acquire('presence/shard-0', 'replica-b', 10_000)).toBe(false);
    expect((await leases.held('presence/')).map((l) => l.owner)).toEqual(['replica-a']);

    // A stops renewing: after the lease runs out, B takes it, and A's late renewal fails.
    clock.advance(10_000);
    expect(await leases.held('presence/')).toEqual([]);
    expect(await leases.acquire('presence/shard-0', 'replica-b', 10_000)).toBe(true);
    expect(await leases.renew('presence/shard-0', 'replica-a', 10_000)).toBe(false);
    expect(await leases.held('presence/')).toEqual([
      { name: 'presence/shard-0', owner: 'replica-b', expiresAt: clock.now() + 10_000, acquiredAt: clock.now() },
    ]);

    // Release frees it at once, but only for its holder.
    await leases.release('presence/shard-0', 'replica-a');
    expect(await leases.acquire('presence/shard-0', 'replica-a', 10_000)).toBe(false);
    await leases.release('presence/shard-0', 'replica-b');
    expect(await leases.acquire('presence/shard-0', 'replica-a', 10_000)).toBe(true);
  });

  test('keepers share the leases fairly and take over those of a replica that died', async () => {
    const { clock, leases } = await open();
    const logger = createLogger('silent');
    const names = ['shard-0', 'shard-1', 'shard-2', 'shard-3'];
    const events: string[] = [];
    const keeper = (owner: string) =>
      new LeaseKeeper({
        leases,
        owner,
        group: 'presence',
        names,
        ttlMs: 15_000,
        logger,
        onAcquired: (n) => events.push(`${owner}+${n}`),
        onLost: (n) => events.push(`${owner}-${n}`),
      });
    const a = keeper('a');
    const b = keeper('b');
    await a.tick();
    expect([...a.held]).toEqual(names);
    await b.tick();
    expect([...b.held]).toEqual([]);
    await a.tick(); // two members now: A hands two over
    await b.tick();
    expect([...a.held].sort()).toEqual(['shard-0', 'shard-1']);
    expect([...b.held].sort()).toEqual(['shard-2', 'shard-3']);

    // A dies (no more rounds). Its leases run out and B takes everything.
    clock.advance(15_000);
    await b.tick();
    expect([...b.held].sort()).toEqual(names);
    expect(events.filter((e) => e.startsWith('b+')).sort()).toEqual(names.map((n) => `b+${n}`));

    // A clean stop hands everything back at once.
    await b.stop();
    expect(await leases.held('presence/')).toEqual([]);
    expect(events.filter((e) => e.startsWith('b-'))).toHaveLength(4);
  });
});
