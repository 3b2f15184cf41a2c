/**
 * Builds routing's directory for the composition root: the configured knowledge workers and routing points, plus
 * the members of Entra groups feeding routing points, kept in sync through Graph (see GroupSync). The routing index
 * is rebuilt whenever a group's membership changes, without a restart; group members the configured directory does
 * not list join the directory from Graph, and the presence engine starts tracking them.
 */
import type { Logger } from 'pino';
import { GroupSync } from './adapters/graph/group-sync.js';
import type { OpenDatabase } from './adapters/store/open-database.js';
import { SqlGroupMembershipStore } from './adapters/store/sql-reach-stores.js';
import type { Config } from './config/read-config.js';
import { directoryWithGroupMembers, type EntraUser } from './domain/routing/group-directory.js';
import { createRoutingIndex, entraGroupIdsOf, type RoutingIndex } from './domain/routing/routing-index.js';
import type { Clock } from './ports/clock.js';
import type { GroupSnapshot } from './ports/group-membership-store.js';
import type { PresenceEngine } from './presence-wiring.js';

/** What {@link RoutingDirectory} needs. */
export interface RoutingDirectoryDeps {
  readonly database: OpenDatabase;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The routing index, rebuilt as Entra groups change. */
export class RoutingDirectory {
  #index: RoutingIndex;
  #sync: GroupSync | null = null;
  #presence: PresenceEngine | null = null;

  private constructor(
    private readonly config: Config,
    private readonly deps: RoutingDirectoryDeps,
    private readonly groupIds: readonly string[],
    private readonly stored: readonly GroupSnapshot[],
  ) {
    this.#index = this.#build();
  }

  /** The directory with the group memberships last stored (Entra groups need the `presence` section's Graph). */
  static async open(config: Config, deps: RoutingDirectoryDeps): Promise<RoutingDirectory> {
    const groupIds = config.presence ? entraGroupIdsOf(config.file.routing) : [];
    const stored =
      groupIds.length > 0
        ? (await new SqlGroupMembershipStore(deps.database).list()).filter((s) => groupIds.includes(s.groupId))
        : [];
    return new RoutingDirectory(config, deps, groupIds, stored);
  }

  /** The current routing index. */
  index(): RoutingIndex {
    return this.#index;
  }

  /** Every knowledge worker id of the directory (configured, and from groups). */
  knowledgeWorkerIds(): string[] {
    return [...this.#index.knowledgeWorkers.keys()];
  }

  /** The group sync, once connected to Graph; null without Entra groups. */
  get groups(): GroupSync | null {
    return this.#sync;
  }

  /** Connects the group sync to the presence engine's Graph client (nothing runs until {@link start}). */
  async connectGraph(presence: PresenceEngine | null): Promise<void> {
    const options = this.config.presence;
    if (!presence || !options || this.groupIds.length === 0) return;
    this.#presence = presence;
    const sync = new GroupSync(
      {
        groupIds: this.groupIds,
        intervalMs: this.config.file.routing.groupSyncIntervalMs,
        graphBaseUrl: options.graphBaseUrl,
      },
      {
        client: presence.client,
        store: new SqlGroupMembershipStore(this.deps.database),
        clock: this.deps.clock,
        logger: this.deps.logger.child({ part: 'entra-groups' }),
        onChange: () => this.#rebuild(),
      },
    );
    await sync.load();
    this.#sync = sync;
  }

  /** Syncs the groups now and at their interval. */
  start(): void {
    this.#sync?.start();
  }

  /** Stops syncing. */
  async stop(): Promise<void> {
    await this.#sync?.stop();
  }

  #rebuild(): void {
    this.#index = this.#build();
    this.#presence?.track(this.#index.knowledgeWorkers.keys());
  }

  #build(): RoutingIndex {
    const sync = this.#sync;
    const members: (readonly EntraUser[])[] = sync ? sync.members() : this.stored.map((s) => s.members);
    const membersOf = (groupId: string): readonly string[] | undefined => {
      if (sync) return sync.membersOf(groupId);
      const s = this.stored.find((g) => g.groupId === groupId);
      return s && s.syncedAt !== null ? s.members.map((m) => m.id) : undefined;
    };
    return createRoutingIndex({
      knowledgeWorkers: directoryWithGroupMembers(this.config.file.directory.knowledgeWorkers, members),
      routing: this.config.file.routing,
      groupMembers: membersOf,
    });
  }
}
