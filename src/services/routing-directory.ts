/**
 * Routing's directory: the configured knowledge workers and routing points, plus the members of Entra groups that
 * feed routing points. The routing index is rebuilt whenever a group's membership changes, without a restart; group
 * members the configured directory does not list join the directory, and subscribers (the presence engine) are told
 * the new set of knowledge workers. Until the groups are synced, the memberships last stored are used.
 */
import { directoryWithGroupMembers, type EntraUser } from '../domain/routing/group-directory.js';
import type { KnowledgeWorker } from '../domain/routing/knowledge-worker.js';
import { createRoutingIndex, type RoutingIndex } from '../domain/routing/routing-index.js';
import type { Routing } from '../domain/routing/routing-point.js';
import type { GroupSnapshot } from '../ports/group-membership-store.js';

/** The current members of the synced Entra groups (the Graph group sync). */
export interface GroupMembers {
  /** Members (Entra object ids) of one group; undefined when it was never synced. */
  membersOf(groupId: string): readonly string[] | undefined;
  /** Every group's members. */
  members(): (readonly EntraUser[])[];
}

/** What the directory is built from. */
export interface RoutingDirectoryInput {
  readonly knowledgeWorkers: readonly KnowledgeWorker[];
  readonly routing: Routing;
  /** The Entra groups feeding routing points, as last stored (used until live members are connected). */
  readonly stored: readonly GroupSnapshot[];
}

/** The routing index, rebuilt as Entra groups change. */
export class RoutingDirectory {
  #index: RoutingIndex;
  #groups: GroupMembers | null = null;
  readonly #listeners: ((knowledgeWorkerIds: Iterable<string>) => void)[] = [];

  constructor(private readonly input: RoutingDirectoryInput) {
    this.#index = this.#build();
  }

  /** The current routing index. */
  index(): RoutingIndex {
    return this.#index;
  }

  /** Every knowledge worker id of the directory (configured, and from groups). */
  knowledgeWorkerIds(): string[] {
    return [...this.#index.knowledgeWorkers.keys()];
  }

  /** Subscribes to rebuilds: called with every knowledge worker id of the rebuilt directory. */
  onRebuilt(listener: (knowledgeWorkerIds: Iterable<string>) => void): void {
    this.#listeners.push(listener);
  }

  /** From now on, group members come from the live group sync (used at the next {@link rebuild}). */
  useGroups(groups: GroupMembers): void {
    this.#groups = groups;
  }

  /** Rebuilds the index from the current group members (a group's membership changed). */
  rebuild(): void {
    this.#index = this.#build();
    for (const listener of this.#listeners) listener(this.#index.knowledgeWorkers.keys());
  }

  #build(): RoutingIndex {
    const groups = this.#groups;
    const { stored } = this.input;
    const members: (readonly EntraUser[])[] = groups ? groups.members() : stored.map((s) => s.members);
    const membersOf = (groupId: string): readonly string[] | undefined => {
      if (groups) return groups.membersOf(groupId);
      const s = stored.find((g) => g.groupId === groupId);
      return s && s.syncedAt !== null ? s.members.map((m) => m.id) : undefined;
    };
    return createRoutingIndex({
      knowledgeWorkers: directoryWithGroupMembers(this.input.knowledgeWorkers, members),
      routing: this.input.routing,
      groupMembers: membersOf,
    });
  }
}
