/**
 * Requests waiting at routing points for a member to become available: the waiting entry of each interaction's open
 * request, as columns of `interactions` written with the request in the same statement, so every replica reads the
 * same order and deadlines, and a restart keeps them. `wait_claimed_until` is the claim of the replica that expires a
 * wait (as `invitations.claimed_until` is for time-outs).
 */
import type { Kysely, Migration } from 'kysely';

/** Adds the waiting columns and their indexes to `interactions` (both dialects). */
export const routingWaitsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('interactions').addColumn('wait_point', 'text').execute();
    await db.schema.alterTable('interactions').addColumn('wait_since', 'bigint').execute();
    await db.schema.alterTable('interactions').addColumn('wait_until', 'bigint').execute();
    await db.schema.alterTable('interactions').addColumn('wait_priority', 'integer').execute();
    await db.schema.alterTable('interactions').addColumn('wait_claimed_until', 'bigint').execute();
    await db.schema
      .createIndex('interactions_wait_point')
      .on('interactions')
      .columns(['wait_point', 'wait_since'])
      .execute();
    await db.schema.createIndex('interactions_wait_until').on('interactions').column('wait_until').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('interactions_wait_until').ifExists().execute();
    await db.schema.dropIndex('interactions_wait_point').ifExists().execute();
    for (const column of ['wait_claimed_until', 'wait_priority', 'wait_until', 'wait_since', 'wait_point'])
      await db.schema.alterTable('interactions').dropColumn(column).execute();
  },
};
