/**
 * The router's decision for a `RouteRequest` effect of the interaction engine: an `Offer` (one person, or a
 * broadcast), or `RoutingFailed` with the reasons ("no expert available": everyone busy, offline, declined,
 * unreachable, with counts). A routing point that finds no one forwards to its default route; the chain is
 * followed here, loop-safe, and the offer names the routing point that found the person.
 */
import type { Offer, RoutingFailed, Wait } from '../interaction/commands.js';
import type { RouteRequest } from '../interaction/effects.js';
import type { MediationRef, PersonRef, WaitSpan } from '../interaction/types.js';
import { type AgentStateView, everyoneReachable, type ReachabilityView } from './agent-state.js';
import { type AvailabilityInput, countUnavailable, unavailableCause, unreachableMembers } from './availability.js';
import type { KnowledgeWorker } from './knowledge-worker.js';
import { type RoutingPointReport, reasonsOf } from './no-expert-report.js';
import { skippedBy } from './queue-route.js';
import type { CompiledRoutingPoint, RoutingIndex } from './routing-index.js';
import { pickMembers } from './strategies.js';

/** What a decision reads besides the request. All lookups must be cheap (map reads). */
export interface RoutingContext {
  readonly index: RoutingIndex;
  readonly stateOf: AgentStateView;
  /** Why a knowledge worker is unreachable in Teams; default: everyone reachable. */
  readonly unreachable?: ReachabilityView | undefined;
  /** When each knowledge worker last finished an interaction (longest-idle); default: never. */
  readonly lastFinishedAt?: ((knowledgeWorkerId: string) => number | undefined) | undefined;
  /** Round-robin cursors by routing point id (the id offered last); default: none. */
  readonly cursorOf?: ((routingPointId: string) => string | undefined) | undefined;
  /**
   * The time of the decision (epoch ms). Routing points wait (`waitMs`) only when it is given; without it every
   * routing point follows its default route at once.
   */
  readonly now?: number | undefined;
}

/** The new round-robin cursor to store: the caller keeps cursors, the decision stays pure. */
export interface CursorUpdate {
  readonly routingPointId: string;
  readonly lastOfferedId: string;
}

/** One routing point's outcome, before the default route is followed. */
export type RoutingPointDecision =
  | { readonly kind: 'offer'; readonly targets: readonly KnowledgeWorker[]; readonly cursor: CursorUpdate | null }
  | { readonly kind: 'forward'; readonly to: string; readonly report: RoutingPointReport }
  /** No one now: the request waits here for a member until `until`. */
  | { readonly kind: 'wait'; readonly until: number; readonly report: RoutingPointReport }
  | { readonly kind: 'to-agent'; readonly report: RoutingPointReport };

/** The decision for a request. `path` lists the routing points visited, in order. */
export type RouteDecision =
  | {
      readonly kind: 'offer';
      readonly command: Offer;
      readonly path: readonly string[];
      readonly cursor: CursorUpdate | null;
    }
  | {
      readonly kind: 'failed';
      readonly command: RoutingFailed;
      readonly path: readonly string[];
      readonly reports: readonly RoutingPointReport[];
    }
  /** No one now: the request waits at the last routing point of `path` (`command.position` is the caller's to set). */
  | {
      readonly kind: 'wait';
      readonly command: Wait;
      readonly path: readonly string[];
      readonly reports: readonly RoutingPointReport[];
    }
  /** Not the router's to serve (a queue: the contact center routes it). */
  | { readonly kind: 'unhandled'; readonly reason: string };

const noCursor = (): undefined => undefined;
const neverFinished = (): undefined => undefined;

function personOf(kw: KnowledgeWorker): PersonRef {
  return { id: kw.id, name: kw.name, kind: 'knowledge-worker' };
}

function mediationOf(rp: CompiledRoutingPoint): MediationRef {
  return { kind: 'routing-point', id: rp.definition.id, name: rp.definition.name };
}

/** How many of this routing point's people were offered the request already (its offers so far). */
function offersMadeAt(rp: CompiledRoutingPoint, excluded: ReadonlySet<string>): number {
  const strategy = rp.definition.strategy;
  if (strategy.kind === 'named') return excluded.has(strategy.knowledgeWorkerId) ? 1 : 0;
  let n = 0;
  for (const id of excluded) if (rp.positionOf.has(id)) n += 1;
  return n;
}

