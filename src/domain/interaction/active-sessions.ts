/**
 * Which knowledge workers an interaction keeps in a session: those connected to it while it has not ended (the
 * connector's own load on them). Pure.
 */
import type { Interaction } from './types.js';

/** The knowledge workers connected to `ix` while it is live; none for an ended interaction or none at all. */
export function activeKnowledgeWorkers(ix: Interaction | undefined): Set<string> {
  const out = new Set<string>();
  if (!ix || ix.endedAt !== null) return out;
  for (const p of ix.parties)
    if (p.person.kind === 'knowledge-worker' && p.status === 'connected') out.add(p.person.id);
  return out;
}

/** The agents connected to `ix` while it is live (an agent's own sessions: chats, IMs, consultations). */
export function activeAgents(ix: Interaction | undefined): Set<string> {
  const out = new Set<string>();
  if (!ix || ix.endedAt !== null) return out;
  for (const p of ix.parties) if (p.person.kind === 'agent' && p.status === 'connected') out.add(p.person.id);
  return out;
}

/** The knowledge workers whose session in this interaction began or ended between `before` and `after`. */
export function sessionChanges(before: Interaction | undefined, after: Interaction): string[] {
  const was = activeKnowledgeWorkers(before);
  const is = activeKnowledgeWorkers(after);
  return [...new Set([...was, ...is])].filter((id) => was.has(id) !== is.has(id));
}

/**
 * An interaction's sessions as of one revision: every knowledge worker who is a party to it, and those of them in a
 * session. Enough for another replica to update its count of sessions without reading the database; the revision
 * lets it ignore a summary older than one it has applied.
 */
export interface SessionSummary {
  readonly interactionId: string;
  readonly revision: number;
  /** Every knowledge-worker party of the interaction. */
  readonly knowledgeWorkers: readonly string[];
  /** Those in a session (connected, the interaction live). */
  readonly live: readonly string[];
}

/** The {@link SessionSummary} of an interaction as committed. */
export function sessionSummaryOf(ix: Interaction): SessionSummary {
  const live = activeKnowledgeWorkers(ix);
  const knowledgeWorkers = [
    ...new Set(ix.parties.filter((p) => p.person.kind === 'knowledge-worker').map((p) => p.person.id)),
  ];
  return { interactionId: ix.id, revision: ix.revision, knowledgeWorkers, live: [...live] };
}
