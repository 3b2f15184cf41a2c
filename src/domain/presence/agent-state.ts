/**
 * Agent states as the contact center sees a knowledge worker, and the presence observations they come from.
 *
 * Pure data. Times are epoch milliseconds handed in by the caller.
 */

/** The kinds of agent state. `unknown` is ours: presence not confirmed recently enough to be trusted. */
export type AgentStateKind = 'ready' | 'not-ready' | 'busy' | 'logged-out' | 'unknown';

/** An agent state; `not-ready` carries a reason code (by default the Graph activity, e.g. `InAMeeting`). */
export type AgentState =
  | { readonly kind: 'ready' }
  | { readonly kind: 'not-ready'; readonly reasonCode: string }
  | { readonly kind: 'busy' }
  | { readonly kind: 'logged-out' }
  | { readonly kind: 'unknown' };

/** Where a presence value came from. */
export type PresenceSource = 'poll' | 'notification';

/**
 * One presence value observed for a user, as Graph reports it.
 * `availability` and `activity` are open enums (Graph adds values); they are compared case-insensitively.
 */
export interface PresenceObservation {
  /** Entra object id of the knowledge worker. */
  readonly userId: string;
  readonly availability: string;
  readonly activity: string;
  /** Graph's lexicographically sortable version stamp, when sent. Orders observations when both carry one. */
  readonly sequenceNumber?: string | undefined;
  /** When we observed it (poll response time or notification receipt), epoch ms. */
  readonly observedAt: number;
  readonly source: PresenceSource;
}

/** Shared constant states (no allocation per user). */
export const READY: AgentState = Object.freeze({ kind: 'ready' });
/** The Busy state (also used when a knowledge worker is at their concurrent-session limit). */
export const BUSY: AgentState = Object.freeze({ kind: 'busy' });
/** The LoggedOut state. */
export const LOGGED_OUT: AgentState = Object.freeze({ kind: 'logged-out' });
/** The Unknown state: stale or never confirmed presence; never routable. */
export const UNKNOWN: AgentState = Object.freeze({ kind: 'unknown' });

const notReadyCache = new Map<string, AgentState>();

/** A NotReady state with `reasonCode`; instances are shared per reason code to keep memory per user small. */
export function notReady(reasonCode: string): AgentState {
  let s = notReadyCache.get(reasonCode);
  if (!s) {
    s = Object.freeze({ kind: 'not-ready', reasonCode });
    if (notReadyCache.size < 10_000) notReadyCache.set(reasonCode, s);
  }
  return s;
}

/** True when two states are the same (kind and reason code). */
export function sameState(a: AgentState, b: AgentState): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== 'not-ready' || a.reasonCode === (b as { reasonCode: string }).reasonCode;
}

/** Whether a knowledge worker in this state may be offered work: only Ready is routable. */
export function isRoutable(state: AgentState): boolean {
  return state.kind === 'ready';
}

/** A short label for logs and reports: `Ready`, `NotReady(InAMeeting)`, `Busy`, `LoggedOut`, `Unknown`. */
export function describeState(state: AgentState): string {
  switch (state.kind) {
    case 'ready':
      return 'Ready';
    case 'not-ready':
      return `NotReady(${state.reasonCode})`;
    case 'busy':
      return 'Busy';
    case 'logged-out':
      return 'LoggedOut';
    case 'unknown':
      return 'Unknown';
  }
}