function exhausted(rp: CompiledRoutingPoint, report: RoutingPointReport): RoutingPointDecision {
  const route = rp.definition.defaultRoute;
  return route.kind === 'routing-point' ? { kind: 'forward', to: route.id, report } : { kind: 'to-agent', report };
}

/**
 * No one at this routing point now: it waits for a member while its wait lasts (`waitMs`, counted from the first
 * time this request waited here), then follows its default route with the wait named in the reason. A routing point
 * that reached its maximum of offers does not wait.
 */
function waitOrGiveUp(
  rp: CompiledRoutingPoint,
  report: RoutingPointReport,
  now: number | undefined,
  waits: Readonly<Record<string, WaitSpan>>,
): RoutingPointDecision {
  const waitMs = rp.definition.waitMs;
  const span = waits[rp.definition.id];
  if (report.cause === 'max-offers' || now === undefined || (waitMs <= 0 && !span)) return exhausted(rp, report);
  const until = span?.until ?? now + waitMs;
  if (until > now) return { kind: 'wait', until, report };
  return exhausted(rp, { ...report, waitedMs: until - (span?.since ?? now - waitMs) });
}

/**
 * Decides at one routing point, without following its default route: whom to offer, or why no one.
 * `excluded` holds everyone offered this request so far; it counts toward this routing point's maximum of offers
 * when they are its members. `present` holds the people already in the interaction: never picked, not counted.
 */
export function decideAtRoutingPoint(
  rp: CompiledRoutingPoint,
  excluded: ReadonlySet<string>,
  context: RoutingContext,
  present: readonly string[] = [],
  waits: Readonly<Record<string, WaitSpan>> = {},
): RoutingPointDecision {
  const def = rp.definition;
  const giveUp = (report: RoutingPointReport) => waitOrGiveUp(rp, report, context.now, waits);
  const availability: AvailabilityInput = {
    stateOf: context.stateOf,
    unreachable: context.unreachable ?? everyoneReachable,
    excluded: present.length === 0 ? excluded : new Set([...excluded, ...present]),
    routingPointId: def.id,
  };
  const offered = offersMadeAt(rp, excluded);
  const base = { routingPointId: def.id, name: def.name, offered, maxOffers: def.maxOffers };
  if (offered >= def.maxOffers) {
    return giveUp({ ...base, cause: 'max-offers', counts: null, unqualified: 0, unknown: 0, unreachable: [] });
  }
  const strategy = def.strategy;
  if (strategy.kind === 'named') {
    const kw = context.index.knowledgeWorkers.get(strategy.knowledgeWorkerId);
    if (kw && unavailableCause(kw.id, availability) === null) return { kind: 'offer', targets: [kw], cursor: null };
    const counts = kw ? countUnavailable([kw.id], availability) : null;
    const cause = kw ? 'no-one-ready' : 'no-members';
    const unreachable = kw ? unreachableMembers([kw], availability) : [];
    return giveUp({ ...base, cause, counts, unqualified: 0, unknown: kw ? 0 : 1, unreachable });
  }
  const rank =
    strategy.kind === 'broadcast' ? strategy.rank : strategy.kind === 'priority' ? 'priority' : strategy.kind;
  const wanted = Math.min(strategy.kind === 'broadcast' ? strategy.size : 1, def.maxOffers - offered);
  const picked = pickMembers(rp, rank, wanted, {
    ...availability,
    lastFinishedAt: context.lastFinishedAt ?? neverFinished,
    cursor: rank === 'round-robin' ? (context.cursorOf ?? noCursor)(def.id) : undefined,
  });
  const last = picked.at(-1);
  if (last) {
    const cursor = rank === 'round-robin' ? { routingPointId: def.id, lastOfferedId: last.id } : null;
    return { kind: 'offer', targets: picked, cursor };
  }
  const pool = rank === 'priority' ? rp.priorityOrder : rp.members;
  const extra = { unqualified: rank === 'priority' ? rp.unqualifiedCount : 0, unknown: rp.unknownMemberIds.length };
  if (pool.length === 0) return giveUp({ ...base, cause: 'no-members', counts: null, ...extra, unreachable: [] });
  const counts = countUnavailable(
    pool.map((kw) => kw.id),
    availability,
  );
  const unreachable = unreachableMembers(pool, availability);
  return giveUp({ ...base, cause: 'no-one-ready', counts, ...extra, unreachable });
}

