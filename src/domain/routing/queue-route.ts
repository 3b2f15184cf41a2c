/**
 * The decision for a request to an interaction queue: the queue's agents are offered the request in turn, skipping
 * those offered it already and those already taking part in the interaction (the chat's owner, a conferenced
 * agent). A queue with no one left fails the request, so it never waits for an answer that cannot come.
 */
import type { Offer, RoutingFailed } from '../interaction/commands.js';
import type { RouteRequest } from '../interaction/effects.js';
import type { AgentEntry, QueueEntry } from './directory.js';

/** What a queue decision reads besides the request. */
export interface QueueRoutingContext {
  readonly queues: readonly QueueEntry[];
  readonly agents: readonly AgentEntry[];
  /** Preview timeout of offers to a queue's agents. */
  readonly previewTimeoutMs: number;
}

/** Ids the request must not be offered to: people offered it already, and people already in the interaction. */
export function skippedBy(request: RouteRequest): ReadonlySet<string> {
  return new Set([...request.exclude, ...(request.present ?? [])]);
}

/**
 * Picks the next agent of the request's queue who was not offered the request yet and is not already a party, or
 * fails the request with the reason the agent reads. Pure.
 */
export function decideForQueue(request: RouteRequest, context: QueueRoutingContext): Offer | RoutingFailed {
  const target = request.target;
  const queue = target.kind === 'queue' ? context.queues.find((q) => q.id === target.id) : undefined;
  const fail = (reason: string): RoutingFailed => ({
    type: 'RoutingFailed',
    interactionId: request.interactionId,
    requestId: request.requestId,
    reasons: [reason],
  });
  if (!queue) return fail(`No queue ${target.kind === 'queue' ? target.name : ''} is configured.`);
  const skipped = skippedBy(request);
  const next = queue.members
    .map((id) => context.agents.find((a) => a.id === id))
    .find((a) => a !== undefined && !skipped.has(a.id));
  if (!next) {
    const present = queue.members.filter((id) => request.present?.includes(id)).length;
    const why = present > 0 ? ` (${present} already in the chat)` : '';
    return fail(`No agent of ${queue.name} is left to offer${why}.`);
  }
  return {
    type: 'Offer',
    interactionId: request.interactionId,
    requestId: request.requestId,
    targets: [{ id: next.id, name: next.name, kind: 'agent' }],
    via: { kind: 'queue', id: queue.id, name: queue.name },
    timeoutMs: context.previewTimeoutMs,
  };
}
