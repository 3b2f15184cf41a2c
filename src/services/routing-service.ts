/**
 * The routing service: answers RouteRequest effects with the routing points' strategies (src/domain/routing),
 * keeping the round-robin cursors and last-finished times the strategies read. Before knowledge workers are offered
 * the request, it makes sure they can be reached in Teams (the app is installed for them where proactive install is
 * configured); those who cannot are marked and the decision is taken again without them. A queue target offers the
 * queue's agents in turn (src/domain/routing/queue-route.ts). People already in the interaction are never offered it.
 */

import type { Offer, RoutingFailed } from '../domain/interaction/commands.js';
import type { RouteRequest } from '../domain/interaction/effects.js';
import type { AgentStateView, ReachabilityView } from '../domain/routing/agent-state.js';
import { decideRoute } from '../domain/routing/decide-route.js';
import type { AgentEntry, QueueEntry } from '../domain/routing/directory.js';
import { decideForQueue } from '../domain/routing/queue-route.js';
import type { RoutingIndex } from '../domain/routing/routing-index.js';
import type { Reachability } from '../ports/reachability.js';
import type { Router } from '../ports/router.js';

/** Decisions taken again, at most, because people picked turned out to be unreachable (each round marks one more). */
const MAX_REACH_ROUNDS = 10;

/** Options for {@link RoutingService}. */
export interface RoutingServiceOptions {
  readonly index: () => RoutingIndex;
  readonly stateOf: AgentStateView;
  /** Why a knowledge worker is unreachable in Teams (when `reach` is not given). */
  readonly unreachable?: ReachabilityView | undefined;
  /** Reachability in Teams: read while deciding, and made sure of before an offer. Wins over `unreachable`. */
  readonly reach?: Reachability | undefined;
  readonly queues: readonly QueueEntry[];
  readonly agents: readonly AgentEntry[];
  /** Preview timeout of offers to a queue's agents. */
  readonly queuePreviewTimeoutMs: number;
}

export class RoutingService implements Router {
  private readonly cursors = new Map<string, string>();
  private readonly lastFinished = new Map<string, number>();

  constructor(private readonly options: RoutingServiceOptions) {}

  /** Records when a knowledge worker finished an interaction (longest-idle). */
  finished(knowledgeWorkerId: string, at: number): void {
    this.lastFinished.set(knowledgeWorkerId, at);
  }

  async route(request: RouteRequest): Promise<Offer | RoutingFailed> {
    const reach = this.options.reach;
    const decide = () =>
      decideRoute(request, {
        index: this.options.index(),
        stateOf: this.stateFor(request),
        unreachable: reach ? (id) => reach.reasonOf(id) : this.options.unreachable,
        lastFinishedAt: (id) => this.lastFinished.get(id),
        cursorOf: (id) => this.cursors.get(id),
      });
    let decision = decide();
    for (let round = 0; reach && decision.kind === 'offer' && round < MAX_REACH_ROUNDS; round++) {
      const experts = decision.command.targets.filter((t) => t.kind === 'knowledge-worker');
      const refused = await Promise.all(experts.map((t) => reach.ensure(t)));
      if (refused.every((r) => r === undefined)) break;
      decision = decide();
    }
    if (decision.kind === 'offer') {
      if (decision.cursor) this.cursors.set(decision.cursor.routingPointId, decision.cursor.lastOfferedId);
      return decision.command;
    }
    if (decision.kind === 'failed') return decision.command;
    return this.routeToQueue(request);
  }

  /**
   * The states routing reads for a request. The party of an active consultation that a transfer or conference goes
   * to is Busy with that consultation (which ends when they accept): Busy does not keep them from this offer.
   */
  private stateFor(request: RouteRequest): AgentStateView {
    const { stateOf } = this.options;
    const target = request.target;
    if (!request.consultationId || target.kind !== 'person') return stateOf;
    return (id, routingPointId) => {
      const state = stateOf(id, routingPointId);
      return id === target.person.id && state.kind === 'Busy' ? { kind: 'Ready' } : state;
    };
  }

  private routeToQueue(request: RouteRequest): Offer | RoutingFailed {
    const { queues, agents, queuePreviewTimeoutMs } = this.options;
    return decideForQueue(request, { queues, agents, previewTimeoutMs: queuePreviewTimeoutMs });
  }
}
