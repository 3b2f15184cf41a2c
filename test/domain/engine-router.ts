/**
 * The router of the engine's property test: the real routing decisions (src/domain/routing) answering RouteRequest
 * effects at once, over a small directory — experts k1 and k2 at the experts' routing point, all Ready, and two
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
const routingIndex = indexOf(
  [
    { id: 'k1', name: 'Expert One' },
    { id: 'k2', name: 'Expert Two' },
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
  ],
);
const everyoneReady = allReady(['k1', 'k2']);

/** The router's answer to a RouteRequest, as the routing service decides it (routing point, person, or queue). */
export function answer(effect: Extract<Effect, { type: 'RouteRequest' }>): Command {
  const decision = decideRoute(effect, { index: routingIndex, stateOf: everyoneReady });
  if (decision.kind !== 'unhandled') return decision.command;
  return decideForQueue(effect, {
    queues: [teamQueue, soloQueue],
    agents: [agent('a1', 'Agent One'), agent('a2', 'Agent Two')],
    previewTimeoutMs: 5_000,
  });
}
