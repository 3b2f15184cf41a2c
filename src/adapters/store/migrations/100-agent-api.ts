/**
 * The agent side's tables: API keys (hashed), the event log agents' streams and webhooks read, the contact center
 * each API-created interaction belongs to, webhook subscriptions and their delivery outbox. Both dialects.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Builds the agent-API migration for a dialect (only the auto-increment key differs). */
export const agentApiMigration = (dialect: Dialect): Migration => ({
  up: (db) => up(db, dialect === 'postgres'),
  down,
});

async function up(db: Kysely<unknown>, isPostgres: boolean): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('contact_center', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('agent_events')
    .addColumn('seq', isPostgres ? 'bigserial' : 'integer', (c) =>
      isPostgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('source_id', 'text', (c) => c.notNull().unique())
    .addColumn('contact_center', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('interaction_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('agent_events_stream')
    .on('agent_events')
    .columns(['contact_center', 'agent_id', 'seq'])
    .execute();

  await db.schema
    .createTable('api_interactions')
    .addColumn('interaction_id', 'text', (c) => c.primaryKey())
    .addColumn('contact_center', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contact_center', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('types', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('event_seq', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('webhook_deliveries_pk', ['subscription_id', 'event_seq'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['status', 'next_at'])
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['webhook_deliveries', 'webhook_subscriptions', 'api_interactions', 'agent_events', 'api_keys'])
    await db.schema.dropTable(t).ifExists().execute();
}
