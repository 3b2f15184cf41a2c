/**
 * Building blocks shared by the command handlers: transcript lines with their deliveries, ending
 * parties (with their facts), invitations, requests and whole interactions.
 */
import { factForMediation, factForParty } from '../reporting/facts-for-party.js';
import type { FactOutcome } from '../reporting/resource-fact.js';
import type { Draft } from './draft.js';
import type { Notice, PreviewOutcome } from './effects.js';
import { joinedLine, leftLine } from './transcript-lines.js';
import type {
  Audience,
  Interaction,
  Invitation,
  Party,
  PersonRef,
  RevokeCause,
  SystemEvent,
  TranscriptEntry,
} from './types.js';

/** Parties that are not the customer. */
export const isResource = (party: Party): boolean => party.role !== 'Customer';

/** Connected parties. */
export const connectedParties = (ix: Interaction): Party[] => ix.parties.filter((p) => p.status === 'connected');

/** The live (not ended) party of a person, if any. */
export function livePartyOf(ix: Interaction, personId: string): Party | undefined {
  return ix.parties.find((p) => p.person.id === personId && p.status !== 'ended');
}

/** Whether a party may see an entry: the customer sees only entries for everyone. */
export const maySee = (party: Party, audience: Audience): boolean => audience === 'all' || party.role !== 'Customer';

/** Appends a transcript entry and relays it to every connected party that may see it, except its author or subject. */
export function addEntry(
  d: Draft,
  ix: Interaction,
  entry: {
    kind: TranscriptEntry['kind'];
    party: Party | null;
    text: string;
    audience: Audience;
    event?: SystemEvent;
  },
): TranscriptEntry {
  const last = ix.transcript[ix.transcript.length - 1];
  const added: TranscriptEntry = {
    seq: (last?.seq ?? 0) + 1,
    at: d.now,
    kind: entry.kind,
    partyId: entry.party?.id ?? null,
    name: entry.party?.person.name ?? null,
    text: entry.text,
    audience: entry.audience,
    event: entry.event ?? null,
  };
  ix.transcript.push(added);
  // The author of a message, or the subject of a system line, does not get it back.
  const authorId = entry.party?.id;
  for (const p of connectedParties(ix)) {
    if (p.id === authorId || !maySee(p, added.audience)) continue;
    d.emit({ type: 'Deliver', interactionId: ix.id, partyId: p.id, to: p.person, entry: added });
  }
  return added;
}

/** The audience of lines about a party: a consult party is invisible to the customer. */
export const audienceOf = (party: Party): Audience => (party.visibility === 'consult' ? 'internal' : 'all');

/** A system line about a party joining ("New party 'X' has joined the session"). */
export function addJoinedLine(d: Draft, ix: Interaction, party: Party): void {
  addEntry(d, ix, {
    kind: 'system',
    party,
    text: joinedLine(party.person.name),
    audience: audienceOf(party),
    event: { type: 'joined', partyId: party.id },
  });
}

/** A system line about a party leaving ("Party 'X' has left the session"). */
export function addLeftLine(d: Draft, ix: Interaction, party: Party): void {
  addEntry(d, ix, {
    kind: 'system',
    party,
    text: leftLine(party.person.name),
    audience: audienceOf(party),
    event: { type: 'left', partyId: party.id },
  });
}

/** Tells a party something. */
export function notify(d: Draft, ix: Interaction, party: Party, notice: Notice): void {
  d.emit({ type: 'Notify', interactionId: ix.id, partyId: party.id, to: party.person, notice });
}

/** Ends a party's participation and records its resource fact. */
export function endParty(d: Draft, ix: Interaction, party: Party, exit: FactOutcome): void {
  if (party.status === 'ended') return;
  party.status = 'ended';
  party.endedAt = d.now;
  party.exit = exit;
  if (ix.ownerPartyId === party.id) ix.ownerPartyId = null;
  const fact = factForParty(ix, party);
  if (fact) d.emit({ type: 'RecordFact', fact });
}

