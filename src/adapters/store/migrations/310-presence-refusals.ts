/**
 * Presence subscriptions whose notifications are all refused (their validation tokens do not verify): since when,
 * so the admin's self-test and every replica see such a subscription as unhealthy.
 */
import type { Kysely, Migration } from 'kysely';

/** Adds `presence_subscriptions.refused_since` (both dialects). */
export const presenceRefusalsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('presence_subscriptions').addColumn('refused_since', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('presence_subscriptions').dropColumn('refused_since').execute();
  },
};
