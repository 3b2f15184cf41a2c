/**
 * Sends to Teams in flight: each send of an outbox effect is recorded before it leaves and marked with its activity
 * id once the Bot Connector answers, so after a crash a send that started and was never answered is known as in
 * doubt, and one that went through is not repeated.
 */
import type { Kysely, Migration } from 'kysely';

/** Creates `teams_sends` (both dialects). */
export const teamsSendsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('teams_sends')
      .addColumn('effect_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('unanswered', 'integer', (c) => c.notNull())
      .addColumn('activity_id', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('sent_at', 'bigint')
      .execute();
    await db.schema.createIndex('teams_sends_started').on('teams_sends').column('started_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('teams_sends').ifExists().execute();
  },
};
