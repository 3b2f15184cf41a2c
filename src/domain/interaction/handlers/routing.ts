/** The router's answers to a request: offers (one person, or a broadcast) and "no one available". */
import type { Offer, RoutingFailed, Wait, WaitExpired } from '../commands.js';
import type { Draft } from '../draft.js';
import { addParty, livePartyOf, notify, pendingInvitations } from '../operations.js';
import { type Refusal, refuse } from '../refusals.js';
import { failRequest, priorityOf, routeRequestOf } from '../requests.js';
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
  if (pendingInvitations(checked, c.requestId).length > 0) {
    // Served already (another replica offered it first, or a waiting request was offered meanwhile).
    return refuse('request-pending', `Request ${c.requestId} of interaction ${checked.id} is already offered.`);
  }
  const ix = d.edit(c.interactionId);
  const req = ix.request;
  if (!req) return refuse('unknown-request', `Request ${c.requestId} is no longer open.`);
  const waited = req.waiting;
  req.waiting = null;
  if (waited) {
    const requester = ix.parties.find((p) => p.id === req.byPartyId && p.status === 'connected');
    const told = requester ?? (req.kind === 'route' ? customerOf(ix) : undefined);
    if (told) {
      notify(d, ix, told, {
        kind: 'wait-over',
        requestKind: req.kind,
        routingPoint: waited.routingPoint,
        offeredTo: [...c.targets],
      });
    }
  }
  const requester = ix.parties.find((p) => p.id === req.byPartyId);
  const from: PersonRef | null = requester?.person ?? (ix.origin.kind === 'inbound-chat' ? null : ix.origin.from);
  const previewText = previewTextOf(ix);
  const dueAt = d.now + c.timeoutMs;
  // Mediation: from when the request began waiting at the routing point now offering it (none when offered at once).
  const mediatedSince = c.via ? req.waits?.[c.via.id]?.since : undefined;
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
      ...(mediatedSince !== undefined ? { mediatedSince } : {}),
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

/**
 * The routing point waits for a member: the request stays open with no invitation until one becomes available (an
 * offer) or the wait runs out (`WaitExpired`). The requester is told, or for a routed chat the platform (through the
 * customer's party); a request that waits again keeps its place and deadline, and is not told twice.
 */
export function wait(d: Draft, c: Wait): Refusal | undefined {
  const checked = checkRequest(d, c.interactionId, c.requestId);
  if ('code' in checked) return checked;
  if (c.routingPoint.kind !== 'routing-point') return refuse('invalid-command', 'Only a routing point waits.');
  if (!(c.until > d.now)) return refuse('invalid-command', 'A wait ends after it begins.');
  if (pendingInvitations(checked, c.requestId).length > 0) {
    return refuse('request-pending', `Request ${c.requestId} of interaction ${checked.id} is already offered.`);
  }
  const current = checked.request?.waiting;
  if (current && current.routingPoint.id === c.routingPoint.id && current.until === c.until) return undefined;
  const ix = d.edit(c.interactionId);
  const req = ix.request;
  if (!req) return refuse('unknown-request', `Request ${c.requestId} is no longer open.`);
  const span = req.waits?.[c.routingPoint.id] ?? { since: d.now, until: c.until };
  req.waits = { ...(req.waits ?? {}), [c.routingPoint.id]: span };
  req.waiting = { routingPoint: c.routingPoint, since: span.since, until: span.until, priority: priorityOf(ix) };
  d.emit({ type: 'ScheduleWaitExpiry', interactionId: ix.id, requestId: req.id, dueAt: span.until });
  const requester = ix.parties.find((p) => p.id === req.byPartyId && p.status === 'connected');
  const told = requester ?? (req.kind === 'route' ? customerOf(ix) : undefined);
  if (told) {
    notify(d, ix, told, {
      kind: 'request-waiting',
      requestKind: req.kind,
      routingPoint: c.routingPoint,
      position: c.position,
      since: span.since,
      until: span.until,
      details: [...c.reasons],
    });
  }
  return undefined;
}

/** A waiting request's wait ran out: it is routed again, and that routing point follows its default route. */
export function waitExpired(d: Draft, c: WaitExpired): Refusal | undefined {
  const checked = checkRequest(d, c.interactionId, c.requestId);
  if ('code' in checked) return checked;
  const waiting = checked.request?.waiting;
  if (!waiting) return refuse('not-due', `Request ${c.requestId} of interaction ${checked.id} is not waiting.`);
  if (d.now < waiting.until) {
    return refuse('not-due', `The wait of request ${c.requestId} runs until ${new Date(waiting.until).toISOString()}.`);
  }
  const ix = d.edit(c.interactionId);
  const req = ix.request;
  if (!req) return refuse('unknown-request', `Request ${c.requestId} is no longer open.`);
  req.waiting = null;
  d.emit(routeRequestOf(ix, req));
  return undefined;
}

const customerOf = (ix: Interaction) => ix.parties.find((p) => p.role === 'Customer' && p.status === 'connected');

export function routingFailed(d: Draft, c: RoutingFailed): Refusal | undefined {
  const checked = checkRequest(d, c.interactionId, c.requestId);
  if ('code' in checked) return checked;
  const ix = d.edit(c.interactionId);
  failRequest(d, ix, 'no-one-available', c.reasons);
  return undefined;
}
