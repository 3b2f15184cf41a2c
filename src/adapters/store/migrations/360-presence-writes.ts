/**
 * Presences the connector wrote to Teams and has not cleared: one row per person, written before the Graph call and
 * deleted after the clear, so a restart clears what a crash left behind.
 */
import type { Kysely, Migration } from 'kysely';

/** Creates `presence_writes` (both dialects). */
export const presenceWritesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('presence_writes')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('availability', 'text', (c) => c.notNull())
      .addColumn('activity', 'text', (c) => c.notNull())
      .addColumn('status_message', 'text')
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('presence_writes').ifExists().execute();
  },
};
