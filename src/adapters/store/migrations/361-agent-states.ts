/** The last contact-center state reported for each agent through the agent API (their Teams presence follows it). */
import type { Kysely, Migration } from 'kysely';

/** Creates `agent_states` (both dialects). */
export const agentStatesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('agent_states')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('media', 'text')
      .addColumn('reported_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('agent_states_reported_at').on('agent_states').column('reported_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('agent_states').ifExists().execute();
  },
};
