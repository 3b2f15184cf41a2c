/** The session: messages, ending one's part (or the whole IM), and removing a party from a conference. */
import type { DeleteFromConference, End, SendMessage } from '../commands.js';
import type { Draft } from '../draft.js';
import {
  addEntry,
  addLeftLine,
  closeInvitation,
  connectedParties,
  endInteraction,
  endParty,
  isResource,
  livePartyOf,
  notify,
  pendingInvitations,
} from '../operations.js';
import { type Refusal, refuse } from '../refusals.js';
import type { Interaction, Party } from '../types.js';

/** Finds the connected party of a person, or the reason there is none. */
function connectedPartyOf(ix: Interaction, personId: string): Refusal | Party {
  if (ix.endedAt !== null) return refuse('interaction-ended', `Interaction ${ix.id} has ended.`);
  const live = livePartyOf(ix, personId);
  if (!live) {
    return ix.parties.some((p) => p.person.id === personId)
      ? refuse('party-left', `This person has left interaction ${ix.id}.`)
      : refuse('unknown-party', `This person is not a party to interaction ${ix.id}.`);
  }
  if (live.status !== 'connected') {
    return refuse(
      'party-not-connected',
      `${live.person.name} has not accepted the invitation to interaction ${ix.id} yet.`,
    );
  }
  return live;
}

export function sendMessage(d: Draft, c: SendMessage): Refusal | undefined {
  const current = d.get(c.interactionId);
  if (!current) return refuse('unknown-interaction', `Interaction ${c.interactionId} does not exist.`);
  const found = connectedPartyOf(current, c.from);
  if ('code' in found) return found;
  if (!c.text.trim()) return refuse('invalid-command', 'The message is empty.');
  const ix = d.edit(c.interactionId);
  const party = ix.parties.find((p) => p.id === found.id) as Party;
  const internal = party.role !== 'Customer' && (party.visibility === 'consult' || c.internal === true);
  addEntry(d, ix, { kind: 'message', party, text: c.text, audience: internal ? 'internal' : 'all' });
  return undefined;
}

export function end(d: Draft, c: End): Refusal | undefined {
  const current = d.get(c.interactionId);
  if (!current) return refuse('unknown-interaction', `Interaction ${c.interactionId} does not exist.`);
  const found = connectedPartyOf(current, c.by);
  if ('code' in found) {
    return found.code === 'party-not-connected'
      ? refuse('party-not-connected', 'The invitation has not been accepted: decline it instead of ending.')
      : found;
  }
  const ix = d.edit(c.interactionId);
  const party = ix.parties.find((p) => p.id === found.id) as Party;

  if (ix.media === 'im') {
    // Either side may end an IM; it ends for both.
    addLeftLine(d, ix, party);
    endParty(d, ix, party, 'ended');
    endInteraction(d, ix, party.person);
    return undefined;
  }
  if (party.role === 'Customer') {
    const handled = connectedParties(ix).some(isResource);
    addLeftLine(d, ix, party);
    endParty(d, ix, party, 'ended');
    endInteraction(d, ix, party.person, { customerLeft: !handled });
    return undefined;
  }
  leaveChat(d, ix, party);
  return undefined;
}

/** An agent or knowledge worker leaves a chat; an owner hands over to a conferenced party, or the chat ends. */
function leaveChat(d: Draft, ix: Interaction, party: Party): void {
  if (ix.request && ix.request.byPartyId === party.id) {
    for (const inv of pendingInvitations(ix, ix.request.id)) closeInvitation(d, ix, inv, 'revoked', 'withdrawn');
    ix.request = null;
  }
  const wasOwner = ix.ownerPartyId === party.id;
  addLeftLine(d, ix, party);
  endParty(d, ix, party, 'ended');
  if (!wasOwner) return;
  const successor = connectedParties(ix).find((p) => isResource(p) && p.visibility === 'all');
  if (!successor) {
    endInteraction(d, ix, party.person);
    return;
  }
  // 003: if the conferencing agent ends while the target is connected, the session passes to the target.
  ix.ownerPartyId = successor.id;
  for (const p of connectedParties(ix)) {
    if (isResource(p)) notify(d, ix, p, { kind: 'owner-changed', ownerPartyId: successor.id, owner: successor.person });
  }
}

export function deleteFromConference(d: Draft, c: DeleteFromConference): Refusal | undefined {
  const current = d.get(c.interactionId);
  if (!current) return refuse('unknown-interaction', `Interaction ${c.interactionId} does not exist.`);
  const me = connectedPartyOf(current, c.by);
  if ('code' in me) return me;
  if (current.ownerPartyId !== me.id)
    return refuse('not-owner', 'Only the owner of the chat can delete a party from the conference.');
  const target = current.parties.find((p) => p.id === c.partyId);
  if (!target) return refuse('unknown-party', `Party ${c.partyId} is not in interaction ${current.id}.`);
  if (target.status !== 'connected') return refuse('party-not-connected', `${target.person.name} is not connected.`);
  if (target.id === me.id || target.role === 'Customer') {
    return refuse(
      'invalid-command',
      'Delete from conference removes a conferenced agent or expert, not yourself or the customer.',
    );
  }
  const ix = d.edit(c.interactionId);
  const removed = ix.parties.find((p) => p.id === target.id) as Party;
  addLeftLine(d, ix, removed);
  notify(d, ix, removed, { kind: 'removed-from-conference', by: me.person });
  endParty(d, ix, removed, 'removed');
  return undefined;
}
