/**
 * Who may be offered work, and why the others may not: only Ready members, reachable in Teams, not yet offered
 * this request. The causes are counted for the "no expert available" reasons the agent reads.
 */
import type { AgentStateView, ReachabilityView } from './agent-state.js';

/** Why a member was not offered the request. */
export type UnavailableCause = 'declined' | 'unreachable' | 'busy' | 'not-ready' | 'offline';

/** How many members were left out, by cause. */
export type UnavailableCounts = Record<UnavailableCause, number>;

/** What availability is judged from. */
export interface AvailabilityInput {
  readonly stateOf: AgentStateView;
  readonly unreachable: ReachabilityView;
  /** Ids already offered this request (declined, or did not answer). */
  readonly excluded: ReadonlySet<string>;
  /** The routing point whose mapping rules apply, if any. */
  readonly routingPointId?: string | undefined;
}

/**
 * Why a knowledge worker may not be offered the request, or null when they may.
 * Checked in this order: unreachable in Teams (it says more than "did not answer" when a preview could not be
 * delivered), already offered, then the agent state.
 */
export function unavailableCause(id: string, input: AvailabilityInput): UnavailableCause | null {
  if (input.unreachable(id) !== undefined) return 'unreachable';
  if (input.excluded.has(id)) return 'declined';
  const state = input.stateOf(id, input.routingPointId);
  switch (state.kind) {
    case 'Ready':
      return null;
    case 'Busy':
      return 'busy';
    case 'NotReady':
      return 'not-ready';
    default:
      return 'offline';
  }
}

/** Zero counts. */
export function noCounts(): UnavailableCounts {
  return { declined: 0, unreachable: 0, busy: 0, 'not-ready': 0, offline: 0 };
}

/** Counts the causes over a set of member ids. */
export function countUnavailable(ids: Iterable<string>, input: AvailabilityInput): UnavailableCounts {
  const counts = noCounts();
  for (const id of ids) {
    const cause = unavailableCause(id, input);
    if (cause) counts[cause] += 1;
  }
  return counts;
}

/** One member who cannot be reached in Teams, and why. */
export interface UnreachableMember {
  readonly name: string;
  readonly reason: string;
}

/** The members who cannot be reached in Teams, with the reasons, in the order given. */
export function unreachableMembers(
  members: Iterable<{ readonly id: string; readonly name: string }>,
  input: AvailabilityInput,
): UnreachableMember[] {
  const out: UnreachableMember[] = [];
  for (const m of members) {
    const reason = input.unreachable(m.id);
    if (reason !== undefined) out.push({ name: m.name, reason });
  }
  return out;
}

const phrase: Record<UnavailableCause, (n: number) => string> = {
  busy: (n) => `${n} busy`,
  'not-ready': (n) => `${n} not ready`,
  offline: (n) => `${n} offline`,
  declined: (n) => `${n} declined or did not answer`,
  unreachable: (n) => `${n} unreachable in Teams`,
};

const everyone: Record<UnavailableCause, string> = {
  busy: 'everyone is busy',
  'not-ready': 'everyone is not ready',
  offline: 'everyone is offline',
  declined: 'everyone declined or did not answer',
  unreachable: 'everyone is unreachable in Teams',
};

const order: readonly UnavailableCause[] = ['busy', 'not-ready', 'offline', 'declined', 'unreachable'];

/** Describes the counts for a person: "everyone is busy (3)" or "2 busy, 1 offline, 1 declined or did not answer". */
export function describeCounts(counts: UnavailableCounts): string {
  const present = order.filter((c) => counts[c] > 0);
  const only = present.length === 1 ? present[0] : undefined;
  if (only) return `${everyone[only]} (${counts[only]})`;
  return present.map((c) => phrase[c](counts[c])).join(', ');
}
