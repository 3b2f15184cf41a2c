/**
 * Turns an effect addressed to an agent or a customer into an event of the agent side: its type (what a client
 * switches on) and its data, typed by the event schemas (`event-schemas.ts`). Pure.
 */
import type { TranscriptEntry } from '../../domain/interaction/types.js';
import type { PersonEffect } from '../../ports/participant-channel.js';
import type { EventBody } from './event-schemas.js';

/** The event an effect becomes. */
export function eventOfEffect(effect: PersonEffect): EventBody {
  const base = { interactionId: effect.interactionId, to: effect.to };
  switch (effect.type) {
    case 'SendPreview':
      return {
        type: 'invitation.offered',
        data: {
          ...base,
          invitationId: effect.invitationId,
          kind: effect.kind,
          from: effect.from,
          via: effect.via,
          origin: effect.origin,
          attachedData: effect.attachedData,
          previewText: effect.previewText,
          expiresAt: new Date(effect.expiresAt).toISOString(),
        },
      };
    case 'UpdatePreview':
      return {
        type: 'invitation.closed',
        data: { ...base, invitationId: effect.invitationId, outcome: effect.outcome, by: effect.by },
      };
    case 'Deliver': {
      const entry = line(effect.entry);
      if (entry.kind === 'message') return { type: 'message', data: { ...base, entry } };
      const sys = entry.event?.type;
      const type =
        sys === 'joined' || sys === 'accepted' ? 'party.joined' : sys === 'left' ? 'party.left' : 'transcript.system';
      return { type, data: { ...base, entry } };
    }
    case 'ReplayTranscript':
      return { type: 'transcript.replayed', data: { ...base, entries: effect.entries.map(line) } };
    case 'Notify': {
      const n = effect.notice;
      switch (n.kind) {
        case 'invitation-accepted':
          return { type: 'invitation.accepted', data: { ...base, requestKind: n.requestKind, by: n.by } };
        case 'request-failed': {
          // `invitation.failed`: no one available, or the invitation could not be delivered (`undeliverable`).
          const type =
            n.reason === 'rejected'
              ? 'invitation.rejected'
              : n.reason === 'timed_out'
                ? 'invitation.timed_out'
                : 'invitation.failed';
          return { type, data: { ...base, requestKind: n.requestKind, message: n.message, details: [...n.details] } };
        }
        case 'owner-changed':
          return { type: 'interaction.owner_changed', data: { ...base, ownerPartyId: n.ownerPartyId, owner: n.owner } };
        case 'removed-from-conference':
          return { type: 'interaction.removed', data: { ...base, by: n.by } };
        case 'interaction-ended':
          return { type: 'interaction.ended', data: { ...base, endedBy: n.endedBy } };
        case 'request-waiting':
          return {
            type: 'request.waiting',
            data: {
              ...base,
              requestKind: n.requestKind,
              routingPoint: n.routingPoint,
              position: n.position,
              since: new Date(n.since).toISOString(),
              until: new Date(n.until).toISOString(),
              details: [...n.details],
            },
          };
        case 'wait-over':
          return {
            type: 'request.offered',
            data: { ...base, requestKind: n.requestKind, routingPoint: n.routingPoint, offeredTo: [...n.offeredTo] },
          };
        case 'returned-to-queue':
          return {
            type: 'interaction.requeued',
            data: { ...base, queue: n.queue, routingPoint: n.routingPoint, details: [...n.details] },
          };
      }
    }
  }
}

/** A transcript entry as events carry it: its time in ISO 8601, tagged by kind. */
function line(e: TranscriptEntry) {
  const at = new Date(e.at).toISOString();
  return e.kind === 'message' ? { ...e, kind: 'message' as const, at } : { ...e, kind: 'system' as const, at };
}
