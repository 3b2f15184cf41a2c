/**
 * The SQL {@link RoutingState} (migration 330-routing-state). Last session ends are read from the parties table (the
 * interaction state committed with the session's end, so exact on every replica and never stored twice); round-robin
 * cursors live in `routing_cursors` and advance by a conditional upsert (one statement, atomic on both dialects).
 */
import { type ColumnType, type Kysely, sql } from 'kysely';
import type { RoutingCursor, RoutingState } from '../../ports/routing-state.js';
import type { OpenDatabase } from './open-database.js';

type Counter = ColumnType<number, number, number>;

/** Row types of migration 330-routing-state. */
export type RoutingStateTables = {
  routing_cursors: { routing_point_id: string; last_offered_id: string; version: Counter };
};

/** Routing state on the database. */
export function createSqlRoutingState(database: OpenDatabase): RoutingState {
  const parties = database.db;
  const db = database.db.withTables<RoutingStateTables>() as unknown as Kysely<RoutingStateTables>;
  return {
    async lastSessionEnds(knowledgeWorkerIds) {
      const out = new Map<string, number>();
      if (knowledgeWorkerIds.length === 0) return out;
      const rows = await parties
        .selectFrom('parties')
        .select(({ fn }) => ['person_id', fn.max('ended_at').as('ended_at')])
        .where('person_kind', '=', 'knowledge-worker')
        .where('person_id', 'in', knowledgeWorkerIds)
        .where('connected_at', 'is not', null)
        .where('ended_at', 'is not', null)
        .groupBy('person_id')
        .execute();
      for (const r of rows) if (r.ended_at !== null) out.set(r.person_id, Number(r.ended_at));
      return out;
    },
    async cursors(routingPointIds) {
      const out = new Map<string, RoutingCursor>();
      if (routingPointIds.length === 0) return out;
      const rows = await db
        .selectFrom('routing_cursors')
        .selectAll()
        .where('routing_point_id', 'in', routingPointIds)
        .execute();
      for (const r of rows)
        out.set(r.routing_point_id, { lastOfferedId: r.last_offered_id, version: Number(r.version) });
      return out;
    },
    async advanceCursor(routingPointId, expectedVersion, lastOfferedId) {
      const row = await db
        .insertInto('routing_cursors')
        .values({ routing_point_id: routingPointId, last_offered_id: lastOfferedId, version: expectedVersion + 1 })
        .onConflict((oc) =>
          oc
            .column('routing_point_id')
            .doUpdateSet({
              last_offered_id: lastOfferedId,
              version: sql<number>`routing_cursors.version + 1`,
            })
            .where('routing_cursors.version', '=', expectedVersion),
        )
        .returning('version')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
