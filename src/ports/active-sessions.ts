/**
 * The one read model of "who is connected where": the active sessions of knowledge workers, read from the committed
 * interaction state (a knowledge worker is in a session while connected to an interaction that has not ended).
 * Session load counts them; the Teams bot sends a knowledge worker's free-text messages to their current one.
 */

/** One knowledge worker's session in one live interaction. */
export interface ActiveSession {
  readonly knowledgeWorkerId: string;
  readonly interactionId: string;
  /** When they were connected to it (epoch ms). */
  readonly connectedAt: number;
}

/** Reads active sessions. Implemented once, on the interactions and parties tables. */
export interface ActiveSessions {
  /**
   * The active sessions of these knowledge workers (null: of everyone), latest connected first; sessions connected
   * at the same instant are ordered by the interaction's creation (latest first), then by interaction id (descending),
   * so the order is always the same.
   */
  list(knowledgeWorkerIds: readonly string[] | null): Promise<ActiveSession[]>;
}

/**
 * The interaction a knowledge worker's free-text messages go to: their most recently connected live session. When
 * it ends, the one before it (if still live) is current again. Undefined when they are in no session.
 */
export async function currentSession(sessions: ActiveSessions, knowledgeWorkerId: string): Promise<string | undefined> {
  return (await sessions.list([knowledgeWorkerId]))[0]?.interactionId;
}
