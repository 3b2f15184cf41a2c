/** Answers to invitations: accept, reject, time-out, a preview that could not be delivered, and the requester withdrawing. */
import type { Accept, Cancel, Reject, Timeout, Undeliverable } from '../commands.js';
import type { Draft } from '../draft.js';
import {
  addEntry,
  addJoinedLine,
  addLeftLine,
  anyResourceEverConnected,
  closeInvitation,
  endInteraction,
  endParty,
  livePartyOf,
  maySee,
  notify,
  pendingInvitations,
} from '../operations.js';
import { type Refusal, refuse } from '../refusals.js';
import { continueOrFailRequest } from '../requests.js';
import { acceptedLine, rejectedLine, timedOutLine, undeliverableLine, withdrawnLine } from '../transcript-lines.js';
import type { Interaction, Invitation } from '../types.js';
import { routeCallTo } from './call.js';

type Found = { ix: Interaction; inv: Invitation };

/** Finds a pending invitation and checks that the person answering is the person invited. */
function findPending(d: Draft, interactionId: string, invitationId: string, by: string | null): Refusal | Found {
  const ix = d.get(interactionId);
  if (!ix) return refuse('unknown-interaction', `Interaction ${interactionId} does not exist.`);
  const inv = ix.invitations.find((i) => i.id === invitationId);
  if (!inv)
    return refuse('unknown-invitation', `Invitation ${invitationId} of interaction ${interactionId} does not exist.`);
  if (by !== null && inv.target.id !== by) {
    return refuse(
      'not-invitee',
      `Invitation ${invitationId} was sent to ${inv.target.name}, not to the user answering it.`,
    );
  }
  if (inv.state !== 'pending') {
    return refuse(
      'invitation-ended',
      `Invitation ${invitationId} has already ended (${inv.state.replace('_', ' ')}).`,
      inv.state,
    );
  }
  return { ix, inv };
}

export function accept(d: Draft, c: Accept): Refusal | undefined {
  const found = findPending(d, c.interactionId, c.invitationId, c.by);
  if ('code' in found) return found;
  const ix = d.edit(c.interactionId);
  const inv = ix.invitations.find((i) => i.id === c.invitationId) as Invitation;
  const party = ix.parties.find((p) => p.id === inv.partyId);
  const req = ix.request;
  if (!party || !req) return refuse('invitation-ended', `Invitation ${inv.id} is no longer open.`, inv.state);

  // What the new party sees first: an IM target saw the first message on its preview; a chat target sees it all.
  const firstMessage = ix.transcript.find((e) => e.kind === 'message');
  const replay =
    ix.media === 'im'
      ? ix.transcript.filter((e) => e.kind === 'message' && e.seq > (firstMessage?.seq ?? 0))
      : ix.transcript.filter((e) => maySee(party, e.audience));

  inv.state = 'accepted';
  inv.endedAt = d.now;
  party.status = 'connected';
  party.connectedAt = d.now;
  d.emit({
    type: 'UpdatePreview',
    interactionId: ix.id,
    invitationId: inv.id,
    to: inv.target,
    outcome: 'accepted',
    by: inv.target,
  });
  for (const other of pendingInvitations(ix, req.id))
    closeInvitation(d, ix, other, 'revoked', 'taken_by_other', inv.target);
  ix.request = null;
  if (ix.media === 'voice') {
    // A call preview accepted: the call is routed to them, and the connector's part in it is over.
    routeCallTo(d, ix, party);
    return undefined;
  }
  if (replay.length > 0)
    d.emit({ type: 'ReplayTranscript', interactionId: ix.id, partyId: party.id, to: party.person, entries: replay });

  if (ix.media === 'im') {
    addEntry(d, ix, {
      kind: 'system',
      party,
      text: acceptedLine(party.person.name),
      audience: 'all',
      event: { type: 'accepted', partyId: party.id },
    });
  } else {
    addJoinedLine(d, ix, party);
  }
  if (req.kind === 'route' && ix.ownerPartyId === null) {
    ix.ownerPartyId = party.id;
    ix.mediation = null;
    ix.mediationSince = null;
  }
  const requester = ix.parties.find((p) => p.id === req.byPartyId);
  if (requester && requester.status === 'connected') {
    notify(d, ix, requester, { kind: 'invitation-accepted', requestKind: req.kind, by: party.person });
  }
  if (req.kind === 'transfer') {
    ix.ownerPartyId = party.id;
    if (requester && requester.status === 'connected') {
      addLeftLine(d, ix, requester);
      endParty(d, ix, requester, 'transferred_away');
    }
  }
  if (req.consultationId) leaveConsultation(d, req.consultationId, party.person.id);
  return undefined;
}

/**
 * The consultation party moved into the parent interaction: it leaves the consultation, which ends. The moved party
 * is told its consultation ended like every other party (their consultation's cards must not keep a live End).
 */
function leaveConsultation(d: Draft, consultationId: string, personId: string): void {
  if (!d.get(consultationId)) return;
  const consultation = d.edit(consultationId);
  const moved = livePartyOf(consultation, personId);
  if (moved && moved.status === 'connected') {
    addLeftLine(d, consultation, moved);
    notify(d, consultation, moved, { kind: 'interaction-ended', endedBy: null });
    endParty(d, consultation, moved, 'ended');
  }
  endInteraction(d, consultation, null);
}

