import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { describeState } from '../../src/domain/presence/agent-state.js';
import { type Harness, startHarness, users } from './presence-harness.js';

const [megan = '', alex = '', adele = ''] = users;
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const stateOf = (id: string) => describeState(h.tracker.stateFor(id, h.clock.now()));

describe('polling against the emulator', () => {
  test('one sweep maps every sample user; a presence change shows after the next sweep', async () => {
    const r = await h.poller.pollOnce();
    expect(r).toMatchObject({ polledUsers: 5, calls: 1, failedCalls: 0 });
    expect(users.map(stateOf)).toEqual([
      'Ready',
      'NotReady(InACall)',
      'NotReady(Away)',
      'NotReady(Presenting)',
      'LoggedOut',
    ]);
    expect(h.tracker.snapshot(megan, h.clock.now())?.source).toBe('poll');
    await h.emu.setPresence(megan, 'Busy', 'InAMeeting');
    h.poller.markDue(megan);
    await h.poller.pollOnce();
    expect(stateOf(megan)).toBe('NotReady(InAMeeting)');
  });

  test('a 429 storm is survived: every call retried after Retry-After, none lost', async () => {
    h.emu.throttleNext(4, 0.05);
    const r = await h.poller.pollOnce();
    expect(r.failedCalls).toBe(0);
    expect(h.client.stats.throttled).toBe(4);
    expect(h.slept).toEqual([50, 50, 50, 50]);
    const statuses = h.emu.log.filter((l) => l.path === '/communications/getPresencesByUserId').map((l) => l.status);
    expect(statuses).toEqual([429, 429, 429, 429, 200]);
    expect(stateOf(megan)).toBe('Ready');
  });

  test('an outage degrades to Unknown (stale), never to a wrong state, and recovers by itself', async () => {
    await h.poller.pollOnce();
    h.emu.setOutage(true);
    h.clockOffset.ms = 61_000;
    h.poller.markDue(megan);
    const failing = await startHarnessLessPoll(h);
    expect(failing.failedCalls).toBeGreaterThan(0);
    expect(stateOf(megan)).toBe('Unknown');
    expect(h.tracker.isRoutable(megan, h.clock.now())).toBe(false);
    h.emu.setOutage(false);
    await h.poller.pollOnce();
    expect(stateOf(megan)).toBe('Ready');
  });
});

async function startHarnessLessPoll(harness: Harness) {
  // Fewer retries so the outage surfaces quickly; the same emulator and tracker.
  const { PresencePoller } = await import('../../src/adapters/graph/presence-poller.js');
  const { GraphClient } = await import('../../src/adapters/graph/graph-client.js');
  const { createAppTokenSource } = await import('../../src/adapters/graph/app-token.js');
  const tokens = createAppTokenSource({
    tenantId: harness.emu.identity.tenantId,
    clientId: 'x',
    clientSecret: 'y',
    authorityBaseUrl: harness.emu.baseUrl,
  });
  const client = new GraphClient(
    { graphBaseUrl: harness.emu.graphBaseUrl, maxRetries: 1 },
    { tokens, sleep: async () => {} },
  );
  const poller = new PresencePoller(
    {},
    { client, tracker: harness.tracker, clock: harness.clock, onChanges: () => {}, onError: () => {} },
  );
  return poller.pollOnce();
}

