/**
 * The routing feature: the router that answers each routing request with an offer or a failure. It reads the
 * directory's routing index, each knowledge worker's state (the presence engine's mapping, or without presence the
 * directory's static states with a limit of one session), who can be reached in Teams, and the routing state in the
 * database (last session ends, round-robin cursors, requests waiting at routing points), shared by replicas.
 */

import { createSqlRoutingState } from '../adapters/store/sql-routing-state.js';
import { createSqlRoutingWaits } from '../adapters/store/sql-routing-waits.js';
import { type AgentStateView, createDirectoryStateView } from '../domain/routing/agent-state.js';
import type { AgentEntry, QueueEntry } from '../domain/routing/directory.js';
import type { Reachability } from '../ports/reachability.js';
import type { Router } from '../ports/router.js';
import type { RoutingWaits } from '../ports/routing-waits.js';
import { RoutingService } from '../services/routing-service.js';
import type { SessionLoad } from '../services/session-load.js';
import type { Directory } from './directory.js';
import type { Feature, Infrastructure } from './feature.js';
import type { Presence } from './presence.js';

/** The routing settings. */
export interface RoutingSlice {
  /** The configured knowledge workers (their static states apply without presence). */
  readonly knowledgeWorkers: Parameters<typeof createDirectoryStateView>[0];
  readonly agents: readonly AgentEntry[];
  readonly queues: readonly QueueEntry[];
  /** Preview time-out of requests sent to a queue or a named person. */
  readonly namedPreviewTimeoutMs: number;
}

/** The built routing feature. */
export interface Routing extends Feature {
  readonly router: Router;
  /** Each knowledge worker's state for routing (and the directory's answers to agents). */
  readonly stateOf: AgentStateView;
  /** The requests waiting at routing points, in the database. */
  readonly waits: RoutingWaits;
}

/** What routing reads. */
export interface RoutingParts {
  readonly directory: Directory;
  readonly presence: Presence | null;
  readonly load: SessionLoad;
  readonly reach: Reachability | null;
}

/** Builds the router. */
export function createRouting(
  slice: RoutingSlice,
  infra: Infrastructure,
  parts: RoutingParts,
  replacement?: Router,
): Routing {
  const { presence, load } = parts;
  const stateOf: AgentStateView = presence
    ? presence.stateOf
    : busyAtLimit(createDirectoryStateView(slice.knowledgeWorkers), load);
  const waits = createSqlRoutingWaits(infra.database);
  const router =
    replacement ??
    new RoutingService({
      index: () => parts.directory.index(),
      stateOf,
      state: createSqlRoutingState(infra.database),
      reach: parts.reach ?? undefined,
      queues: slice.queues,
      agents: slice.agents,
      queuePreviewTimeoutMs: slice.namedPreviewTimeoutMs,
      clock: infra.clock,
      waits,
    });
  return { name: 'routing', router, stateOf, waits };
}

/** Without the presence engine: a Ready knowledge worker already in a session is Busy for routing (limit 1). */
function busyAtLimit(view: AgentStateView, load: SessionLoad): AgentStateView {
  return (id, routingPointId) => {
    const state = view(id, routingPointId);
    return state.kind === 'Ready' && load.of(id) >= 1 ? { kind: 'Busy' } : state;
  };
}
