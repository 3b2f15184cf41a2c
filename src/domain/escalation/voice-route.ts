/**
 * The routing-point route for escalating the customer's call (seed 000 step 8): the voice routing point
 * configured on the knowledge-worker routing point that connected the expert, with attached data that
 * identifies the knowledge worker and the consultation, so the voice strategy can find them.
 */
import type { KnowledgeWorker } from '../routing/knowledge-worker.js';
import { type DirectVoiceTarget, dialStringOf, type TeamsIdentity } from './voice-target.js';

/**
 * The attached-data keys set on the routed call. Values are strings; a key is absent when unknown.
 * - `UCC_KnowledgeWorkerId`: the knowledge worker's Entra object id (aadObjectId);
 * - `UCC_KnowledgeWorkerName`: their display name;
 * - `UCC_KnowledgeWorkerUPN`: their user principal name (Teams identity);
 * - `UCC_KnowledgeWorkerSIP`: their SIP URI (`sip:<upn>`);
 * - `UCC_KnowledgeWorkerDN`: their direct voice target (extension or E.164), when one is known;
 * - `UCC_ConsultationId`: the id of the IM interaction in which they accepted;
 * - `UCC_ParentInteractionId`: the interaction the consultation was started from (the customer's), if any;
 * - `UCC_RoutingPointId`: the knowledge-worker routing point that connected them, if any;
 * - `UCC_AgentId`: the agent who asked.
 */
export const voiceAttachedDataKeys = {
  knowledgeWorkerId: 'UCC_KnowledgeWorkerId',
  knowledgeWorkerName: 'UCC_KnowledgeWorkerName',
  upn: 'UCC_KnowledgeWorkerUPN',
  sipUri: 'UCC_KnowledgeWorkerSIP',
  directTarget: 'UCC_KnowledgeWorkerDN',
  consultationId: 'UCC_ConsultationId',
  parentInteractionId: 'UCC_ParentInteractionId',
  routingPointId: 'UCC_RoutingPointId',
  agentId: 'UCC_AgentId',
} as const;

/** The consultation the knowledge worker accepted. */
export interface ConsultationRef {
  readonly interactionId: string;
  readonly parentInteractionId?: string | null | undefined;
  readonly agentId?: string | null | undefined;
  /** The knowledge-worker routing point that offered it (the party's `via`), if any. */
  readonly routingPointId?: string | null | undefined;
}

/** A voice routing point DN with its display name. */
export interface VoiceRoutingPointRef {
  readonly dn: string;
  readonly name?: string | undefined;
}

/** The routing-point route, or none when the routing point has no voice routing point (or there was none). */
export type VoiceRoute =
  | {
      readonly kind: 'routing-point';
      readonly dn: string;
      readonly name: string | null;
      readonly attachedData: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'none'; readonly reason: 'no-voice-routing-point' };

/** Builds the attached data identifying the knowledge worker and the consultation. */
export function voiceAttachedData(
  kw: KnowledgeWorker,
  teams: TeamsIdentity,
  direct: DirectVoiceTarget,
  consultation: ConsultationRef,
): Record<string, string> {
  const k = voiceAttachedDataKeys;
  const data: Record<string, string> = {
    [k.knowledgeWorkerId]: kw.id,
    [k.knowledgeWorkerName]: kw.name,
    [k.consultationId]: consultation.interactionId,
  };
  const optional: [string, string | null | undefined][] = [
    [k.upn, teams.upn],
    [k.sipUri, teams.sipUri],
    [k.directTarget, dialStringOf(direct)],
    [k.parentInteractionId, consultation.parentInteractionId],
    [k.routingPointId, consultation.routingPointId],
    [k.agentId, consultation.agentId],
  ];
  for (const [key, value] of optional) if (value) data[key] = value;
  return data;
}

/** The routing-point route through `voiceRoutingPoint`, or `none` when there is no voice routing point. */
export function resolveVoiceRoute(
  voiceRoutingPoint: VoiceRoutingPointRef | null | undefined,
  kw: KnowledgeWorker,
  teams: TeamsIdentity,
  direct: DirectVoiceTarget,
  consultation: ConsultationRef,
): VoiceRoute {
  if (!voiceRoutingPoint) return { kind: 'none', reason: 'no-voice-routing-point' };
  return {
    kind: 'routing-point',
    dn: voiceRoutingPoint.dn,
    name: voiceRoutingPoint.name ?? null,
    attachedData: voiceAttachedData(kw, teams, direct, consultation),
  };
}
