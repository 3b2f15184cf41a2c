/** The router's answers to a request: offers (one person, or a broadcast) and "no one available". */
import type { Offer, RoutingFailed } from '../commands.js';
import type { Draft } from '../draft.js';
import { addParty, livePartyOf } from '../operations.js';
import { type Refusal, refuse } from '../refusals.js';
import { failRequest } from '../requests.js';
import type { Interaction, InvitationKind, PartyRole, PersonRef } from '../types.js';

const roleFor: Record<InvitationKind, Exclude<PartyRole, 'Customer' | 'Initiated'>> = {
  route: 'RoutedTo',
  transfer: 'ReceivedTransfer',
  conference: 'InConference',
  consult: 'ReceivedConsult',
};

/** The text a preview shows: an IM's first message, or the customer's latest message. */
export function previewTextOf(ix: Interaction): string | null {
  if (ix.media === 'im') return ix.transcript.find((e) => e.kind === 'message')?.text ?? null;
  const customerIds = new Set(ix.parties.filter((p) => p.role === 'Customer').map((p) => p.id));
  const last = ix.transcript.findLast((e) => e.kind === 'message' && e.partyId !== null && customerIds.has(e.partyId));
  return last?.text ?? null;
}

function checkRequest(d: Draft, interactionId: string, requestId: string): Refusal | Interaction {
  const ix = d.get(interactionId);
  if (!ix) return refuse('unknown-interaction', `Interaction ${interactionId} does not exist.`);
  if (ix.endedAt !== null) return refuse('interaction-ended', `Interaction ${interactionId} has ended.`);
  if (!ix.request || ix.request.id !== requestId) {
    return refuse('unknown-request', `Request ${requestId} of interaction ${interactionId} is no longer open.`);
  }
  return ix;
}

export function offer(d: Draft, c: Offer): Refusal | undefined {
  const checked = checkRequest(d, c.interactionId, c.requestId);
  if ('code' in checked) return checked;
  if (c.targets.length === 0) return refuse('invalid-command', 'An offer names at least one person.');
  if (!(c.timeoutMs > 0)) return refuse('invalid-command', 'An offer needs a positive preview timeout.');
  const ids = new Set(c.targets.map((t) => t.id));
  if (ids.size !== c.targets.length) return refuse('invalid-command', 'An offer names each person once.');
  for (const t of c.targets) {
    const live = livePartyOf(checked, t.id);
    if (live) return refuse('already-a-party', `${t.name} is already a party to interaction ${checked.id}.`);
  }
  const ix = d.edit(c.interactionId);
  const req = ix.request;
  if (!req) return refuse('unknown-request', `Request ${c.requestId} is no longer open.`);
  const requester = ix.parties.find((p) => p.id === req.byPartyId);
  const from: PersonRef | null = requester?.person ?? (ix.origin.kind === 'inbound-chat' ? null : ix.origin.from);
  const previewText = previewTextOf(ix);
  const dueAt = d.now + c.timeoutMs;
  for (const target of c.targets) {
    const invitationId = `v${ix.invitations.length + 1}`;
    const party = addParty(ix, {
      person: target,
      role: roleFor[req.kind],
      visibility: req.kind === 'consult' ? 'consult' : 'all',
      status: 'establishing',
      invitationId,
      via: c.via,
      invitedAt: d.now,
      connectedAt: null,
      endedAt: null,
      exit: null,
    });
    ix.invitations.push({
      id: invitationId,
      kind: req.kind,
      requestId: req.id,
      partyId: party.id,
      target,
      inviterPartyId: req.byPartyId,
      via: c.via,
      createdAt: d.now,
      dueAt,
      state: 'pending',
      revokeCause: null,
      endedAt: null,
    });
    req.offered.push(target.id);
    d.emit({
      type: 'SendPreview',
      interactionId: ix.id,
      invitationId,
      kind: req.kind,
      to: target,
      origin: ix.origin,
      from,
      via: c.via,
      attachedData: ix.attachedData,
      previewText,
      expiresAt: dueAt,
    });
    d.emit({ type: 'ScheduleTimeout', interactionId: ix.id, invitationId, dueAt });
  }
  return undefined;
}

export function routingFailed(d: Draft, c: RoutingFailed): Refusal | undefined {
  const checked = checkRequest(d, c.interactionId, c.requestId);
  if ('code' in checked) return checked;
  const ix = d.edit(c.interactionId);
  failRequest(d, ix, 'no-one-available', c.reasons);
  return undefined;
}