/** The exit a party takes when its invitation ends without acceptance. */
function exitFor(
  outcome: Exclude<Invitation['state'], 'pending' | 'accepted'>,
  cause: RevokeCause | null,
): FactOutcome {
  switch (outcome) {
    case 'rejected':
      return 'declined';
    case 'timed_out':
      return 'timed_out';
    case 'undeliverable':
      return 'unreachable';
    case 'customer_abandoned':
      return 'customer_left';
    case 'revoked':
      return cause === 'taken_by_other' ? 'taken_by_other' : 'withdrawn';
  }
}

/** Ends a pending invitation without acceptance: its party ends, its preview is replaced. */
export function closeInvitation(
  d: Draft,
  ix: Interaction,
  inv: Invitation,
  outcome: Exclude<Invitation['state'], 'pending' | 'accepted'>,
  cause: RevokeCause | null = null,
  takenBy: PersonRef | null = null,
): void {
  if (inv.state !== 'pending') return;
  inv.state = outcome;
  inv.revokeCause = outcome === 'revoked' ? cause : null;
  inv.endedAt = d.now;
  const party = ix.parties.find((p) => p.id === inv.partyId);
  if (party) endParty(d, ix, party, exitFor(outcome, cause));
  d.emit({
    type: 'UpdatePreview',
    interactionId: ix.id,
    invitationId: inv.id,
    to: inv.target,
    outcome: previewOutcomeOf(outcome, cause),
    by: takenBy,
  });
}

/** How the preview of an invitation that ended without acceptance ended. */
function previewOutcomeOf(
  outcome: Exclude<Invitation['state'], 'pending' | 'accepted'>,
  cause: RevokeCause | null,
): PreviewOutcome {
  switch (outcome) {
    case 'rejected':
      return 'declined';
    case 'timed_out':
      return 'expired';
    case 'undeliverable':
      return 'undeliverable';
    case 'customer_abandoned':
      return 'ended';
    case 'revoked':
      return cause === 'taken_by_other' ? 'taken' : cause === 'interaction_ended' ? 'ended' : 'withdrawn';
  }
}

/** Pending invitations, optionally of one request. */
export const pendingInvitations = (ix: Interaction, requestId?: string): Invitation[] =>
  ix.invitations.filter((i) => i.state === 'pending' && (requestId === undefined || i.requestId === requestId));

/**
 * Ends the whole interaction: pending invitations are revoked (or customer-abandoned), every live party
 * ends with `exit`, and the others are told. Idempotent.
 */
export function endInteraction(
  d: Draft,
  ix: Interaction,
  endedBy: PersonRef | null,
  options: { customerLeft?: boolean } = {},
): void {
  if (ix.endedAt !== null) return;
  for (const inv of pendingInvitations(ix)) {
    if (options.customerLeft) closeInvitation(d, ix, inv, 'customer_abandoned');
    else closeInvitation(d, ix, inv, 'revoked', 'interaction_ended');
  }
  for (const p of ix.parties) {
    if (p.status !== 'connected') continue;
    if (p.person.id !== endedBy?.id) notify(d, ix, p, { kind: 'interaction-ended', endedBy });
    endParty(d, ix, p, 'ended');
  }
  if (options.customerLeft && ix.mediation && ix.mediationSince !== null && !anyResourceEverConnected(ix)) {
    if (!ix.invitations.some((i) => i.state === 'customer_abandoned')) {
      d.emit({ type: 'RecordFact', fact: factForMediation(ix, ix.mediation, ix.mediationSince, d.now) });
    }
  }
  ix.endedAt = d.now;
  ix.ownerPartyId = null;
  ix.request = null;
  ix.mediation = null;
  ix.mediationSince = null;
}

/** Whether an agent or knowledge worker was ever connected. */
export const anyResourceEverConnected = (ix: Interaction): boolean =>
  ix.parties.some((p) => isResource(p) && p.connectedAt !== null);

/** Adds a party in Establishing state; party ids are p1, p2, … within the interaction. */
export function addParty(ix: Interaction, party: Omit<Party, 'id'>): Party {
  const added: Party = { ...party, id: `p${ix.parties.length + 1}` };
  ix.parties.push(added);
  return added;
}
