/** Starting interactions: an IM (or consultation IM), a customer chat, and a routing point pulling it. */
import type { PullFromQueue, ReceiveChat, StartIm } from '../commands.js';
import type { Draft } from '../draft.js';
import { addEntry, addParty, livePartyOf } from '../operations.js';
import { type Refusal, refuse } from '../refusals.js';
import { openRequest } from '../requests.js';
import { initiatedLine } from '../transcript-lines.js';
import type { Interaction, Origin } from '../types.js';

/** A new interaction with nothing in it yet. */
export function blank(
  id: string,
  now: number,
  media: Interaction['media'],
  origin: Origin,
  data: Record<string, string>,
): Interaction {
  return {
    id,
    media,
    origin,
    attachedData: data,
    createdAt: now,
    endedAt: null,
    ownerPartyId: null,
    mediation: null,
    homeQueue: null,
    mediationSince: null,
    request: null,
    parties: [],
    invitations: [],
    transcript: [],
    consultationIds: [],
    requestCount: 0,
    revision: 0,
  };
}

export function startIm(d: Draft, c: StartIm): Refusal | undefined {
  if (d.get(c.interactionId)) return refuse('duplicate-interaction', `Interaction ${c.interactionId} already exists.`);
  if (!c.text.trim())
    return refuse('invalid-command', 'An instant message session starts with a message: the text is empty.');
  if (c.target.kind === 'person' && c.target.person.id === c.initiator.id) {
    return refuse('invalid-command', 'You cannot send an instant message to yourself.');
  }
  let origin: Origin = { kind: 'internal', from: c.initiator };
  let data: Record<string, string> = { ...(c.attachedData ?? {}) };
  if (c.parentInteractionId) {
    const parent = d.get(c.parentInteractionId);
    if (!parent) return refuse('unknown-interaction', `Interaction ${c.parentInteractionId} does not exist.`);
    if (parent.endedAt !== null)
      return refuse('interaction-ended', `Interaction ${parent.id} has ended: consult from an active interaction.`);
    const mine = livePartyOf(parent, c.initiator.id);
    if (mine?.status !== 'connected') {
      return refuse('party-not-connected', `${c.initiator.name} is not connected to interaction ${parent.id}.`);
    }
    origin = { kind: 'consultation', from: c.initiator, parentInteractionId: parent.id };
    // The consultation carries the parent's case information; explicit keys win.
    data = { ...parent.attachedData, ...data };
    d.edit(parent.id).consultationIds.push(c.interactionId);
  }
  const ix = d.create(blank(c.interactionId, d.now, 'im', origin, data));
  const me = addParty(ix, {
    person: c.initiator,
    role: 'Initiated',
    visibility: 'all',
    status: 'connected',
    invitationId: null,
    via: null,
    invitedAt: d.now,
    connectedAt: d.now,
    endedAt: null,
    exit: null,
  });
  ix.ownerPartyId = me.id;
  addEntry(d, ix, {
    kind: 'system',
    party: me,
    text: initiatedLine(c.initiator.name),
    audience: 'all',
    event: { type: 'initiated', partyId: me.id },
  });
  addEntry(d, ix, { kind: 'message', party: me, text: c.text, audience: 'all' });
  openRequest(d, ix, 'route', c.target, me.id, null);
  return undefined;
}

export function receiveChat(d: Draft, c: ReceiveChat): Refusal | undefined {
  if (d.get(c.interactionId)) return refuse('duplicate-interaction', `Interaction ${c.interactionId} already exists.`);
  const ix = d.create(blank(c.interactionId, d.now, 'chat', { kind: 'inbound-chat' }, { ...(c.attachedData ?? {}) }));
  const customer = addParty(ix, {
    person: c.customer,
    role: 'Customer',
    visibility: 'all',
    status: 'connected',
    invitationId: null,
    via: null,
    invitedAt: d.now,
    connectedAt: d.now,
    endedAt: null,
    exit: null,
  });
  ix.mediation = c.queue;
  ix.homeQueue = c.queue;
  ix.mediationSince = d.now;
  if (c.text?.trim()) addEntry(d, ix, { kind: 'message', party: customer, text: c.text, audience: 'all' });
  return undefined;
}

export function pullFromQueue(d: Draft, c: PullFromQueue): Refusal | undefined {
  const current = d.get(c.interactionId);
  if (!current) return refuse('unknown-interaction', `Interaction ${c.interactionId} does not exist.`);
  if (current.endedAt !== null) return refuse('interaction-ended', `Interaction ${c.interactionId} has ended.`);
  if (current.media !== 'chat' || current.mediation?.kind !== 'queue') {
    return refuse('invalid-command', `Interaction ${c.interactionId} is not waiting in a queue.`);
  }
  if (current.request) return refuse('request-pending', `Interaction ${c.interactionId} is already being routed.`);
  const ix = d.edit(c.interactionId);
  if (c.routingPoint.kind === 'queue') {
    // The queue offers the chat to its own agents: the chat stays queued (Received) until one accepts.
    openRequest(d, ix, 'route', { kind: 'queue', id: c.routingPoint.id, name: c.routingPoint.name }, null, null);
    return undefined;
  }
  ix.mediation = c.routingPoint;
  ix.mediationSince = d.now;
  openRequest(d, ix, 'route', { kind: 'routing-point', id: c.routingPoint.id, name: c.routingPoint.name }, null, null);
  return undefined;
}
