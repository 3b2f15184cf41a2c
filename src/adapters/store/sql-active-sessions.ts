/**
 * The active-sessions read model on the database: a query on the interactions and parties tables (both dialects),
 * so "who is connected where" is derived from the committed interaction state and never stored twice. The rule is
 * the engine's own (`activeKnowledgeWorkers` in `domain/interaction/active-sessions.ts`, which judges one interaction
 * in memory): knowledge-worker parties `connected` to an interaction whose `ended_at` is null.
 */
import type { ActiveSession, ActiveSessions } from '../../ports/active-sessions.js';
import type { OpenDatabase } from './open-database.js';

/** {@link ActiveSessions} on the interaction tables: knowledge-worker parties connected to interactions not ended. */
export function createSqlActiveSessions({ db }: OpenDatabase): ActiveSessions {
  return {
    async list(knowledgeWorkerIds) {
      if (knowledgeWorkerIds !== null && knowledgeWorkerIds.length === 0) return [];
      let query = db
        .selectFrom('parties as p')
        .innerJoin('interactions as i', 'i.id', 'p.interaction_id')
        .select(({ fn }) => [
          'p.person_id',
          'p.interaction_id',
          'i.created_at',
          fn.max('p.connected_at').as('connected_at'),
        ])
        .where('p.person_kind', '=', 'knowledge-worker')
        .where('p.status', '=', 'connected')
        .where('i.ended_at', 'is', null)
        .groupBy(['p.person_id', 'p.interaction_id', 'i.created_at']);
      if (knowledgeWorkerIds !== null) query = query.where('p.person_id', 'in', knowledgeWorkerIds);
      const rows = await query
        .orderBy('connected_at', 'desc')
        .orderBy('i.created_at', 'desc')
        .orderBy('p.interaction_id', 'desc')
        .execute();
      return rows.map(
        (r): ActiveSession => ({
          knowledgeWorkerId: r.person_id,
          interactionId: r.interaction_id,
          connectedAt: Number(r.connected_at ?? 0),
        }),
      );
    },
  };
}
