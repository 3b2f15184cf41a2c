/**
 * A customer's call arriving at a voice routing point to reach a knowledge worker (seed 000 step 8): the strategy
 * previews it to the knowledge worker named by the attached data (Accept / Decline, with a time-out), or routes it to
 * them at once (the `direct` business rule). The connector never carries the call: once it is decided, the
 * interaction ends, and what it records is the knowledge worker's participation and the routing point's mediation.
 */
import type { AbandonCall, ReceiveCall } from '../commands.js';
import type { Draft } from '../draft.js';
import { addParty, endInteraction, endParty } from '../operations.js';
import { type Refusal, refuse } from '../refusals.js';
import type { Interaction, Party, Request } from '../types.js';
import { blank } from './start.js';

/**
 * The call arrives at the voice routing point (its `mediation` until decided): with `direct` it is routed to the
 * knowledge worker at once; with `preview` they get one invitation (SendPreview with its countdown, and its time-out).
 */
export function receiveCall(d: Draft, c: ReceiveCall): Refusal | undefined {
  if (d.get(c.interactionId)) return refuse('duplicate-interaction', `Interaction ${c.interactionId} already exists.`);
  if (c.knowledgeWorker.kind !== 'knowledge-worker') {
    return refuse('invalid-command', 'A call to a voice routing point goes to a knowledge worker.');
  }
  if (c.routingPoint.kind !== 'routing-point') {
    return refuse('invalid-command', 'A call arrives at a voice routing point, not a queue.');
  }
  if (c.rule === 'preview' && !(c.timeoutMs > 0)) {
    return refuse('invalid-command', 'A call preview needs a positive time-out.');
  }
  const origin = { kind: 'voice-call' as const, from: c.from, dn: c.routingPoint.id };
  const ix = d.create(blank(c.interactionId, d.now, 'voice', origin, { ...c.attachedData }));
  ix.mediation = c.routingPoint;
  ix.mediationSince = d.now;
  const preview = c.rule === 'preview';
  const party = addParty(ix, {
    person: c.knowledgeWorker,
    role: 'RoutedTo',
    visibility: 'all',
    status: preview ? 'establishing' : 'connected',
    invitationId: preview ? 'v1' : null,
    via: c.routingPoint,
    invitedAt: d.now,
    connectedAt: preview ? null : d.now,
    endedAt: null,
    exit: null,
  });
  if (!preview) {
    routeCallTo(d, ix, party);
    return undefined;
  }
  ix.requestCount = 1;
  const request: Request = {
    id: 'r1',
    kind: 'route',
    target: { kind: 'person', person: c.knowledgeWorker },
    byPartyId: null,
    since: d.now,
    offered: [c.knowledgeWorker.id],
    consultationId: null,
  };
  ix.request = request;
  const dueAt = d.now + c.timeoutMs;
  ix.invitations.push({
    id: 'v1',
    kind: 'route',
    requestId: request.id,
    partyId: party.id,
    target: c.knowledgeWorker,
    inviterPartyId: null,
    via: c.routingPoint,
    createdAt: d.now,
    dueAt,
    state: 'pending',
    revokeCause: null,
    endedAt: null,
  });
  d.emit({
    type: 'SendPreview',
    interactionId: ix.id,
    invitationId: 'v1',
    kind: 'route',
    to: c.knowledgeWorker,
    origin,
    from: c.from,
    via: c.routingPoint,
    attachedData: ix.attachedData,
    previewText: null,
    expiresAt: dueAt,
    timeoutMs: c.timeoutMs,
  });
  d.emit({ type: 'ScheduleTimeout', interactionId: ix.id, invitationId: 'v1', dueAt });
  return undefined;
}

/**
 * The call goes to the knowledge worker (routed at once, or they accepted its preview): their participation ends as
 * routed to them (RoutedTo/Completed, its alerting time the time they took to accept), and the call's interaction
 * ends with it, since the connector's part in the call is over.
 */
export function routeCallTo(d: Draft, ix: Interaction, party: Party): void {
  endParty(d, ix, party, 'ended');
  endInteraction(d, ix, null);
}

/**
 * The caller hung up while the preview was open: the preview ends as the customer abandoning while it rang
 * (RoutedTo/CustomerAbandoned [AbandonedWhileRinging], flow 11), its card is replaced, and the call's interaction
 * ends. Refused once the call was decided.
 */
export function abandonCall(d: Draft, c: AbandonCall): Refusal | undefined {
  const current = d.get(c.interactionId);
  if (!current) return refuse('unknown-interaction', `Interaction ${c.interactionId} does not exist.`);
  if (current.media !== 'voice') return refuse('wrong-media', `Interaction ${c.interactionId} is not a call.`);
  if (current.endedAt !== null) {
    return refuse('interaction-ended', `Call ${c.interactionId} was already put through or sent to its default route.`);
  }
  endInteraction(d, d.edit(c.interactionId), null, { customerLeft: true });
  return undefined;
}
