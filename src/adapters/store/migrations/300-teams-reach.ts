/**
 * Reaching knowledge workers: who cannot be reached in Teams and why (the app could not be installed, is not
 * installed, or they blocked the bot), kept so the reason survives a restart and every replica and the admin's
 * self-test see it; and the last good membership of each Entra group feeding a routing point, with the outcome of
 * the latest sync, so routing keeps its members when Graph cannot be reached (even across a restart).
 */
import type { Kysely, Migration } from 'kysely';

/** Creates `teams_unreachable` and `entra_groups` (both dialects). */
export const teamsReachMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('teams_unreachable')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('entra_groups')
      .addColumn('group_id', 'text', (c) => c.primaryKey())
      .addColumn('members', 'text', (c) => c.notNull())
      .addColumn('synced_at', 'bigint')
      .addColumn('attempted_at', 'bigint', (c) => c.notNull())
      .addColumn('error', 'text')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('entra_groups').ifExists().execute();
    await db.schema.dropTable('teams_unreachable').ifExists().execute();
  },
};
