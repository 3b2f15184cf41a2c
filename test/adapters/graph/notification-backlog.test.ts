/**
 * The notification backlog over the in-memory inbox: collections queue while the items waiting stay within
 * `maxItems`; one that would bring them beyond it sheds the whole waiting backlog with itself to polling (their users
 * polled once each, the items and sheddings counted, a warning logged at most every SHED_LOG_EVERY_MS), and later
 * collections queue again. The backlog's size counts items waiting and in flight, its age the oldest of them. The
 * inbox takes entries bounded by items.
 */
import { describe, expect, test } from 'vitest';
import {
  NotificationBacklog,
  SHED_LOG_EVERY_MS,
  userIdOfItem,
  usersOfEntries,
} from '../../../src/adapters/graph/notification-backlog.js';
import { type InboxEntry, MemoryNotificationInbox } from '../../../src/ports/presence/notification-inbox.js';
import { captureLogs } from '../../support/log-capture.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

/** A collection of presence items for these users (encrypted content is not looked at here). */
const collection = (users: readonly string[], receivedAt = T0, subscriptionId = 'sub-1'): InboxEntry => ({
  items: users.map((id) => ({
    subscriptionId,
    clientState: 'secret',
    resource: `communications/presences('${id}')`,
    resourceData: { id },
    encryptedContent: { data: 'x', dataKey: 'y', dataSignature: 'z' },
  })),
  validationTokens: ['token'],
  receivedAt,
});

const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

function setup(maxItems: number, inFlight = { items: 0, oldestReceivedAt: undefined as number | undefined }) {
  const inbox = new MemoryNotificationInbox();
  const clock = { current: T0, now: () => clock.current };
  const polled: string[][] = [];
  const through: string[][] = [];
  const logs = captureLogs();
  const pollNow = (ids: readonly string[], subscriptionIds: readonly string[]) => {
    polled.push([...ids]);
    through.push([...subscriptionIds]);
  };
  const backlog = new NotificationBacklog(
    { maxItems },
    { inbox, inFlight: () => inFlight, pollNow, clock, logger: logs.logger },
  );
  return { inbox, clock, polled, through, backlog, logs, inFlight };
}

describe('NotificationBacklog', () => {
  test('collections queue while the items waiting stay within maxItems', async () => {
    const { inbox, backlog, polled } = setup(100);
    await backlog.enqueue(collection(users('a', 60)));
    await backlog.enqueue(collection(users('b', 40)));
    expect(inbox.size()).toBe(2);
    expect(inbox.items()).toBe(100);
    expect(polled).toEqual([]);
    expect(backlog.state()).toMatchObject({ items: 100, shedItems: 0, sheddings: 0 });
  });

  test('one beyond maxItems sheds the waiting backlog with itself: its users are polled once each, items counted', async () => {
    const { inbox, backlog, polled, through, logs } = setup(100);
    await backlog.enqueue(collection(users('a', 60)));
    await backlog.enqueue(collection(['a-0', 'a-1', ...users('b', 38)])); // a-0 and a-1 changed again
    await backlog.enqueue(collection(['b-0', 'c-0'], T0, 'sub-2'));

    expect(inbox.size()).toBe(0);
    expect(inbox.items()).toBe(0);
    expect(polled).toHaveLength(1);
    expect(polled[0]).toHaveLength(60 + 38 + 1);
    expect(new Set(polled[0])).toEqual(new Set([...users('a', 60), ...users('b', 38), 'c-0']));
    // The subscriptions they came through (another replica's are handed to it).
    expect(through).toEqual([['sub-1', 'sub-2']]);
    expect(backlog.state()).toMatchObject({ items: 0, oldestAgeMs: 0, shedItems: 102, sheddings: 1 });
    const warnings = logs.records.filter((l) => l.msg.startsWith('change notification backlog shed to polling'));
    expect(warnings).toEqual([expect.objectContaining({ level: 40, shedItems: 102, sheddings: 1, maxBacklog: 100 })]);

    // The backlog is empty again: the next collections queue as usual.
    await backlog.enqueue(collection(['d-0']));
    expect(inbox.items()).toBe(1);
    expect(polled).toHaveLength(1);
  });

  test('a single collection larger than maxItems is shed at once', async () => {
    const { inbox, backlog, polled } = setup(100);
    await backlog.enqueue(collection(users('a', 150)));
    expect(inbox.size()).toBe(0);
    expect(polled[0]).toEqual(users('a', 150));
    expect(backlog.state().shedItems).toBe(150);
  });

  test('shedding is logged at most every SHED_LOG_EVERY_MS, with what was shed since the last line', async () => {
    const { backlog, clock, logs } = setup(100);
    await backlog.enqueue(collection(users('a', 101)));
    clock.current += 1_000;
    await backlog.enqueue(collection(users('b', 120)));
    clock.current += 1_000;
    await backlog.enqueue(collection(users('c', 130)));
    clock.current += SHED_LOG_EVERY_MS;
    await backlog.enqueue(collection(users('d', 140)));
    const warnings = logs.records.filter((l) => l.msg.startsWith('change notification backlog shed to polling'));
    expect(warnings.map((w) => [w.shedItems, w.sheddings])).toEqual([
      [101, 1],
      [120 + 130 + 140, 3],
    ]);
    expect(backlog.state()).toMatchObject({ shedItems: 101 + 120 + 130 + 140, sheddings: 4 });
  });

  test('the backlog counts items waiting and in flight, and its age is the oldest of them', async () => {
    const inFlight = { items: 0, oldestReceivedAt: undefined as number | undefined };
    const { backlog, clock } = setup(1_000, inFlight);
    expect(backlog.state()).toEqual({ items: 0, oldestAgeMs: 0, shedItems: 0, sheddings: 0 });
    await backlog.enqueue(collection(users('a', 10), T0));
    await backlog.enqueue(collection(users('b', 5), T0 + 500));
    clock.current = T0 + 2_000;
    expect(backlog.state()).toMatchObject({ items: 15, oldestAgeMs: 2_000 });
    // Older items being decrypted count too.
    inFlight.items = 7;
    inFlight.oldestReceivedAt = T0 - 1_000;
    expect(backlog.state()).toMatchObject({ items: 22, oldestAgeMs: 3_000 });
  });

  test('an inbox that cannot store throws, so the endpoint answers 503', async () => {
    const { backlog } = setup(100);
    const full = new MemoryNotificationInbox(1);
    const b = new NotificationBacklog(
      { maxItems: 100 },
      { ...backlog.deps, inbox: full, inFlight: () => ({ items: 0, oldestReceivedAt: undefined }) },
    );
    await b.enqueue(collection(['a']));
    await expect(b.enqueue(collection(['b']))).rejects.toThrow('notification inbox full');
  });
});

