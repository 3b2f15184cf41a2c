/**
 * Routing state shared by every replica: each routing point's round-robin cursor (`routing_cursors`), and an index on
 * the parties table so each knowledge worker's last session end (longest-idle) is read cheaply from the interaction
 * state itself.
 */
import type { Kysely, Migration } from 'kysely';

/** Creates `routing_cursors` and the index `parties_person_ended` (both dialects). */
export const routingStateMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('routing_cursors')
      .addColumn('routing_point_id', 'text', (c) => c.primaryKey())
      .addColumn('last_offered_id', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('parties_person_ended').on('parties').columns(['person_id', 'ended_at']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('parties_person_ended').ifExists().execute();
    await db.schema.dropTable('routing_cursors').ifExists().execute();
  },
};
