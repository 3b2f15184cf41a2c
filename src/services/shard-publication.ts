/**
 * Who publishes presence changes when replicas share the directory: only the replica holding a user's shard, and
 * following what was last published for that user (the presence snapshot in the database), not its own tracker's
 * history. Every replica's tracker follows every change (routing reads it), but a replica that took a shard over, or
 * just started, did not publish what came before: when it takes a shard on it reads the shard's snapshots, publishes
 * at once what its tracker knows to have changed since, and from then on publishes a change only when it differs
 * from the last published state, with that state's start as the start of the period it closes. So a shard moving
 * between replicas neither repeats a state nor records a period twice.
 */
import type { AgentState } from '../domain/presence/agent-state.js';
import { sameState, UNKNOWN } from '../domain/presence/agent-state.js';
import type { PresenceTracker } from '../domain/presence/presence-tracker.js';
import type { StateChange } from '../domain/presence/state-change.js';
import type { PresenceSnapshotRecord } from '../ports/presence/presence-history-store.js';

/** What {@link ShardPublication} needs. */
export interface ShardPublicationDeps {
  /** The last published state of these users (the presence snapshots). */
  readonly snapshotsOf: (userIds: readonly string[]) => Promise<readonly PresenceSnapshotRecord[]>;
  readonly tracker: PresenceTracker;
}

/** Gates and rewrites presence changes for the shards this replica holds. */
export class ShardPublication {
  readonly #last = new Map<string, { state: AgentState; since: number }>();
  readonly #owned = new Set<string>();

  constructor(private readonly deps: ShardPublicationDeps) {}

  /**
   * Takes users on (their shard was acquired): reads what was last published for them and returns the changes to
   * publish now, for users whose presence this replica already knows and which differs. `stillHeld` is asked after
   * the read: a shard lost meanwhile is not taken on.
   */
  async take(userIds: readonly string[], stillHeld: () => boolean): Promise<StateChange[]> {
    const snapshots = new Map((await this.deps.snapshotsOf(userIds)).map((s) => [s.userId, s]));
    if (!stillHeld()) return [];
    const out: StateChange[] = [];
    for (const userId of userIds) {
      this.#owned.add(userId);
      const snapshot = snapshots.get(userId);
      if (snapshot) this.#last.set(userId, { state: snapshot.state, since: snapshot.since });
      const mine = this.deps.tracker.published(userId);
      if (!mine?.observed) continue;
      const from = snapshot?.state ?? UNKNOWN;
      if (sameState(from, mine.state)) continue;
      const previousSince = snapshot?.since ?? mine.since;
      const at = Math.max(mine.since, previousSince);
      out.push({ userId, from, to: mine.state, previousSince, at, cause: 'tracked' });
      this.#last.set(userId, { state: mine.state, since: at });
    }
    return out;
  }

  /** Lets users go (their shard was handed over or lost). */
  drop(userIds: readonly string[]): void {
    for (const id of userIds) {
      this.#owned.delete(id);
      this.#last.delete(id);
    }
  }

  /** The changes to publish: those of users taken on, that differ from their last published state, rewritten from it. */
  filter(changes: readonly StateChange[]): StateChange[] {
    const out: StateChange[] = [];
    for (const c of changes) {
      if (!this.#owned.has(c.userId)) continue;
      const last = this.#last.get(c.userId);
      if (last && sameState(last.state, c.to)) continue;
      out.push(last ? { ...c, from: last.state, previousSince: Math.min(last.since, c.at) } : c);
      this.#last.set(c.userId, { state: c.to, since: c.at });
    }
    return out;
  }
}
