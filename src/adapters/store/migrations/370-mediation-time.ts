/**
 * Mediation time (Info Mart: time in queues and strategies, kept beside the handling facts): when a party's request
 * began waiting at the routing point that offered it (`parties.mediated_since`, so a restart and every replica keep
 * it), and each resource fact's mediation time (`resource_facts.mediation_ms`). Both are null when there was none.
 */
import type { Kysely, Migration } from 'kysely';

/** Adds the mediation columns (both dialects). */
export const mediationTimeMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('parties').addColumn('mediated_since', 'bigint').execute();
    await db.schema.alterTable('resource_facts').addColumn('mediation_ms', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('resource_facts').dropColumn('mediation_ms').execute();
    await db.schema.alterTable('parties').dropColumn('mediated_since').execute();
  },
};
