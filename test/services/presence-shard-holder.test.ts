/**
 * The presence shard holder alone (one process, SQLite): it holds every planned shard and the late joiners' shard,
 * so knowledge workers tracked after start (new Entra group members) are polled at once. `track` starts tracking new
 * users and, alone and started, re-cuts the subscriptions over every tracked user when the tracker grew; `setLoad`
 * makes a user at their session limit Busy and publishes it; `setRules` publishes the states new rules change.
 */
import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { BUSY, notReady, READY, UNKNOWN } from '../../src/domain/presence/agent-state.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../src/domain/presence/mapping-rules.js';
import { planShards } from '../../src/domain/presence/presence-shards.js';
import { PresenceTracker } from '../../src/domain/presence/presence-tracker.js';
import type { StateChange } from '../../src/domain/presence/state-change.js';
import type {
  ForwardedLifecycle,
  PresenceCoordination,
  PresenceCoordinationEvents,
} from '../../src/ports/presence/presence-coordination.js';
import {
  LATE_JOINERS_SHARD,
  PresenceShardHolder,
  type ShardSubscriptions,
} from '../../src/services/presence-shard-holder.js';

function aloneHolder() {
  const due: string[][] = [];
  const holder = new PresenceShardHolder({
    shards: planShards(['u1', 'u2', 'u3'], 2),
    tracker: new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 600_000 }),
    clock: { now: () => 0 },
    coordination: null,
    publication: null,
    subscriptions: null,
    markDue: (ids) => due.push([...ids]),
    publish: () => {},
    logger: pino({ level: 'silent' }),
  });
  return { holder, due };
}

describe('PresenceShardHolder alone', () => {
  test('holds every planned shard and the late joiners’ shard, and polls their users', () => {
    const { holder, due } = aloneHolder();
    holder.start();
    expect(holder.held()).toEqual(['shard-0', 'shard-1', LATE_JOINERS_SHARD]);
    expect([...holder.users()].sort()).toEqual(['u1', 'u2', 'u3']);
    expect(due.flat().sort()).toEqual(['u1', 'u2', 'u3']);
  });

  test('users tracked after start are polled at once, once, and known users are not added twice', () => {
    const { holder, due } = aloneHolder();
    holder.start();
    due.length = 0;
    holder.addLateJoiners(['u4', 'u2', 'u4']);
    expect(due).toEqual([['u4']]);
    holder.addLateJoiners(['u4']);
    expect(due).toEqual([['u4']]);
    expect([...holder.users()].sort()).toEqual(['u1', 'u2', 'u3', 'u4']);
  });

  test('users tracked before start join the late joiners’ shard and are polled when it is held', () => {
    const { holder, due } = aloneHolder();
    holder.addLateJoiners(['u9']);
    expect(due).toEqual([]);
    holder.start();
    expect([...holder.users()]).toContain('u9');
    expect(due.flat()).toContain('u9');
  });
});

/** The subscription manager's side, in memory: what it was asked to plan, hold and re-cut. */
class RecordingSubscriptions implements ShardSubscriptions {
  readonly planned: string[][] = [];
  readonly held: number[] = [];
  readonly assigned: string[][] = [];
  shardCount = 0;
  plan(userIds: readonly string[]): void {
    this.planned.push([...userIds]);
    this.shardCount = userIds.length > 0 ? 1 : 0;
  }
  async hold(n: number): Promise<void> {
    this.held.push(n);
  }
  release(): void {}
  async handleLifecycle(_item: ForwardedLifecycle): Promise<boolean> {
    return true;
  }
  async assign(userIds: readonly string[]): Promise<void> {
    this.assigned.push([...userIds].sort());
  }
}

/** A coordination among replicas that hands this one every shard at start. */
class EverythingHere implements PresenceCoordination {
  start(shards: readonly string[], events: PresenceCoordinationEvents): void {
    for (const name of shards) events.acquired(name);
  }
  share(): void {}
  forwardLifecycle(): void {}
  async stop(): Promise<void> {}
}

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

function holderWith(options: { coordination?: PresenceCoordination } = {}) {
  const clock = { at: T0 };
  const tracker = new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 600_000 });
  for (const id of ['u1', 'u2', 'u3']) tracker.track(id, T0);
  const due: string[][] = [];
  const published: StateChange[] = [];
  const subscriptions = new RecordingSubscriptions();
  const holder = new PresenceShardHolder({
    shards: planShards(['u1', 'u2', 'u3'], 2),
    tracker,
    clock: { now: () => clock.at },
    coordination: options.coordination ?? null,
    publication: null,
    subscriptions,
    markDue: (ids) => due.push([...ids]),
    publish: (changes) => published.push(...changes),
    logger: pino({ level: 'silent' }),
  });
  const observe = (userId: string, availability: string, activity: string) =>
    tracker.apply({ userId, availability, activity, observedAt: clock.at, source: 'poll' }, clock.at).change;
  return { holder, tracker, clock, due, published, subscriptions, observe };
}

