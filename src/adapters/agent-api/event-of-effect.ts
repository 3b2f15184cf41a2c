/**
 * Turns an effect addressed to an agent or a customer into an event of the agent side: its type (what a client
 * switches on) and its data. Pure.
 */
import type { PersonEffect } from '../../ports/participant-channel.js';

/** An event's type and data. */
export interface EventBody {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** The event types the agent side emits (also the webhook `type`s, prefixed in CloudEvents). */
export const eventTypes = [
  'invitation.offered',
  'invitation.closed',
  'invitation.accepted',
  'invitation.rejected',
  'invitation.timed_out',
  'invitation.failed',
  'message',
  'party.joined',
  'party.left',
  'transcript.system',
  'transcript.replayed',
  'interaction.owner_changed',
  'interaction.removed',
  'interaction.ended',
  'knowledge-worker.state',
] as const;

/** One event type. */
export type EventType = (typeof eventTypes)[number];

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
      const entry = { ...effect.entry, at: new Date(effect.entry.at).toISOString() };
      if (effect.entry.kind === 'message') return { type: 'message', data: { ...base, entry } };
      const sys = effect.entry.event?.type;
      const type =
        sys === 'joined' || sys === 'accepted' ? 'party.joined' : sys === 'left' ? 'party.left' : 'transcript.system';
      return { type, data: { ...base, entry } };
    }
    case 'ReplayTranscript':
      return {
        type: 'transcript.replayed',
        data: { ...base, entries: effect.entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) },
      };
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
          return { type, data: { ...base, requestKind: n.requestKind, message: n.message, details: n.details } };
        }
        case 'owner-changed':
          return { type: 'interaction.owner_changed', data: { ...base, ownerPartyId: n.ownerPartyId, owner: n.owner } };
        case 'removed-from-conference':
          return { type: 'interaction.removed', data: { ...base, by: n.by } };
        case 'interaction-ended':
          return { type: 'interaction.ended', data: { ...base, endedBy: n.endedBy } };
      }
    }
  }
}