describe('change notifications against the emulator', () => {
  beforeEach(async () => {
    await h.poller.pollOnce();
    await h.signIn();
    await h.manager.assign(users);
  });

  test('a subscription is created with a delegated token, and its users are polled slowly', () => {
    expect(h.manager.subscriptions()).toHaveLength(1);
    expect(h.manager.isSubscribed(megan)).toBe(true);
    expect(h.poller.dueUsers(h.clock.now() + 20_000)).toEqual([]);
  });

  test('a presence change reaches the agent state through an encrypted notification', async () => {
    await h.emu.setPresence(megan, 'DoNotDisturb', 'Presenting');
    await vi.waitFor(() => expect(stateOf(megan)).toBe('NotReady(Presenting)'));
    expect(h.tracker.snapshot(megan, h.clock.now())?.source).toBe('notification');
    expect(h.changes.at(-1)).toMatchObject({ userId: megan, cause: 'notification' });
  });

  test('a duplicate notification changes nothing', async () => {
    h.emu.duplicateNotifications(true);
    await h.emu.setPresence(alex, 'Available', 'Available');
    await vi.waitFor(() => expect(h.processor.stats.applied + h.processor.stats.ignored).toBe(2));
    expect(h.processor.stats).toMatchObject({ applied: 1, ignored: 1 });
    expect(h.changes.filter((c) => c.userId === alex && c.cause === 'notification')).toHaveLength(1);
    expect(stateOf(alex)).toBe('Ready');
  });

  test('an out-of-order notification changes nothing', async () => {
    h.emu.holdNotifications();
    await h.emu.setPresence(adele, 'Busy', 'InACall');
    await h.emu.setPresence(adele, 'Available', 'Available');
    await h.emu.releaseNotifications(true);
    await vi.waitFor(() => expect(h.processor.stats.applied + h.processor.stats.ignored).toBe(2));
    expect(stateOf(adele)).toBe('Ready');
  });

  test('a dropped subscription is recreated and the gap is filled by polling', async () => {
    const [old] = h.manager.subscriptions();
    h.emu.dropSubscription(old?.id ?? '');
    await h.emu.setPresence(megan, 'Away', 'Away');
    expect(stateOf(megan)).toBe('Ready');
    await h.manager.maintain();
    const [fresh] = h.manager.subscriptions();
    expect(fresh?.id).not.toBe(old?.id);
    expect(h.poller.dueUsers(h.clock.now())).toEqual(expect.arrayContaining(users));
    await h.poller.pollOnce();
    expect(stateOf(megan)).toBe('NotReady(Away)');
    await h.emu.setPresence(megan, 'Available', 'Available');
    await vi.waitFor(() => expect(stateOf(megan)).toBe('Ready'));
  });

  test('missed: the subscription is renewed and its users are polled at once', async () => {
    const [sub] = h.manager.subscriptions();
    h.emu.dropNotifications(true);
    await h.emu.setPresence(megan, 'Away', 'Away');
    h.emu.dropNotifications(false);
    expect(stateOf(megan)).toBe('Ready');
    expect(h.poller.dueUsers(h.clock.now())).not.toContain(megan);
    expect(await h.emu.sendLifecycle(sub?.id ?? '', 'missed')).toBe(202);
    await vi.waitFor(() => expect(h.poller.dueUsers(h.clock.now())).toEqual(expect.arrayContaining(users)));
    await h.poller.pollOnce();
    expect(stateOf(megan)).toBe('NotReady(Away)');
  });

  test('reauthorizationRequired: delivery was paused, so the users are polled at once as well', async () => {
    const [sub] = h.manager.subscriptions();
    expect(h.poller.dueUsers(h.clock.now())).not.toContain(alex);
    expect(await h.emu.sendLifecycle(sub?.id ?? '')).toBe(202);
    await vi.waitFor(() => expect(h.poller.dueUsers(h.clock.now())).toEqual(expect.arrayContaining(users)));
  });

  test('reauthorizationRequired is answered by reauthorizing', async () => {
    const [sub] = h.manager.subscriptions();
    const emulated = h.emu.subscriptions.byId.get(sub?.id ?? '');
    expect(await h.emu.sendLifecycle(sub?.id ?? '')).toBe(202);
    await vi.waitFor(() => expect(emulated?.needsReauthorization).toBe(false));
    expect(h.emu.log.some((l) => l.path.endsWith('/reauthorize') && l.status === 204)).toBe(true);
  });
});
