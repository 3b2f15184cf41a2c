/**
 * A call at a voice routing point as the API shows it: read from its interaction (the call, its knowledge worker,
 * the preview's deadline) and the decision (`callDecisionOf`), with the target resolved now: the knowledge worker's
 * direct voice target, or the voice routing point's default route. Pure.
 */
import { callDecisionOf } from '../../domain/escalation/call-decision.js';
import type { ResolvedVoiceRoutingPoint } from '../../domain/escalation/voice-routing-points.js';
import { dialStringOf, type Escalation, resolveDirectVoiceTarget } from '../../domain/escalation/voice-target.js';
import type { Interaction } from '../../domain/interaction/types.js';
import type { RoutingIndex } from '../../domain/routing/routing-index.js';
import type { VoiceCallView } from './voice-call-schemas.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The view of call `ix`. `routingPoint` is its voice routing point's settings now (undefined when it is no longer
 * configured: the call keeps the name it arrived with, the rule it was decided by, and no default route).
 */
export function voiceCallView(
  ix: Interaction,
  routingPoint: ResolvedVoiceRoutingPoint | undefined,
  index: RoutingIndex,
  escalation: Escalation,
): VoiceCallView {
  const party = ix.parties.find((p) => p.person.kind === 'knowledge-worker');
  const kwRef = party?.person ?? { id: '', name: '' };
  const dn = ix.origin.kind === 'voice-call' ? ix.origin.dn : (ix.mediation?.id ?? '');
  const from = ix.origin.kind === 'voice-call' ? ix.origin.from : null;
  const decision = callDecisionOf(ix);
  const base = {
    id: ix.id,
    routingPoint: { dn, name: party?.via?.name ?? routingPoint?.name ?? dn },
    rule: ix.invitations.length > 0 ? ('preview' as const) : ('direct' as const),
    knowledgeWorker: { id: kwRef.id, name: kwRef.name },
    from: from ? { id: from.id, name: from.name } : null,
    attachedData: { ...ix.attachedData },
    receivedAt: iso(ix.createdAt),
  };
  if (decision.status === 'previewing') {
    return { ...base, status: 'previewing', expiresAt: iso(decision.expiresAt), decision: null };
  }
  if (decision.status === 'abandoned') return { ...base, status: 'abandoned', expiresAt: null, decision: null };
  let target: NonNullable<VoiceCallView['decision']>['target'];
  const kw = index.knowledgeWorkers.get(kwRef.id);
  if (decision.route === 'knowledge-worker' && kw) {
    const { direct, teams } = resolveDirectVoiceTarget(kw, escalation);
    const plain = direct.kind === 'none' ? { ...direct, refused: [...direct.refused] } : direct;
    target = { kind: 'knowledge-worker', dn: dialStringOf(direct), direct: plain, teams };
  } else if (decision.route === 'knowledge-worker') {
    // No longer in the directory: what to dial is unknown, their identity is what the call was routed by.
    const direct = { kind: 'none' as const, reason: 'no-voice-target-configured' as const, refused: [] };
    target = { kind: 'knowledge-worker', dn: null, direct, teams: { aadObjectId: kwRef.id, upn: null, sipUri: null } };
  } else {
    const route = routingPoint?.defaultRoute ?? null;
    target = { kind: 'default', dn: route?.dn ?? null, name: route?.name ?? null };
  }
  return {
    ...base,
    status: 'decided',
    expiresAt: null,
    decision: { route: decision.route, reason: decision.reason, decidedAt: iso(decision.decidedAt), target },
  };
}
