/**
 * State-change events and the time-in-state history records built from them, for publishing and reporting.
 */
import type { AgentState, PresenceSource } from './agent-state.js';

/** Why a knowledge worker's published state changed. */
export type StateChangeCause = PresenceSource | 'stale' | 'load' | 'rules' | 'tracked';

/** A change of a knowledge worker's published agent state; the agent side publishes each one. */
export interface StateChange {
  readonly userId: string;
  readonly from: AgentState;
  readonly to: AgentState;
  /** When the previous state began (epoch ms); `at - previousSince` is the time spent in `from`. */
  readonly previousSince: number;
  /** When the change happened (epoch ms). */
  readonly at: number;
  readonly cause: StateChangeCause;
}

/** One closed period in one state, for time-in-state reporting. */
export interface StateHistoryRecord {
  readonly userId: string;
  readonly state: AgentState;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationMs: number;
}

/** The history record a state change closes: the period the user spent in `change.from`. */
export function historyRecordFor(change: StateChange): StateHistoryRecord {
  return {
    userId: change.userId,
    state: change.from,
    startedAt: change.previousSince,
    endedAt: change.at,
    durationMs: Math.max(0, change.at - change.previousSince),
  };
}
