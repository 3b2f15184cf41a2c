/** The presence engine's agent state in the vocabulary routing and the agent side read. */
import type { AgentState as RoutingState } from '../routing/agent-state.js';
import type { AgentState } from './agent-state.js';

const READY: RoutingState = Object.freeze({ kind: 'Ready' });
const BUSY: RoutingState = Object.freeze({ kind: 'Busy' });
const LOGGED_OUT: RoutingState = Object.freeze({ kind: 'LoggedOut' });
const UNKNOWN: RoutingState = Object.freeze({ kind: 'Unknown' });

/** Maps a presence-derived state onto routing's: Ready, NotReady (with the reason code), Busy, LoggedOut, Unknown. */
export function toRoutingState(state: AgentState): RoutingState {
  switch (state.kind) {
    case 'ready':
      return READY;
    case 'not-ready':
      return { kind: 'NotReady', reason: state.reasonCode };
    case 'busy':
      return BUSY;
    case 'logged-out':
      return LOGGED_OUT;
    default:
      return UNKNOWN;
  }
}
