/**
 * The SQL {@link RoutingState} (migration 330-routing-state). Last session ends are read from the parties table (the
 * interaction state committed with the session's end, so exact on every replica and never stored twice), one index
 * step per knowledge worker; round-robin cursors live in `routing_cursors` and advance by a conditional upsert
 * (atomic on both dialects), which on PostgreSQL also reads, in the same statement, the cursor that stopped it.
 */
import { type ColumnType, type Kysely, sql } from 'kysely';
import type { RoutingCursor, RoutingState } from '../../ports/routing-state.js';
import type { OpenDatabase } from './open-database.js';

type Counter = ColumnType<number, number, number>;

/** Knowledge workers whose last session end is read in one statement. */
const CHUNK = 500;

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
      const ids = [...new Set(knowledgeWorkerIds)];
      for (let at = 0; at < ids.length; at += CHUNK) {
        const keys = sql.join(ids.slice(at, at + CHUNK).map((id) => sql`(cast(${id} as text))`));
        // Per knowledge worker, the latest end among their connected parties: one backward step on the index
        // parties_person_ended each (past any previews they only declined), however long their history.
        const { rows } = await sql<{ id: string; ended_at: number | string | null }>`
          select k.column1 as id, (
            select p.ended_at from parties p
            where p.person_id = k.column1 and p.person_kind = 'knowledge-worker'
              and p.connected_at is not null and p.ended_at is not null
            order by p.ended_at desc limit 1
          ) as ended_at
          from (values ${keys}) as k`.execute(parties);
        for (const r of rows) if (r.ended_at !== null) out.set(r.id, Number(r.ended_at));
      }
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
      const toCursor = (r: { last_offered_id: string; version: number | string }): RoutingCursor => ({
        lastOfferedId: r.last_offered_id,
        version: Number(r.version),
      });
      if (database.dialect === 'postgres') {
        // One statement: the conditional upsert, or (when it wrote nothing) the cursor as this statement sees it.
        const { rows } = await sql<{ advanced: boolean; last_offered_id: string; version: number | string }>`
          with up as (
            insert into routing_cursors (routing_point_id, last_offered_id, version)
            values (${routingPointId}, ${lastOfferedId}, ${expectedVersion + 1})
            on conflict (routing_point_id) do update
              set last_offered_id = excluded.last_offered_id, version = routing_cursors.version + 1
              where routing_cursors.version = ${expectedVersion}
            returning last_offered_id, version
          )
          select true as advanced, last_offered_id, version from up
          union all
          select false as advanced, last_offered_id, version from routing_cursors
          where routing_point_id = ${routingPointId} and not exists (select 1 from up)`.execute(database.db);
        const row = rows[0];
        if (row?.advanced) return { advanced: true, cursor: toCursor(row) };
        return { advanced: false, current: row ? toCursor(row) : undefined };
      }
      // SQLite (one writer): the upsert, then the cursor that stopped it.
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
        .returning(['last_offered_id', 'version'])
        .executeTakeFirst();
      if (row) return { advanced: true, cursor: toCursor(row) };
      const current = await db
        .selectFrom('routing_cursors')
        .select(['last_offered_id', 'version'])
        .where('routing_point_id', '=', routingPointId)
        .executeTakeFirst();
      return { advanced: false, current: current ? toCursor(current) : undefined };
    },
  };
}