export function reject(d: Draft, c: Reject): Refusal | undefined {
  const found = findPending(d, c.interactionId, c.invitationId, c.by);
  if ('code' in found) return found;
  const ix = d.edit(c.interactionId);
  const inv = ix.invitations.find((i) => i.id === c.invitationId) as Invitation;
  const party = ix.parties.find((p) => p.id === inv.partyId) ?? null;
  closeInvitation(d, ix, inv, 'rejected');
  if (ix.media === 'im') {
    addEntry(d, ix, {
      kind: 'system',
      party,
      text: rejectedLine(inv.target.name),
      audience: 'all',
      event: { type: 'rejected', partyId: inv.partyId },
    });
  }
  if (ix.request?.id === inv.requestId) continueOrFailRequest(d, ix, { reason: 'rejected', who: inv.target.name });
  return undefined;
}

export function timeout(d: Draft, c: Timeout): Refusal | undefined {
  const found = findPending(d, c.interactionId, c.invitationId, null);
  if ('code' in found) return found;
  if (d.now < found.inv.dueAt) {
    return refuse(
      'not-due',
      `Invitation ${c.invitationId} is not due until ${new Date(found.inv.dueAt).toISOString()}.`,
    );
  }
  const ix = d.edit(c.interactionId);
  const inv = ix.invitations.find((i) => i.id === c.invitationId) as Invitation;
  const party = ix.parties.find((p) => p.id === inv.partyId) ?? null;
  closeInvitation(d, ix, inv, 'timed_out');
  if (ix.media === 'im') {
    addEntry(d, ix, {
      kind: 'system',
      party,
      text: timedOutLine(inv.target.name),
      audience: 'all',
      event: { type: 'timed_out', partyId: inv.partyId },
    });
  }
  if (ix.request?.id === inv.requestId) continueOrFailRequest(d, ix, { reason: 'timed_out', who: inv.target.name });
  return undefined;
}

/**
 * The preview never reached the invited person: the invitation ends now, as a time-out would at its due time (the
 * IM's transcript says so with the reason, and the request moves on or fails), without waiting for the due time.
 * Its party's fact reads like a time-out's, `RoutedTo/Redirected [Revoked]` (`…/Abandoned [Revoked]` for a
 * transfer, conference or consult), with the finer outcome `unreachable`: Info Mart's flows 2, 4 and 6 give that
 * descriptor to every invitation that was not accepted and was revoked so other targets could be evaluated, and
 * 002 has no descriptor for a delivery failure, which is one more way of not being accepted.
 */
export function undeliverable(d: Draft, c: Undeliverable): Refusal | undefined {
  if (c.reason.trim() === '') return refuse('invalid-command', 'An undeliverable preview names why.');
  const found = findPending(d, c.interactionId, c.invitationId, null);
  if ('code' in found) return found;
  const ix = d.edit(c.interactionId);
  const inv = ix.invitations.find((i) => i.id === c.invitationId) as Invitation;
  const party = ix.parties.find((p) => p.id === inv.partyId) ?? null;
  closeInvitation(d, ix, inv, 'undeliverable');
  if (ix.media === 'im') {
    addEntry(d, ix, {
      kind: 'system',
      party,
      text: undeliverableLine(inv.target.name, c.reason),
      audience: 'all',
      event: { type: 'undeliverable', partyId: inv.partyId },
    });
  }
  if (ix.request?.id === inv.requestId)
    continueOrFailRequest(d, ix, { reason: 'undeliverable', who: inv.target.name, why: c.reason });
  return undefined;
}

export function cancel(d: Draft, c: Cancel): Refusal | undefined {
  const current = d.get(c.interactionId);
  if (!current) return refuse('unknown-interaction', `Interaction ${c.interactionId} does not exist.`);
  if (current.endedAt !== null) return refuse('interaction-ended', `Interaction ${c.interactionId} has ended.`);
  const req = current.request;
  if (!req) return refuse('no-pending-request', `Interaction ${c.interactionId} has no pending request to cancel.`);
  const requester = current.parties.find((p) => p.id === req.byPartyId);
  if (!requester || requester.person.id !== c.by) {
    return refuse('not-requester', 'Only the person who made the request can cancel it.');
  }
  const ix = d.edit(c.interactionId);
  const me = ix.parties.find((p) => p.id === requester.id) ?? null;
  for (const inv of pendingInvitations(ix, req.id)) closeInvitation(d, ix, inv, 'revoked', 'withdrawn');
  ix.request = null;
  if (ix.media === 'im') {
    addEntry(d, ix, {
      kind: 'system',
      party: me,
      text: withdrawnLine(requester.person.name),
      audience: 'all',
      event: { type: 'withdrawn', partyId: requester.id },
    });
    if (!anyResourceEverConnected({ ...ix, parties: ix.parties.filter((p) => p.id !== requester.id) })) {
      endInteraction(d, ix, requester.person);
    }
  }
  return undefined;
}