describe('the users of notification items', () => {
  test('from resourceData.id, else from the resource path; none for items naming nobody', () => {
    expect(userIdOfItem({ resourceData: { id: 'u-1' }, resource: "communications/presences('other')" })).toBe('u-1');
    expect(userIdOfItem({ resource: "communications/presences('u-2')" })).toBe('u-2');
    expect(userIdOfItem({ resource: 'communications/presences/u-3' })).toBe('u-3');
    expect(userIdOfItem({ resource: 'users/u-4/messages' })).toBeUndefined();
    expect(userIdOfItem({ resourceData: { id: 42 } })).toBeUndefined();
    expect(usersOfEntries([collection(['u-1', 'u-2']), collection(['u-2', 'u-3'])])).toEqual(['u-1', 'u-2', 'u-3']);
  });
});

describe('MemoryNotificationInbox', () => {
  test('counts items and knows when the oldest arrived; take stops at maxItems but always takes one entry', async () => {
    const inbox = new MemoryNotificationInbox();
    expect(inbox.oldestReceivedAt()).toBeUndefined();
    await inbox.enqueue(collection(users('a', 300), T0));
    await inbox.enqueue(collection(users('b', 300), T0 + 1));
    await inbox.enqueue(collection(users('c', 600), T0 + 2));
    await inbox.enqueue(collection(users('d', 10), T0 + 3));
    expect(inbox.items()).toBe(1_210);
    expect(inbox.oldestReceivedAt()).toBe(T0);

    expect((await inbox.take(64, undefined, 512)).map((e) => e.items.length)).toEqual([300]);
    expect(inbox.oldestReceivedAt()).toBe(T0 + 1);
    expect((await inbox.take(64, undefined, 512)).map((e) => e.items.length)).toEqual([300]);
    // An entry larger than maxItems is taken alone.
    expect((await inbox.take(64, undefined, 512)).map((e) => e.items.length)).toEqual([600]);
    expect(inbox.items()).toBe(10);
    expect(inbox.drain().map((e) => e.receivedAt)).toEqual([T0 + 3]);
    expect(inbox.items()).toBe(0);
    expect(inbox.size()).toBe(0);
  });
});
