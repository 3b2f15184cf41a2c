/** The SQL {@link AgentStateStore} (migration 361-agent-states; agents in sessions from the interaction tables). */
import type { ColumnType, Kysely, Selectable } from 'kysely';
import type { AgentContactState } from '../../domain/presence/agent-presence.js';
import type { AgentStateRecord, AgentStateStore } from '../../ports/presence/agent-state-store.js';
import type { OpenDatabase } from './open-database.js';

/** Row types of migration 361-agent-states. */
export type AgentStateTables = {
  agent_states: {
    agent_id: string;
    state: string;
    reason: string | null;
    media: string | null;
    reported_at: ColumnType<number, number, number>;
  };
};

/** Agent states on the database. */
export function createSqlAgentStateStore(database: OpenDatabase): AgentStateStore {
  const parties = database.db;
  const db = database.db.withTables<AgentStateTables>() as unknown as Kysely<AgentStateTables>;
  const toRecord = (r: Selectable<AgentStateTables['agent_states']>): AgentStateRecord => ({
    agentId: r.agent_id,
    state: r.state as AgentContactState['state'],
    reason: r.reason ?? undefined,
    media: (r.media as AgentContactState['media']) ?? undefined,
    reportedAt: Number(r.reported_at),
  });
  return {
    async put(r) {
      const row = {
        agent_id: r.agentId,
        state: r.state,
        reason: r.reason ?? null,
        media: r.media ?? null,
        reported_at: r.reportedAt,
      };
      await db
        .insertInto('agent_states')
        .values(row)
        .onConflict((oc) =>
          oc.column('agent_id').doUpdateSet({
            state: row.state,
            reason: row.reason,
            media: row.media,
            reported_at: row.reported_at,
          }),
        )
        .execute();
    },
    async inSessions() {
      // The engine's rule (activeAgents in domain/interaction/active-sessions.ts) on the committed state.
      const rows = await parties
        .selectFrom('parties as p')
        .innerJoin('interactions as i', 'i.id', 'p.interaction_id')
        .select(['p.person_id', 'p.interaction_id'])
        .distinct()
        .where('p.person_kind', '=', 'agent')
        .where('p.status', '=', 'connected')
        .where('i.ended_at', 'is', null)
        .execute();
      return rows.map((r) => ({ agentId: r.person_id, interactionId: r.interaction_id }));
    },
    async since(since) {
      return (await db.selectFrom('agent_states').selectAll().where('reported_at', '>=', since).execute()).map(
        toRecord,
      );
    },
  };
}
