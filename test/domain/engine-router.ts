/**
 * The router of the engine's property test: the real routing decisions (src/domain/routing) answering RouteRequest
 * effects at once, over a small directory — experts k1 and k2 at the experts' routing point, all Ready, k3 never
 * Ready at the waiting routing point (whose default route is the experts' routing point), and two
 * queues of agents whose first member (a1) owns the opening conference.
 */
import type { Command } from '../../src/domain/interaction/commands.js';
import type { Effect } from '../../src/domain/interaction/effects.js';
import { decideRoute } from '../../src/domain/routing/decide-route.js';
import { decideForQueue } from '../../src/domain/routing/queue-route.js';
import { agent, expertsPoint } from '../support/engine-world.js';
import { allReady, indexOf } from './routing/routing-fixture.js';

/** Queues of agents: the owner of the opening conference (a1) is the team's first member, and solo's only one. */
export const teamQueue = { id: 'q-team', name: 'Team', members: ['a1', 'a2'] };
export const soloQueue = { id: 'q-solo', name: 'Solo', members: ['a1'] };
/** A routing point whose one member (k3) is never Ready: requests wait there, then go on to the experts. */
export const waitingPoint = { kind: 'routing-point' as const, id: 'rp-waiting', name: 'Patient Experts' };
const routingIndex = indexOf(
  [
    { id: 'k1', name: 'Expert One' },
    { id: 'k2', name: 'Expert Two' },
    { id: 'k3', name: 'Expert Three' },
  ],
  [
    {
      id: expertsPoint.id,
      name: expertsPoint.name,
      members: { kind: 'static', ids: ['k1', 'k2'] },
      strategy: { kind: 'round-robin' },
      previewTimeoutMs: 5_000,
      maxOffers: 3,
    },
    {
      id: waitingPoint.id,
      name: waitingPoint.name,
      members: { kind: 'static', ids: ['k3'] },
      strategy: { kind: 'round-robin' },
      waitMs: 10_000,
      defaultRoute: { kind: 'routing-point', id: expertsPoint.id },
    },
  ],
);
const everyoneReady = allReady(['k1', 'k2']);

/**
 * The router's answer to a RouteRequest at `now`, as the routing service decides it (routing point, person, or
 * queue): an offer, a failure, or a wait at the waiting routing point.
 */
export function answer(effect: Extract<Effect, { type: 'RouteRequest' }>, now?: number): Command {
  const decision = decideRoute(effect, { index: routingIndex, stateOf: everyoneReady, now });
  if (decision.kind !== 'unhandled') return decision.command;
  return decideForQueue(effect, {
    queues: [teamQueue, soloQueue],
    agents: [agent('a1', 'Agent One'), agent('a2', 'Agent Two')],
    previewTimeoutMs: 5_000,
  });
}
