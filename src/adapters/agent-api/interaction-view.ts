/** Projections of interactions for the API: ISO times, and the status an agent's window shows. Pure. */
import type { Interaction, TranscriptEntry } from '../../domain/interaction/types.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Establishing, Connected or Ended as the IM window shows it; `waiting` while a chat sits in a queue. */
export function statusOfInteraction(
  ix: Interaction,
  agentId: string | null,
): 'waiting' | 'establishing' | 'connected' | 'ended' {
  if (ix.endedAt !== null) return 'ended';
  const mine = agentId ? ix.parties.findLast((p) => p.person.id === agentId) : undefined;
  if (mine && mine.status !== 'connected') return mine.status;
  if (!mine && ix.ownerPartyId === null) return 'waiting';
  // Connected once someone else is connected too: the invitee, the initiator, or a chat's customer.
  const others = ix.parties.filter((p) => p.person.id !== agentId);
  return others.some((p) => p.status === 'connected') ? 'connected' : 'establishing';
}

/** A transcript entry with an ISO time. */
export function entryView(e: TranscriptEntry) {
  return {
    seq: e.seq,
    at: iso(e.at) as string,
    kind: e.kind,
    partyId: e.partyId,
    name: e.name,
    text: e.text,
    audience: e.audience,
  };
}

/**
 * An interaction as the caller sees it (without the transcript). `position` is a waiting request's place at its
 * routing point, where the caller read it (null when not known).
 */
export function interactionView(ix: Interaction, agentId: string | null, position: number | null = null) {
  const waiting = ix.request?.waiting;
  return {
    id: ix.id,
    media: ix.media,
    status: statusOfInteraction(ix, agentId),
    origin: ix.origin,
    attachedData: ix.attachedData,
    createdAt: iso(ix.createdAt) as string,
    endedAt: iso(ix.endedAt),
    ownerPartyId: ix.ownerPartyId,
    mediation: ix.mediation,
    parties: ix.parties.map((p) => ({
      id: p.id,
      person: p.person,
      role: p.role,
      visibility: p.visibility,
      status: p.status,
      exit: p.exit,
      via: p.via,
      connectedAt: iso(p.connectedAt),
      endedAt: iso(p.endedAt),
    })),
    invitations: ix.invitations.map((i) => ({
      id: i.id,
      kind: i.kind,
      target: i.target,
      state: i.state,
      dueAt: iso(i.dueAt) as string,
    })),
    request: ix.request
      ? {
          kind: ix.request.kind,
          target: ix.request.target,
          since: iso(ix.request.since) as string,
          waiting: waiting
            ? {
                routingPoint: waiting.routingPoint,
                since: iso(waiting.since) as string,
                until: iso(waiting.until) as string,
                position,
              }
            : null,
        }
      : null,
    consultationIds: ix.consultationIds,
  };
}
