/**
 * The directory feature: routing's directory (the configured knowledge workers and routing points) plus, where
 * routing points draw members from Entra groups, the group sync through Graph that keeps those members current (at
 * start and every `routing.groupSyncIntervalMs`). Until a sync succeeds, the memberships last stored are used. With
 * replicas, one replica syncs each group (under a lease) and the others read what it stored.
 */
import { GroupSync } from '../adapters/graph/group-sync.js';
import { LeaseStore } from '../adapters/store/lease-store.js';
import { SqlGroupMembershipStore } from '../adapters/store/sql-reach-stores.js';
import type { KnowledgeWorker } from '../domain/routing/knowledge-worker.js';
import { entraGroupIdsOf, type RoutingIndex } from '../domain/routing/routing-index.js';
import type { Routing } from '../domain/routing/routing-point.js';
import { RoutingDirectory } from '../services/routing-directory.js';
import type { Feature, Infrastructure } from './feature.js';
import type { GraphAccess } from './graph.js';
import type { ScaleOut } from './scale-out.js';

/** The directory settings. */
export interface DirectorySlice {
  readonly knowledgeWorkers: readonly KnowledgeWorker[];
  readonly routing: Routing;
}

/** The built directory feature. */
export interface Directory extends Feature {
  /** The current routing index. */
  index(): RoutingIndex;
  /** Every knowledge worker id of the directory (configured, and from groups). */
  knowledgeWorkerIds(): string[];
  /** Subscribes to rebuilds (a group's membership changed): called with every knowledge worker id. */
  onRebuilt(listener: (knowledgeWorkerIds: Iterable<string>) => void): void;
  /** The group sync; null without Entra groups (or without Graph). */
  readonly groups: GroupSync | null;
}

/** Builds the directory, with the group memberships last stored, and the group sync when Graph is configured. */
export async function createDirectory(
  slice: DirectorySlice,
  infra: Infrastructure,
  graph: GraphAccess | null,
  scaleOut: ScaleOut | null = null,
): Promise<Directory> {
  const groupIds = graph ? entraGroupIdsOf(slice.routing) : [];
  const store = new SqlGroupMembershipStore(infra.database);
  const stored = groupIds.length > 0 ? (await store.list()).filter((s) => groupIds.includes(s.groupId)) : [];
  const directory = new RoutingDirectory({ knowledgeWorkers: slice.knowledgeWorkers, routing: slice.routing, stored });
  let groups: GroupSync | null = null;
  if (graph && groupIds.length > 0) {
    groups = new GroupSync(
      { groupIds, intervalMs: slice.routing.groupSyncIntervalMs, graphBaseUrl: graph.graphBaseUrl },
      {
        client: graph.client,
        store,
        clock: infra.clock,
        logger: infra.logger.child({ part: 'entra-groups' }),
        onChange: () => directory.rebuild(),
        // Replicas: one syncs each group, the others read what it stored.
        leases: scaleOut
          ? { store: new LeaseStore(infra.database.db, infra.clock), owner: scaleOut.replicaId }
          : undefined,
        onStored: scaleOut ? () => scaleOut.signals.groupsChanged() : undefined,
      },
    );
    const adopting = groups;
    scaleOut?.signals.on('groups', () => {
      adopting
        .adoptStored()
        .catch((error: unknown) => infra.logger.warn({ err: error }, 'could not read the stored group memberships'));
    });
    await groups.load();
    directory.useGroups(groups);
  }
  const sync = groups;
  return {
    name: 'directory',
    index: () => directory.index(),
    knowledgeWorkerIds: () => directory.knowledgeWorkerIds(),
    onRebuilt: (listener) => directory.onRebuilt(listener),
    groups,
    start: () => sync?.start(),
    stop: async () => sync?.stop(),
  };
}
