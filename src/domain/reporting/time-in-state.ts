/**
 * Time in each agent state from a knowledge worker's presence history, clipped to a reporting range. Pure.
 */
import { describeState } from '../presence/agent-state.js';
import type { StateHistoryRecord } from '../presence/state-change.js';

/** One closed period in a state, clipped to the range. */
export interface StatePeriod {
  /** `Ready`, `NotReady(InAMeeting)`, `Busy`, `LoggedOut` or `Unknown`. */
  readonly state: string;
  readonly kind: StateHistoryRecord['state']['kind'];
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationMs: number;
}

/** The periods of `history` that overlap `[from, to)`, clipped to it, oldest first (empty ones dropped). */
export function clipPeriods(history: readonly StateHistoryRecord[], from: number, to: number): StatePeriod[] {
  const out: StatePeriod[] = [];
  for (const h of history) {
    const startedAt = Math.max(from, h.startedAt);
    const endedAt = Math.min(to, h.endedAt);
    if (endedAt <= startedAt) continue;
    out.push({
      state: describeState(h.state),
      kind: h.state.kind,
      startedAt,
      endedAt,
      durationMs: endedAt - startedAt,
    });
  }
  return out.sort((a, b) => a.startedAt - b.startedAt);
}

/** Milliseconds spent in each state (by label) within the periods. */
export function timeInState(periods: readonly StatePeriod[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const p of periods) totals[p.state] = (totals[p.state] ?? 0) + p.durationMs;
  return totals;
}
