/**
 * The minimal view of agent states and Teams reachability that routing reads.
 *
 * The presence engine (another module) maps Graph presence onto these states; until it lands, the directory's
 * static states stand in (see `createStaticStateView`). Routing only offers work to members that are Ready and
 * reachable in Teams.
 */

/** A contact-center agent state, as the presence mapping publishes it. */
export type AgentState =
  | { readonly kind: 'Ready' }
  | { readonly kind: 'NotReady'; readonly reason?: string | undefined }
  | { readonly kind: 'Busy' }
  | { readonly kind: 'LoggedOut' }
  | { readonly kind: 'Unknown' };

/** The names of the agent states. */
export type AgentStateKind = AgentState['kind'];

/**
 * Reads the current state of a knowledge worker by Entra object id, in a routing point when one is given (mapping
 * rules may differ per routing point). Must be cheap (a map lookup): routing calls it once per candidate member.
 * Unknown ids answer `{ kind: 'Unknown' }`.
 */
export type AgentStateView = (knowledgeWorkerId: string, routingPointId?: string) => AgentState;

/**
 * Says why a knowledge worker cannot be reached in Teams (no conversation reference, app blocked, …),
 * or `undefined` when they can. Default: everyone is reachable.
 */
export type ReachabilityView = (knowledgeWorkerId: string) => string | undefined;

/** The `Ready` state, shared. */
export const READY: AgentState = Object.freeze({ kind: 'Ready' });

/** The `Unknown` state, shared. */
export const UNKNOWN: AgentState = Object.freeze({ kind: 'Unknown' });

/**
 * An `AgentStateView` over a fixed map of states (the directory's static states, or a test table).
 * Ids missing from the map are `Unknown`.
 */
export function createStaticStateView(states: ReadonlyMap<string, AgentState>): AgentStateView {
  return (id) => states.get(id) ?? UNKNOWN;
}

/** Everyone reachable: the default `ReachabilityView`. */
export const everyoneReachable: ReachabilityView = () => undefined;

/**
 * The directory's static states as an `AgentStateView` (until the presence engine lands).
 * Entries without a static state are `Unknown`; `NotReady` carries no reason.
 */
export function createDirectoryStateView(
  entries: Iterable<{ readonly id: string; readonly staticState?: AgentStateKind | undefined }>,
): AgentStateView {
  const states = new Map<string, AgentState>();
  for (const e of entries)
    if (e.staticState) states.set(e.id, e.staticState === 'Ready' ? READY : { kind: e.staticState });
  return createStaticStateView(states);
}
