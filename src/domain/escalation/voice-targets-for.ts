/**
 * Everything the agent can escalate the customer's call to once a knowledge worker accepted a consultation
 * (seed 000 steps 7 to 9): the direct target with the Teams identity, and the routing-point route.
 * Read from the interaction itself, so only an expert who really accepted is handed back.
 */
import type { Interaction, Party } from '../interaction/types.js';
import type { RoutingIndex } from '../routing/routing-index.js';
import { resolveVoiceRoute, type VoiceRoute } from './voice-route.js';
import {
  type DirectVoiceTarget,
  type Escalation,
  type GraphUserPhones,
  resolveDirectVoiceTarget,
  type TeamsIdentity,
} from './voice-target.js';

/** The voice targets of the accepted expert, or why there are none. */
export type VoiceTargetsResult =
  | {
      readonly kind: 'ready';
      readonly knowledgeWorker: { readonly id: string; readonly name: string };
      readonly direct: DirectVoiceTarget;
      readonly teams: TeamsIdentity;
      readonly route: VoiceRoute;
    }
  /** No knowledge worker is connected to this interaction (no one accepted yet, or they left). */
  | { readonly kind: 'no-accepted-expert'; readonly interactionId: string }
  /** The connected knowledge worker is no longer in the directory. */
  | { readonly kind: 'unknown-knowledge-worker'; readonly knowledgeWorkerId: string };

/** The knowledge-worker party connected to the interaction (the latest one), if any. */
export function acceptedKnowledgeWorkerOf(ix: Interaction): Party | undefined {
  return ix.parties.findLast((p) => p.person.kind === 'knowledge-worker' && p.status === 'connected');
}

/**
 * Resolves the voice targets of the knowledge worker connected to `ix`.
 * `graph` holds fresh Graph phone fields when the caller fetched them; otherwise the directory's copies are used.
 */
export function voiceTargetsFor(
  ix: Interaction,
  index: RoutingIndex,
  options: Escalation,
  graph?: GraphUserPhones,
): VoiceTargetsResult {
  const party = acceptedKnowledgeWorkerOf(ix);
  if (!party) return { kind: 'no-accepted-expert', interactionId: ix.id };
  const kw = index.knowledgeWorkers.get(party.person.id);
  if (!kw) return { kind: 'unknown-knowledge-worker', knowledgeWorkerId: party.person.id };
  const { direct, teams } = resolveDirectVoiceTarget(kw, options, graph);
  const rpId = party.via?.kind === 'routing-point' ? party.via.id : null;
  const voiceRoutingPoint = rpId ? index.routingPoints.get(rpId)?.definition.voiceRoutingPoint : undefined;
  const initiator = ix.parties.find((p) => p.role === 'Initiated');
  const route = resolveVoiceRoute(voiceRoutingPoint, kw, teams, direct, {
    interactionId: ix.id,
    parentInteractionId: ix.origin.kind === 'consultation' ? ix.origin.parentInteractionId : null,
    agentId: initiator?.person.kind === 'agent' ? initiator.person.id : null,
    routingPointId: rpId,
  });
  return { kind: 'ready', knowledgeWorker: { id: kw.id, name: kw.name }, direct, teams, route };
}
