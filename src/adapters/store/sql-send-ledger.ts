/**
 * The SQL {@link SendLedger} (migration 320-teams-sends): a row per outbox effect sent to Teams, written before the
 * send leaves and marked with the activity id once answered. Rows older than the retention are pruned as new sends
 * begin (an effect is retried for minutes, never days).
 */
import type { ColumnType, Kysely } from 'kysely';
import type { Clock } from '../../ports/clock.js';
import type { SendLedger, SendRecord } from '../../ports/teams/send-ledger.js';
import type { OpenDatabase } from './open-database.js';

type Millis = ColumnType<number, number, number>;

/** Row types of migration 320-teams-sends. */
export type SendTables = {
  teams_sends: {
    effect_id: string;
    user_id: string;
    unanswered: number;
    activity_id: string | null;
    started_at: Millis;
    sent_at: Millis | null;
  };
};

/** How long a send's row is kept (7 days). */
const RETENTION_MS = 7 * 24 * 3600_000;
/** One begin in this many prunes old rows. */
const PRUNE_EVERY = 500;

/** Sends to Teams by effect id, durable. */
export function createSqlSendLedger(database: OpenDatabase, clock: Clock): SendLedger {
  const db = database.db.withTables<SendTables>() as unknown as Kysely<SendTables>;
  let begun = 0;
  return {
    async begin(effectId, userId): Promise<SendRecord> {
      const now = clock.now();
      if (++begun % PRUNE_EVERY === 0) {
        await db
          .deleteFrom('teams_sends')
          .where('started_at', '<', now - RETENTION_MS)
          .execute();
      }
      const row = await db.selectFrom('teams_sends').selectAll().where('effect_id', '=', effectId).executeTakeFirst();
      if (!row) {
        await db
          .insertInto('teams_sends')
          .values({
            effect_id: effectId,
            user_id: userId,
            unanswered: 1,
            activity_id: null,
            started_at: now,
            sent_at: null,
          })
          .execute();
        return { status: 'new' };
      }
      if (row.activity_id !== null) return { status: 'sent', activityId: row.activity_id };
      await db
        .updateTable('teams_sends')
        .set({ unanswered: Number(row.unanswered) + 1, started_at: now })
        .where('effect_id', '=', effectId)
        .execute();
      return { status: 'in-doubt', unanswered: Number(row.unanswered) };
    },
    async sent(effectId, activityId) {
      await db
        .updateTable('teams_sends')
        .set({ activity_id: activityId, sent_at: clock.now() })
        .where('effect_id', '=', effectId)
        .execute();
    },
    async forget(effectId) {
      await db.deleteFrom('teams_sends').where('effect_id', '=', effectId).execute();
    },
  };
}
