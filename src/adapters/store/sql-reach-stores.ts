/**
 * SQL implementations of the reach ports (migration 300-teams-reach): who cannot be reached in Teams and why, and
 * each Entra group's last good membership with the outcome of its latest sync.
 */
import type { ColumnType, Kysely } from 'kysely';
import type { EntraUser } from '../../domain/routing/group-directory.js';
import type { GroupMembershipStore, GroupSnapshot } from '../../ports/group-membership-store.js';
import type { UnreachableMark, UnreachableReason, UnreachableStore } from '../../ports/reachability.js';
import type { OpenDatabase } from './open-database.js';

type Millis = ColumnType<number, number, number>;

/** Row types of migration 300-teams-reach. */
export type ReachTables = {
  teams_unreachable: { user_id: string; reason: string; detail: string; since: Millis };
  entra_groups: {
    group_id: string;
    members: string;
    synced_at: Millis | null;
    attempted_at: Millis;
    error: string | null;
  };
};

/** The reach tables of an open database. */
export function reachDb(database: OpenDatabase): Kysely<ReachTables> {
  return database.db.withTables<ReachTables>() as unknown as Kysely<ReachTables>;
}

const toMark = (r: { user_id: string; reason: string; detail: string; since: number }): UnreachableMark => ({
  userId: r.user_id,
  reason: r.reason as UnreachableReason,
  detail: r.detail,
  since: Number(r.since),
});

/** Unreachable marks on the database. */
export class SqlUnreachableStore implements UnreachableStore {
  readonly #db: Kysely<ReachTables>;
  constructor(database: OpenDatabase) {
    this.#db = reachDb(database);
  }
  async list(): Promise<UnreachableMark[]> {
    const rows = await this.#db.selectFrom('teams_unreachable').selectAll().orderBy('user_id').execute();
    return rows.map(toMark);
  }
  async get(userId: string): Promise<UnreachableMark | undefined> {
    const r = await this.#db
      .selectFrom('teams_unreachable')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r ? toMark(r) : undefined;
  }
  async put(mark: UnreachableMark): Promise<void> {
    const values = { user_id: mark.userId, reason: mark.reason, detail: mark.detail, since: mark.since };
    await this.#db
      .insertInto('teams_unreachable')
      .values(values)
      .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
      .execute();
  }
  async delete(userId: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('teams_unreachable').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

/** Entra group snapshots on the database. */
export class SqlGroupMembershipStore implements GroupMembershipStore {
  readonly #db: Kysely<ReachTables>;
  constructor(database: OpenDatabase) {
    this.#db = reachDb(database);
  }
  async list(): Promise<GroupSnapshot[]> {
    const rows = await this.#db.selectFrom('entra_groups').selectAll().orderBy('group_id').execute();
    return rows.map((r) => ({
      groupId: r.group_id,
      members: JSON.parse(r.members) as EntraUser[],
      syncedAt: r.synced_at === null ? null : Number(r.synced_at),
      attemptedAt: Number(r.attempted_at),
      error: r.error,
    }));
  }
  async saveMembers(groupId: string, members: readonly EntraUser[], at: number): Promise<void> {
    const values = {
      group_id: groupId,
      members: JSON.stringify(members),
      synced_at: at,
      attempted_at: at,
      error: null,
    };
    await this.#db
      .insertInto('entra_groups')
      .values(values)
      .onConflict((oc) => oc.column('group_id').doUpdateSet(values))
      .execute();
  }
  async saveFailure(groupId: string, error: string, at: number): Promise<void> {
    await this.#db
      .insertInto('entra_groups')
      .values({ group_id: groupId, members: '[]', synced_at: null, attempted_at: at, error })
      .onConflict((oc) => oc.column('group_id').doUpdateSet({ attempted_at: at, error }))
      .execute();
  }
}
