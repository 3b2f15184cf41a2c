/**
 * Scale-out: the `leases` table (named leases replicas hold and renew), a claim column on invitations so a due
 * time-out is taken by one replica, and an index that finds the head of each interaction's outbox queue.
 */
import type { Kysely, Migration } from 'kysely';

export const scaleOutMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('acquired_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('invitations').addColumn('claimed_until', 'bigint').execute();
    await db.schema
      .createIndex('outbox_queue')
      .on('outbox')
      .columns(['interaction_id', 'status', 'revision', 'idx'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('outbox_queue').ifExists().execute();
    await db.schema.alterTable('invitations').dropColumn('claimed_until').execute();
    await db.schema.dropTable('leases').ifExists().execute();
  },
};
