/**
 * The SQL {@link RoutingWaits} (migration 340-routing-waits): the waiting columns of `interactions`, written with each
 * request by the interaction store. Waiting requests are ordered by routing point, then priority (none counts as 0,
 * higher first), then arrival. Expired waits are claimed like invitation time-outs (on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`), so each runs out once across replicas.
 */
import { type Kysely, sql } from 'kysely';
import type { RoutingWaits, WaitingRequest } from '../../ports/routing-waits.js';
import type { OpenDatabase } from './open-database.js';
import type { Database } from './schema.js';

type WaitRow = {
  id: string;
  wait_point?: string | null | undefined;
  wait_since?: number | string | null | undefined;
  wait_until?: number | string | null | undefined;
  wait_priority?: number | null | undefined;
};

const columns = ['id', 'wait_point', 'wait_since', 'wait_until', 'wait_priority'] as const;

function waitingOf(r: WaitRow): WaitingRequest {
  return {
    interactionId: r.id,
    routingPointId: r.wait_point ?? '',
    since: Number(r.wait_since),
    until: Number(r.wait_until),
    priority: r.wait_priority == null ? null : Number(r.wait_priority),
  };
}

/** Waiting requests on the database. */
export function createSqlRoutingWaits(database: OpenDatabase): RoutingWaits {
  const db: Kysely<Database> = database.db;
  const isPostgres = database.dialect === 'postgres';
  const rank = sql<number>`coalesce(wait_priority, 0)`;
  return {
    async waiting(limit) {
      const rows = await db
        .selectFrom('interactions')
        .select(columns)
        .where('wait_point', 'is not', null)
        .where('ended_at', 'is', null)
        .orderBy('wait_point')
        .orderBy(rank, 'desc')
        .orderBy('wait_since')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(waitingOf);
    },

    async positionAt(routingPointId, priority, interactionId) {
      const mine = await db
        .selectFrom('interactions')
        .select(columns)
        .where('id', '=', interactionId)
        .where('wait_point', '=', routingPointId)
        .executeTakeFirst();
      const p = mine ? Number(mine.wait_priority ?? 0) : (priority ?? 0);
      let ahead = db
        .selectFrom('interactions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('wait_point', '=', routingPointId)
        .where('ended_at', 'is', null)
        .where('id', '!=', interactionId);
      if (mine) {
        const since = Number(mine.wait_since);
        ahead = ahead.where((eb) =>
          eb.or([
            eb(rank, '>', p),
            eb.and([
              eb(rank, '=', p),
              eb.or([
                eb('wait_since', '<', since),
                eb.and([eb('wait_since', '=', since), eb('id', '<', interactionId)]),
              ]),
            ]),
          ]),
        );
      } else {
        ahead = ahead.where(rank, '>=', p);
      }
      const row = await ahead.executeTakeFirst();
      return Number(row?.n ?? 0) + 1;
    },

    claimExpired: (now, limit, leaseMs) =>
      db.transaction().execute(async (trx) => {
        let due = trx
          .selectFrom('interactions')
          .select(columns)
          .where('wait_until', '<=', now)
          .where('wait_point', 'is not', null)
          .where((eb) => eb.or([eb('wait_claimed_until', 'is', null), eb('wait_claimed_until', '<=', now)]))
          .orderBy('wait_until')
          .limit(limit);
        if (isPostgres) due = due.forUpdate().skipLocked();
        const rows = await due.execute();
        if (rows.length === 0) return [];
        await trx
          .updateTable('interactions')
          .set({ wait_claimed_until: now + leaseMs })
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
        return rows.map(waitingOf);
      }),

    async invitedNow() {
      const rows = await db
        .selectFrom('invitations')
        .select('target_id')
        .distinct()
        .where('state', '=', 'pending')
        .execute();
      return new Set(rows.map((r) => r.target_id));
    },

    async nextExpiryAt() {
      // A claimed wait comes due again when its claim runs out (its replica may have stopped).
      const row = await db
        .selectFrom('interactions')
        .select(
          sql<
            number | null
          >`min(case when wait_claimed_until > wait_until then wait_claimed_until else wait_until end)`.as('next'),
        )
        .where('wait_point', 'is not', null)
        .executeTakeFirst();
      return row?.next == null ? null : Number(row.next);
    },
  };
}
