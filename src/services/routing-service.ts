/**
 * The routing service: answers RouteRequest effects with the routing points' strategies (src/domain/routing). The
 * state the strategies read is the database's, shared by every replica and kept across restarts (the RoutingState
 * port): each knowledge worker's last session end (longest-idle) and each routing point's round-robin cursor, which
 * advances by compare-and-set (a request that lost the race to another replica decides again; requests here take
 * turns). Before knowledge workers are
 * offered the request, it makes sure they can be reached in Teams (the app is installed for them where proactive install is
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
import type { Clock } from '../ports/clock.js';
import type { Reachability } from '../ports/reachability.js';
import type { RouteAnswer, Router } from '../ports/router.js';
import type { RoutingCursor, RoutingState } from '../ports/routing-state.js';
import type { RoutingWaits } from '../ports/routing-waits.js';

/** Decisions taken again, at most, because people picked turned out to be unreachable (each round marks one more). */
const MAX_REACH_ROUNDS = 10;
/** Decisions taken, at most, while other replicas keep advancing the same round-robin cursor first. */
const MAX_CURSOR_ATTEMPTS = 20;

/** Options for {@link RoutingService}. */
export interface RoutingServiceOptions {
  readonly index: () => RoutingIndex;
  readonly stateOf: AgentStateView;
  /** Last session ends and round-robin cursors, durable and shared by replicas. */
  readonly state: RoutingState;
  /** Why a knowledge worker is unreachable in Teams (when `reach` is not given). */
  readonly unreachable?: ReachabilityView | undefined;
  /** Reachability in Teams: read while deciding, and made sure of before an offer. Wins over `unreachable`. */
  readonly reach?: Reachability | undefined;
  readonly queues: readonly QueueEntry[];
  readonly agents: readonly AgentEntry[];
  /** Preview timeout of offers to a queue's agents. */
  readonly queuePreviewTimeoutMs: number;
  /** The time of decisions: routing points wait (`waitMs`) only when it is given. */
  readonly clock?: Clock | undefined;
  /** The requests waiting at routing points: a new wait's place among them. */
  readonly waits?: RoutingWaits | undefined;
}

/**
 * The router of the connector: routing points' strategies on the durable routing state, and queues in turn.
 *
 * Requests that visit the same round-robin routing point are decided one at a time in this process (a turn per
 * routing point, taken in name order), so concurrent requests here never race each other for a cursor; only other
 * replicas can. Each cursor this process advanced or learnt is kept, so the next decision here reads none: a cursor
 * another replica moved meanwhile makes the advance fail, which tells where it is now, and the request decides again.
 */
export class RoutingService implements Router {
  /** Round-robin cursors as last advanced or read here. */
  readonly #cursors = new Map<string, RoutingCursor>();
  /** Per round-robin routing point, the end of the chain of decisions taking turns on it. */
  readonly #turns = new Map<string, Promise<void>>();

  constructor(private readonly options: RoutingServiceOptions) {}

  /** Answers a request; a round-robin offer is made only once its cursor advanced (or after the last attempt). */
  async route(request: RouteRequest): Promise<RouteAnswer> {
    const { roundRobin } = this.visited(request, this.options.index());
    return this.#inTurn([...roundRobin].sort(), () => this.routeInTurn(request));
  }

  private async routeInTurn(request: RouteRequest): Promise<RouteAnswer> {
    for (let attempt = 1; ; attempt++) {
      const index = this.options.index();
      const { lastEnds, cursors } = await this.readState(request, index);
      const decision = await this.decide(request, index, lastEnds, cursors);
      if (decision.kind === 'offer') {
        const cursor = decision.cursor;
        if (cursor) {
          const expected = cursors.get(cursor.routingPointId)?.version ?? 0;
          const moved = await this.options.state.advanceCursor(cursor.routingPointId, expected, cursor.lastOfferedId);
          const now = moved.advanced ? moved.cursor : moved.current;
          if (now) this.#cursors.set(cursor.routingPointId, now);
          else this.#cursors.delete(cursor.routingPointId);
          if (!moved.advanced && attempt < MAX_CURSOR_ATTEMPTS) continue;
        }
        return decision.command;
      }
      if (decision.kind === 'failed') return decision.command;
      if (decision.kind === 'wait') {
        const { command } = decision;
        const waits = this.options.waits;
        const position = waits
          ? await waits.positionAt(command.routingPoint.id, request.priority ?? null, request.interactionId)
          : command.position;
        return { ...command, position };
      }
      return this.routeToQueue(request);
    }
  }

