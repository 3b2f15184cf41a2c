/**
 * The directory as routing and the agent side see it: knowledge workers (see knowledge-worker.ts), the contact
 * center's agents, and the interaction queues that offer customer chats to agents. Plain types: the configuration
 * file's schema (src/config/config-file-schema.ts) checks at compile time that what it parses fits them.
 */
import type { KnowledgeWorker } from './knowledge-worker.js';

/** An agent of the contact center, known to the connector by the id the contact center gives them. */
export interface AgentEntry {
  readonly id: string;
  readonly name: string;
  readonly email?: string | undefined;
  /** The agent's Entra user id when they use Teams too (their contact-center state can show there). */
  readonly entraUserId?: string | undefined;
}

/** An interaction queue: customer chats posted to it are offered to its agents in turn. */
export interface QueueEntry {
  readonly id: string;
  readonly name: string;
  /** Agents (ids of {@link AgentEntry}) offered chats from this queue; may be empty. */
  readonly members: readonly string[];
}

/** The configured directory: experts (knowledge workers) and agents. */
export interface Directory {
  readonly knowledgeWorkers: readonly KnowledgeWorker[];
  readonly agents: readonly AgentEntry[];
}
