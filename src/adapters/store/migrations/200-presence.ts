/**
 * Presence: each knowledge worker's latest published state (snapshot), closed time-in-state periods (history, for
 * reporting), the presence subscriptions held, and the subscriber accounts' encrypted token caches.
 */
import type { Kysely, Migration } from 'kysely';

export const presenceMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('presence_snapshots')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('presence_history')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('presence_history_pk', ['user_id', 'started_at'])
      .execute();
    await db.schema
      .createIndex('presence_history_by_end')
      .on('presence_history')
      .columns(['user_id', 'ended_at'])
      .execute();
    await db.schema
      .createTable('presence_subscriptions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('user_ids', 'text', (c) => c.notNull())
      .addColumn('client_state', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('presence_token_caches')
      .addColumn('account', 'text', (c) => c.primaryKey())
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const t of ['presence_token_caches', 'presence_subscriptions', 'presence_history', 'presence_snapshots'])
      await db.schema.dropTable(t).ifExists().execute();
  },
};
