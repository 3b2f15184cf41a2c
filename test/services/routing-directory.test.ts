/**
 * Routing's directory: until the Entra groups are synced, routing points drawing on a group get the members last
 * stored (none for a group never synced); once the live group sync is connected and the index rebuilt, the live
 * members are used, group members the configured directory does not list join it (configured entries win), and
 * subscribers are told every knowledge worker id of the rebuilt directory.
 */
import { describe, expect, test } from 'vitest';
import type { EntraUser } from '../../src/domain/routing/group-directory.js';
import { knowledgeWorkersSchema } from '../../src/domain/routing/knowledge-worker.js';
import { routingOptionsSchema } from '../../src/domain/routing/routing-point.js';
import type { GroupSnapshot } from '../../src/ports/group-membership-store.js';
import { type GroupMembers, RoutingDirectory } from '../../src/services/routing-directory.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

const user = (id: string, displayName = `User ${id}`): EntraUser => ({
  id,
  displayName,
  userPrincipalName: `${id}@contoso.example`,
  mail: `${id}@contoso.example`,
  businessPhones: [],
  mobilePhone: null,
});

const configured = knowledgeWorkersSchema.parse([
  { id: 'kw-ann', name: 'Ann Billing', priority: 5 },
  { id: 'kw-leo', name: 'Leo Legal' },
]);

const routing = routingOptionsSchema.parse({
  routingPoints: [
    {
      id: 'rp-static',
      name: 'Static',
      members: { kind: 'static', ids: ['kw-ann'] },
      strategy: { kind: 'round-robin' },
    },
    {
      id: 'rp-billing',
      name: 'Billing',
      members: { kind: 'entra-group', groupId: 'g-billing' },
      strategy: { kind: 'broadcast', size: 5 },
    },
    {
      id: 'rp-legal',
      name: 'Legal',
      members: { kind: 'entra-group', groupId: 'g-legal' },
      strategy: { kind: 'round-robin' },
    },
  ],
});

const snapshot = (groupId: string, members: EntraUser[], syncedAt: number | null): GroupSnapshot => ({
  groupId,
  members,
  syncedAt,
  attemptedAt: T0,
  error: syncedAt === null ? 'Graph answered 403' : null,
});

/** The live group sync's view, changed by the test. */
class LiveGroups implements GroupMembers {
  readonly groups = new Map<string, EntraUser[]>();
  membersOf(groupId: string): readonly string[] | undefined {
    return this.groups.get(groupId)?.map((u) => u.id);
  }
  members(): (readonly EntraUser[])[] {
    return [...this.groups.values()];
  }
}

const membersOf = (directory: RoutingDirectory, routingPointId: string) =>
  directory
    .index()
    .routingPoints.get(routingPointId)
    ?.members.map((kw) => kw.id);

describe('RoutingDirectory', () => {
  test('before any sync, stored snapshots give routing points their members; a never-synced group gives none', () => {
    const directory = new RoutingDirectory({
      knowledgeWorkers: configured,
      routing,
      stored: [
        snapshot('g-billing', [user('e-1'), user('kw-ann'), user('e-2')], T0 - 60_000),
        snapshot('g-legal', [user('e-3')], null),
      ],
    });
    expect(membersOf(directory, 'rp-billing')).toEqual(['e-1', 'kw-ann', 'e-2']);
    expect(membersOf(directory, 'rp-legal')).toEqual([]);
    expect(membersOf(directory, 'rp-static')).toEqual(['kw-ann']);
    // Stored members join the directory; the configured entry of a member wins.
    expect(directory.index().knowledgeWorkers.get('e-1')).toMatchObject({ name: 'User e-1', priority: 100 });
    expect(directory.index().knowledgeWorkers.get('kw-ann')).toMatchObject({ name: 'Ann Billing', priority: 5 });
    expect(directory.knowledgeWorkerIds()).toEqual(expect.arrayContaining(['kw-ann', 'kw-leo', 'e-1', 'e-2']));
  });

  test('a group with no stored snapshot gives its routing point no members', () => {
    const directory = new RoutingDirectory({ knowledgeWorkers: configured, routing, stored: [] });
    expect(membersOf(directory, 'rp-billing')).toEqual([]);
    expect(directory.knowledgeWorkerIds().sort()).toEqual(['kw-ann', 'kw-leo']);
  });

  test('after the live groups are connected and the index rebuilt, live members are used and join the directory', () => {
    const directory = new RoutingDirectory({
      knowledgeWorkers: configured,
      routing,
      stored: [snapshot('g-billing', [user('e-1'), user('e-2')], T0 - 60_000)],
    });
    const rebuilt: string[][] = [];
    directory.onRebuilt((ids) => rebuilt.push([...ids]));
    const live = new LiveGroups();
    live.groups.set('g-billing', [user('e-2'), user('e-4'), user('kw-leo', 'Leo From Entra')]);
    live.groups.set('g-legal', [user('e-5')]);

    directory.useGroups(live);
    // Connecting the live groups alone changes nothing until the rebuild.
    expect(membersOf(directory, 'rp-billing')).toEqual(['e-1', 'e-2']);
    expect(rebuilt).toEqual([]);

    directory.rebuild();
    expect(membersOf(directory, 'rp-billing')).toEqual(['e-2', 'e-4', 'kw-leo']);
    expect(membersOf(directory, 'rp-legal')).toEqual(['e-5']);
    expect(directory.index().knowledgeWorkers.get('kw-leo')?.name).toBe('Leo Legal');
    expect(directory.index().knowledgeWorkers.has('e-1')).toBe(false);
    expect(directory.knowledgeWorkerIds().sort()).toEqual(['e-2', 'e-4', 'e-5', 'kw-ann', 'kw-leo']);
    expect(rebuilt).toEqual([['kw-ann', 'kw-leo', 'e-2', 'e-4', 'e-5']]);

    // A later membership change: every subscriber is told the new set.
    const second: string[][] = [];
    directory.onRebuilt((ids) => second.push([...ids]));
    live.groups.set('g-legal', [user('e-5'), user('e-6')]);
    directory.rebuild();
    expect(membersOf(directory, 'rp-legal')).toEqual(['e-5', 'e-6']);
    expect(rebuilt.at(-1)).toEqual(['kw-ann', 'kw-leo', 'e-2', 'e-4', 'e-5', 'e-6']);
    expect(second).toEqual([['kw-ann', 'kw-leo', 'e-2', 'e-4', 'e-5', 'e-6']]);
  });

  test('a live group not yet synced gives no members, even when a stored snapshot had some', () => {
    const directory = new RoutingDirectory({
      knowledgeWorkers: configured,
      routing,
      stored: [snapshot('g-legal', [user('e-3')], T0 - 60_000)],
    });
    expect(membersOf(directory, 'rp-legal')).toEqual(['e-3']);
    directory.useGroups(new LiveGroups());
    directory.rebuild();
    expect(membersOf(directory, 'rp-legal')).toEqual([]);
  });
});
