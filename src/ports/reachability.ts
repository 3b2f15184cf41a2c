/**
 * Reaching knowledge workers in Teams: why one cannot be reached (kept durably, so the reason survives a restart
 * and every replica sees it), and the port routing uses to make sure a person it is about to offer work to can be
 * reached (installing the app for them first where that is configured).
 */
import type { PersonRef } from '../domain/interaction/types.js';

/**
 * Why a knowledge worker cannot be reached in Teams:
 * - `not-installed`: the app is not installed for them (and proactive install is off), or the Bot Connector no
 *   longer knows the conversation;
 * - `install-failed`: installing the app for them through Graph failed;
 * - `blocked`: they blocked the bot (the Bot Connector answered 403 `MessageWritesBlocked`).
 */
export type UnreachableReason = 'not-installed' | 'install-failed' | 'blocked';

/** One knowledge worker who cannot be reached, why, and since when. */
export interface UnreachableMark {
  /** The knowledge worker's Entra object id. */
  readonly userId: string;
  readonly reason: UnreachableReason;
  /** What was answered, for admins (a Graph or Bot Connector status and code). Never a secret. */
  readonly detail: string;
  /** Epoch ms of the failure that set the mark. */
  readonly since: number;
}

/** Durable marks of knowledge workers who cannot be reached. */
export interface UnreachableStore {
  list(): Promise<UnreachableMark[]>;
  get(userId: string): Promise<UnreachableMark | undefined>;
  put(mark: UnreachableMark): Promise<void>;
  /** Removes a mark; resolves with whether there was one. */
  delete(userId: string): Promise<boolean>;
}

/** What routing asks about reachability. */
export interface Reachability {
  /** Why a knowledge worker cannot be reached now, as a sentence for agents; undefined when they can. Cheap. */
  reasonOf(knowledgeWorkerId: string): string | undefined;
  /**
   * Makes sure the person can be reached before work is offered to them (installs the app for them where proactive
   * install is configured); resolves with why not, or undefined when they can be reached.
   */
  ensure(person: PersonRef): Promise<string | undefined>;
}