describe('PresenceShardHolder.track', () => {
  test('new knowledge workers are tracked, polled at once, and the subscriptions re-cut over every tracked user', () => {
    const { holder, tracker, due, subscriptions } = holderWith();
    holder.start();
    expect(subscriptions.planned).toEqual([['u1', 'u2', 'u3']]);
    due.length = 0;

    holder.track(['u4', 'u2', 'u5']);
    expect(tracker.published('u4')).toEqual({ state: UNKNOWN, since: T0, observed: false });
    expect(tracker.size).toBe(5);
    expect(due).toEqual([['u4', 'u5']]);
    expect([...holder.users()].sort()).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(subscriptions.assigned).toEqual([['u1', 'u2', 'u3', 'u4', 'u5']]);
  });

  test('tracking only known users changes nothing: no poll, no re-cut', () => {
    const { holder, tracker, due, subscriptions } = holderWith();
    holder.start();
    due.length = 0;
    holder.track(['u1', 'u3']);
    holder.track([]);
    expect(tracker.size).toBe(3);
    expect(due).toEqual([]);
    expect(subscriptions.assigned).toEqual([]);
  });

  test('the iterable is read once: a one-shot iterator of ids tracks and polls them all', () => {
    const { holder, due, subscriptions } = holderWith();
    holder.start();
    due.length = 0;
    const ids = new Map([
      ['u6', 1],
      ['u7', 2],
    ]).keys();
    holder.track(ids);
    expect(due).toEqual([['u6', 'u7']]);
    expect([...holder.users()]).toEqual(expect.arrayContaining(['u6', 'u7']));
    expect(subscriptions.assigned).toEqual([['u1', 'u2', 'u3', 'u6', 'u7']]);
  });

  test('before start, new users are tracked but neither polled nor re-cut; start polls them', () => {
    const { holder, tracker, due, subscriptions } = holderWith();
    holder.track(['u4']);
    expect(tracker.size).toBe(4);
    expect(due).toEqual([]);
    expect(subscriptions.assigned).toEqual([]);
    holder.start();
    expect(due.flat()).toContain('u4');
  });

  test('with replicas, the subscriptions are never re-cut at run time: the late joiners’ shard is polled instead', () => {
    const { holder, due, subscriptions } = holderWith({ coordination: new EverythingHere() });
    holder.start();
    expect(holder.held()).toEqual(['shard-0', 'shard-1', LATE_JOINERS_SHARD]);
    due.length = 0;
    holder.track(['u4']);
    expect(due).toEqual([['u4']]);
    expect(subscriptions.assigned).toEqual([]);
  });
});

describe('PresenceShardHolder.setLoad and setRules', () => {
  test('a Ready knowledge worker at the session limit becomes Busy, and Ready again when the session ends', () => {
    const { holder, clock, published, observe } = holderWith();
    holder.start();
    expect(observe('u1', 'Available', 'Available')?.to).toEqual(READY);

    clock.at = T0 + 10_000;
    holder.setLoad('u1', 1);
    expect(published).toEqual([
      { userId: 'u1', from: READY, to: BUSY, previousSince: T0, at: T0 + 10_000, cause: 'load' },
    ]);
    clock.at = T0 + 70_000;
    holder.setLoad('u1', 0);
    expect(published.at(-1)).toEqual({
      userId: 'u1',
      from: BUSY,
      to: READY,
      previousSince: T0 + 10_000,
      at: T0 + 70_000,
      cause: 'load',
    });
  });

  test('a load that changes no state publishes nothing', () => {
    const { holder, published, observe } = holderWith();
    holder.start();
    observe('u2', 'Away', 'Away');
    holder.setLoad('u2', 3); // NotReady stays NotReady
    holder.setLoad('u-unknown', 1); // not tracked
    expect(published).toEqual([]);
  });

  test('new rules return how many states they changed, and those changes are published', () => {
    const { holder, clock, published, observe } = holderWith();
    holder.start();
    observe('u1', 'Busy', 'InACall');
    observe('u2', 'Busy', 'Presenting');
    observe('u3', 'Available', 'Available');

    clock.at = T0 + 5_000;
    const rules = compileMappingRules({
      rules: [
        { availability: 'Busy', activity: 'InACall', state: 'Ready' },
        { availability: 'Busy', state: 'NotReady', reasonCode: 'busy' },
      ],
    });
    expect(holder.setRules(rules)).toBe(2);
    expect(published.map((c) => [c.userId, c.from, c.to, c.cause, c.at])).toEqual([
      ['u1', notReady('InACall'), READY, 'rules', T0 + 5_000],
      ['u2', notReady('Presenting'), notReady('busy'), 'rules', T0 + 5_000],
    ]);

    // The same rules again change nothing.
    expect(holder.setRules(rules)).toBe(0);
    expect(published).toHaveLength(2);
  });
});
