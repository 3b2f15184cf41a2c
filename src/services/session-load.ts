/**
 * The connector's own load on each knowledge worker: the interactions in which they are connected and which have
 * not ended. Fed by every committed command and seeded from the database at start; a change in a knowledge worker's
 * count is reported (the presence engine turns "at the session limit" into Busy for routing).
 */
import { sql } from 'kysely';
import type { OpenDatabase } from '../adapters/store/open-database.js';
import type { Interaction } from '../domain/interaction/types.js';

/** Counts active sessions per knowledge worker. */
export class SessionLoad {
  readonly #active = new Map<string, Set<string>>();

  constructor(private readonly onChange: (knowledgeWorkerId: string, activeSessions: number) => void) {}

  /** Active sessions of one knowledge worker. */
  of(knowledgeWorkerId: string): number {
    return this.#active.get(knowledgeWorkerId)?.size ?? 0;
  }

  /** Takes the committed state of changed interactions into account. */
  observe(interactions: readonly Interaction[]): void {
    for (const ix of interactions) {
      for (const party of ix.parties) {
        if (party.person.kind !== 'knowledge-worker') continue;
        const live = ix.endedAt === null && party.status === 'connected';
        this.#set(party.person.id, ix.id, live);
      }
    }
  }

  /** Loads the sessions that were active when the connector stopped. */
  async seed(database: OpenDatabase): Promise<void> {
    const rows = await sql<{ person_id: string; interaction_id: string }>`
      select p.person_id, p.interaction_id from parties p join interactions i on i.id = p.interaction_id
      where p.person_kind = 'knowledge-worker' and p.status = 'connected' and i.ended_at is null`.execute(database.db);
    for (const r of rows.rows) this.#set(r.person_id, r.interaction_id, true);
  }

  #set(kw: string, interactionId: string, live: boolean): void {
    let set = this.#active.get(kw);
    const before = set?.size ?? 0;
    if (live) {
      if (!set) {
        set = new Set();
        this.#active.set(kw, set);
      }
      set.add(interactionId);
    } else set?.delete(interactionId);
    const after = set?.size ?? 0;
    if (set && after === 0) this.#active.delete(kw);
    if (after !== before) this.onChange(kw, after);
  }
}
