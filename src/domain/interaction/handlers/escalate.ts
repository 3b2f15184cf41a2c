/** Escalations of a customer chat by its owner: transfer, conference, consult, including to an active consultation. */
import type { Escalate } from '../commands.js';
import type { Draft } from '../draft.js';
import { livePartyOf } from '../operations.js';
import { type Refusal, refuse } from '../refusals.js';
import { openRequest } from '../requests.js';
import type { Target } from '../types.js';

export function escalate(d: Draft, c: Escalate): Refusal | undefined {
  const current = d.get(c.interactionId);
  if (!current) return refuse('unknown-interaction', `Interaction ${c.interactionId} does not exist.`);
  if (current.endedAt !== null) return refuse('interaction-ended', `Interaction ${c.interactionId} has ended.`);
  if (current.media !== 'chat')
    return refuse(
      'wrong-media',
      `A ${c.kind} applies to a customer chat; interaction ${current.id} is an instant message.`,
    );
  const me = livePartyOf(current, c.by);
  if (me?.status !== 'connected' || current.ownerPartyId !== me.id) {
    return refuse('not-owner', `Only the owner of the chat can ${c.kind} it.`);
  }
  if (current.request)
    return refuse('request-pending', `A ${current.request.kind} request is already pending; cancel it first.`);

  let target: Target | undefined = c.target;
  if (c.consultationId) {
    if (c.kind === 'consult')
      return refuse('invalid-command', 'Consult to an active consultation: use a conference or a transfer.');
    const consultation = d.get(c.consultationId);
    if (consultation?.origin.kind !== 'consultation' || consultation.origin.parentInteractionId !== current.id) {
      return refuse('no-active-consultation', `Interaction ${c.consultationId} is not a consultation of this chat.`);
    }
    const other = consultation.parties.find((p) => p.status === 'connected' && p.person.id !== c.by);
    if (consultation.endedAt !== null || !other) {
      return refuse('no-active-consultation', `Consultation ${c.consultationId} is no longer active.`);
    }
    target = { kind: 'person', person: other.person };
  }
  if (!target)
    return refuse(
      'invalid-command',
      `A ${c.kind} needs a target: a person, a routing point, or an active consultation.`,
    );
  if (target.kind === 'person') {
    if (target.person.id === c.by) return refuse('invalid-command', `You cannot ${c.kind} the chat to yourself.`);
    if (livePartyOf(current, target.person.id)) {
      return refuse('already-a-party', `${target.person.name} is already a party to this chat.`);
    }
  }
  const ix = d.edit(c.interactionId);
  openRequest(d, ix, c.kind, target, me.id, c.consultationId ?? null);
  return undefined;
}