function decideForPerson(request: RouteRequest, person: PersonRef, context: RoutingContext): RouteDecision {
  const failed = (reason: string): RouteDecision => ({
    kind: 'failed',
    command: {
      type: 'RoutingFailed',
      interactionId: request.interactionId,
      requestId: request.requestId,
      reasons: [reason],
    },
    path: [],
    reports: [],
  });
  const offer = (target: PersonRef): RouteDecision => ({
    kind: 'offer',
    command: {
      type: 'Offer',
      interactionId: request.interactionId,
      requestId: request.requestId,
      targets: [target],
      via: null,
      timeoutMs: context.index.namedPreviewTimeoutMs,
    },
    path: [],
    cursor: null,
  });
  // Agents' availability is the contact center's business: a named agent is offered as asked.
  if (person.kind !== 'knowledge-worker') return offer(person);
  const kw = context.index.knowledgeWorkers.get(person.id);
  if (!kw) return failed(`${person.name} is not in the knowledge-worker directory.`);
  const availability: AvailabilityInput = {
    stateOf: context.stateOf,
    unreachable: context.unreachable ?? everyoneReachable,
    excluded: skippedBy(request),
  };
  const cause = unavailableCause(kw.id, availability);
  if (cause === null) return offer(personOf(kw));
  const why = {
    declined: 'declined or did not answer',
    unreachable: `is unreachable in Teams (${availability.unreachable(kw.id) ?? 'unknown reason'})`,
    busy: 'is busy',
    'not-ready': 'is not ready',
    offline: 'is offline',
  }[cause];
  return failed(`${kw.name} ${why}.`);
}

/**
 * Decides how to serve a `RouteRequest`: follows the routing point's strategy, then its default route (another
 * routing point, loop-safe, or back to the agent). Pure: the caller stores `cursor` when one is returned.
 */
export function decideRoute(request: RouteRequest, context: RoutingContext): RouteDecision {
  const target = request.target;
  if (target.kind === 'person') return decideForPerson(request, target.person, context);
  if (target.kind === 'queue') {
    return { kind: 'unhandled', reason: `Queue ${target.name} is served by the contact center, not the router.` };
  }
  const excluded = new Set(request.exclude);
  const path: string[] = [];
  const reports: RoutingPointReport[] = [];
  const fail = (extra: string[]): RouteDecision => ({
    kind: 'failed',
    command: {
      type: 'RoutingFailed',
      interactionId: request.interactionId,
      requestId: request.requestId,
      reasons: [...reasonsOf(reports), ...extra],
    },
    path,
    reports,
  });
  let id = target.id;
  for (;;) {
    const rp = context.index.routingPoints.get(id);
    if (!rp) return fail([`Routing point ${id === target.id ? target.name : id} is not configured.`]);
    path.push(id);
    const step = decideAtRoutingPoint(rp, excluded, context, request.present ?? [], request.waits ?? {});
    if (step.kind === 'offer') {
      const command: Offer = {
        type: 'Offer',
        interactionId: request.interactionId,
        requestId: request.requestId,
        targets: step.targets.map(personOf),
        via: mediationOf(rp),
        timeoutMs: rp.definition.previewTimeoutMs,
      };
      return { kind: 'offer', command, path, cursor: step.cursor };
    }
    reports.push(step.report);
    if (step.kind === 'wait') {
      const command: Wait = {
        type: 'Wait',
        interactionId: request.interactionId,
        requestId: request.requestId,
        routingPoint: mediationOf(rp),
        until: step.until,
        position: 1,
        reasons: reasonsOf(reports),
      };
      return { kind: 'wait', command, path, reports };
    }
    if (step.kind === 'to-agent') return fail([]);
    if (path.includes(step.to)) {
      const back = context.index.routingPoints.get(step.to)?.definition.name ?? step.to;
      return fail([`The default route of ${rp.definition.name} leads back to ${back}; routing stopped.`]);
    }
    id = step.to;
  }
}
