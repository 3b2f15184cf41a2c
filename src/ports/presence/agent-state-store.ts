/**
 * The agent state store port: the last contact-center state reported for each agent (through the agent API), so
 * every replica (and a restarted connector) knows what their Teams presence should show.
 */
import type { AgentContactState } from '../../domain/presence/agent-presence.js';

/** One agent's last reported state. */
export interface AgentStateRecord extends AgentContactState {
  readonly agentId: string;
  /** When it was reported (epoch ms). */
  readonly reportedAt: number;
}

/** Durable agent states. */
export interface AgentStateStore {
  /** Records an agent's state (replacing the previous one). */
  put(record: AgentStateRecord): Promise<void>;
  /** The states reported at or after `since` (epoch ms; 0: all). */
  since(since: number): Promise<AgentStateRecord[]>;
  /** The agents connected to an interaction that has not ended, with it (the sessions the connector itself sees). */
  inSessions(): Promise<{ readonly agentId: string; readonly interactionId: string }[]>;
}
