/** The interaction engine's tables: interactions, parties, invitations, transcripts, facts, outbox. */
import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Builds the migration for a dialect (only the auto-increment key differs). */
export const interactionsMigration = (dialect: Dialect): Migration => ({
  up: (db) => up(db, dialect === 'postgres'),
  down,
});

async function up(db: Kysely<unknown>, isPostgres: boolean): Promise<void> {
  await db.schema
    .createTable('interactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('media', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('attached_data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('owner_party_id', 'text')
    .addColumn('mediation', 'text')
    .addColumn('home_queue', 'text')
    .addColumn('mediation_since', 'bigint')
    .addColumn('request', 'text')
    .addColumn('consultation_ids', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('request_count', 'integer', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('interactions_ended_at').on('interactions').column('ended_at').execute();

  await db.schema
    .createTable('parties')
    .addColumn('interaction_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('person_name', 'text', (c) => c.notNull())
    .addColumn('person_kind', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('invitation_id', 'text')
    .addColumn('via', 'text')
    .addColumn('invited_at', 'bigint', (c) => c.notNull())
    .addColumn('connected_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('exit', 'text')
    .addPrimaryKeyConstraint('parties_pk', ['interaction_id', 'id'])
    .execute();
  await db.schema.createIndex('parties_person').on('parties').columns(['person_id', 'status']).execute();

  await db.schema
    .createTable('invitations')
    .addColumn('interaction_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('target_name', 'text', (c) => c.notNull())
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('inviter_party_id', 'text')
    .addColumn('via', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('revoke_cause', 'text')
    .addColumn('ended_at', 'bigint')
    .addPrimaryKeyConstraint('invitations_pk', ['interaction_id', 'id'])
    .execute();
  await db.schema.createIndex('invitations_due').on('invitations').columns(['state', 'due_at']).execute();

  await db.schema
    .createTable('transcript_entries')
    .addColumn('interaction_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text')
    .addColumn('name', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('event', 'text')
    .addPrimaryKeyConstraint('transcript_entries_pk', ['interaction_id', 'seq'])
    .execute();

  await db.schema
    .createTable('resource_facts')
    .addColumn('id', isPostgres ? 'bigserial' : 'integer', (c) =>
      isPostgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('interaction_id', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text')
    .addColumn('media', 'text', (c) => c.notNull())
    .addColumn('resource_kind', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('routing_point_id', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('alert_ms', 'bigint', (c) => c.notNull())
    .addColumn('engage_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('resource_facts_ended').on('resource_facts').column('ended_at').execute();
  await db.schema.createIndex('resource_facts_interaction').on('resource_facts').column('interaction_id').execute();
  // One fact per participation: a re-executed command can never write a second one.
  await sql`create unique index resource_facts_party on resource_facts (interaction_id, party_id) where party_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('interaction_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('effect', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('available_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_pending').on('outbox').columns(['status', 'available_at']).execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['outbox', 'resource_facts', 'transcript_entries', 'invitations', 'parties', 'interactions']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