  /** Runs `work` once it holds the turn of every one of `keys` (sorted: two requests never wait for each other). */
  async #inTurn<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const [key, ...rest] = keys;
    if (key === undefined) return work();
    const before = this.#turns.get(key) ?? Promise.resolve();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => held);
    this.#turns.set(key, tail);
    await before;
    try {
      return await this.#inTurn(rest, work);
    } finally {
      release();
      if (this.#turns.get(key) === tail) this.#turns.delete(key);
    }
  }

  /** Decides, making sure the experts picked can be reached (those who cannot are marked, and it decides again). */
  private async decide(
    request: RouteRequest,
    index: RoutingIndex,
    lastEnds: ReadonlyMap<string, number>,
    cursors: ReadonlyMap<string, RoutingCursor>,
  ) {
    const reach = this.options.reach;
    const decideOnce = () =>
      decideRoute(request, {
        index,
        stateOf: this.stateFor(request),
        unreachable: reach ? (id) => reach.reasonOf(id) : this.options.unreachable,
        lastFinishedAt: (id) => lastEnds.get(id),
        cursorOf: (id) => cursors.get(id)?.lastOfferedId,
        now: this.options.clock?.now(),
      });
    let decision = decideOnce();
    for (let round = 0; reach && decision.kind === 'offer' && round < MAX_REACH_ROUNDS; round++) {
      const experts = decision.command.targets.filter((t) => t.kind === 'knowledge-worker');
      const refused = await Promise.all(experts.map((t) => reach.ensure(t)));
      if (refused.every((r) => r === undefined)) break;
      decision = decideOnce();
    }
    return decision;
  }

  /** The routing points this request may visit, by what they rank by: longest-idle members, round-robin points. */
  private visited(request: RouteRequest, index: RoutingIndex) {
    const idle = new Set<string>();
    const roundRobin: string[] = [];
    const seen = new Set<string>();
    let id = request.target.kind === 'routing-point' ? request.target.id : undefined;
    while (id !== undefined && !seen.has(id)) {
      seen.add(id);
      const rp = index.routingPoints.get(id);
      if (!rp) break;
      const strategy = rp.definition.strategy;
      const rank = strategy.kind === 'broadcast' ? strategy.rank : strategy.kind;
      if (rank === 'longest-idle') for (const kw of rp.members) idle.add(kw.id);
      if (rank === 'round-robin') roundRobin.push(id);
      const route = rp.definition.defaultRoute;
      id = route.kind === 'routing-point' ? route.id : undefined;
    }
    return { idle, roundRobin };
  }

  /**
   * Reads the state the routing points this request may visit rank by: last session ends, and the round-robin
   * cursors not known here yet.
   */
  private async readState(request: RouteRequest, index: RoutingIndex) {
    const { idle, roundRobin } = this.visited(request, index);
    const unknown = roundRobin.filter((id) => !this.#cursors.has(id));
    const [lastEnds, read] = await Promise.all([
      this.options.state.lastSessionEnds([...idle]),
      this.options.state.cursors(unknown),
    ]);
    for (const [id, cursor] of read) this.#cursors.set(id, cursor);
    const cursors = new Map<string, RoutingCursor>();
    for (const id of roundRobin) {
      const cursor = this.#cursors.get(id);
      if (cursor) cursors.set(id, cursor);
    }
    return { lastEnds, cursors };
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
