/** Teams: each user's conversation reference (stored on install) and the activity id of every sent preview card. */
import type { Kysely, Migration } from 'kysely';

export const teamsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('conversation_refs')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('service_url', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('reference', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sent_cards')
      .addColumn('interaction_id', 'text', (c) => c.notNull())
      .addColumn('invitation_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('activity_id', 'text', (c) => c.notNull())
      .addColumn('headline', 'text', (c) => c.notNull())
      .addColumn('from_name', 'text')
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('sent_cards_pk', ['interaction_id', 'invitation_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('sent_cards').ifExists().execute();
    await db.schema.dropTable('conversation_refs').ifExists().execute();
  },
};
