/**
 * The last good membership of each Entra group that feeds a routing point, with the outcome of the latest sync
 * through Graph, kept durably so routing keeps its members when Graph cannot be reached, even across a restart.
 */
import type { EntraUser } from '../domain/routing/group-directory.js';

/** One group as last synced. */
export interface GroupSnapshot {
  readonly groupId: string;
  /** The members of the last successful sync (users only, nested groups flattened), in Graph's order. */
  readonly members: readonly EntraUser[];
  /** When the members were last read successfully (epoch ms); null when never. */
  readonly syncedAt: number | null;
  /** When a sync was last attempted (epoch ms). */
  readonly attemptedAt: number;
  /** Why the last attempt failed (secret-free), or null when it succeeded. */
  readonly error: string | null;
}

/** Stores group snapshots. */
export interface GroupMembershipStore {
  list(): Promise<GroupSnapshot[]>;
  /** Records a successful sync: the members replace the old ones and the error is cleared. */
  saveMembers(groupId: string, members: readonly EntraUser[], at: number): Promise<void>;
  /** Records a failed sync: the last good members stay. */
  saveFailure(groupId: string, error: string, at: number): Promise<void>;
}
