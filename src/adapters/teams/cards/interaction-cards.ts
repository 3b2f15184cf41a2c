/**
 * The cards a knowledge worker sees as an interaction moves on, built from its committed state: the card replacing
 * a preview once it is answered or over, the card ending a session, and the session summary. Every path that shows
 * them (the answer to a click, the outbox's UpdatePreview / Notify, and a card's automatic refresh) builds them
 * here, from the same inputs, so the same state always gives the same card. Each carries a refresh for its reader.
 * Pure.
 */
import type { PreviewOutcome } from '../../../domain/interaction/effects.js';
import type { Interaction, Invitation, PersonRef } from '../../../domain/interaction/types.js';
import { type AdaptiveCard, refreshing } from './card-kit.js';
import { outcomeCard } from './outcome-cards.js';
import { previewHeadline } from './preview-card.js';
import { summarise, summaryCard } from './summary-card.js';

/**
 * Who reads a card: the id the card's refresh names (the user's Teams id, as the Bot Connector gives it, else their
 * Entra object id).
 */
export type Reader = string;

/** Who asked for an invitation, as its preview named them: the inviting party, else the origin's sender. */
function askerOf(ix: Interaction, inv: Invitation | undefined): PersonRef | null {
  const inviter = ix.parties.find((p) => p.id === inv?.inviterPartyId)?.person;
  if (inviter) return inviter;
  return ix.origin.kind === 'inbound-chat' ? null : ix.origin.from;
}

/** The headline of an invitation's preview (the same the preview card showed); a plain route's without one. */
export function invitationHeadline(ix: Interaction, inv: Invitation | undefined): string {
  return previewHeadline({ origin: ix.origin, kind: inv?.kind ?? 'route', from: inv ? askerOf(ix, inv) : null });
}

/**
 * The card replacing the preview of invitation `invitationId` once it ended as `outcome`: the preview's headline and
 * the outcome's line (who asked, for accepted and withdrawn; who took it, for taken). Without the interaction, a
 * generic "Request" card.
 */
export function previewOutcomeCard(
  ix: Interaction | undefined,
  invitationId: string,
  outcome: PreviewOutcome,
  reader: Reader,
): AdaptiveCard {
  const inv = ix?.invitations.find((i) => i.id === invitationId);
  if (!ix) return outcomeCard({ headline: 'Request', outcome, interactionId: '' });
  let by: string | null = inv ? (askerOf(ix, inv)?.name ?? null) : null;
  if (outcome === 'taken' && inv) {
    const winner = ix.invitations.find((i) => i.requestId === inv.requestId && i.state === 'accepted');
    by = winner?.target.name ?? null;
  }
  const call = ix.media === 'voice';
  return refreshing(
    outcomeCard({ headline: invitationHeadline(ix, inv), outcome, interactionId: ix.id, by, call }),
    reader,
    {
      interactionId: ix.id,
      invitationId,
    },
  );
}

/** The headline of a person's session: that of the first invitation they got in it, else the interaction's own. */
export function sessionHeadline(ix: Interaction | undefined, personId: string): string {
  if (!ix) return 'Session';
  return invitationHeadline(
    ix,
    ix.invitations.find((i) => i.target.id === personId),
  );
}

/** The card that replaces a person's cards of a session once it has ended for them (no End button left). */
export function sessionEndedCard(
  ix: Interaction | undefined,
  personId: string,
  interactionId: string,
  reader: Reader,
): AdaptiveCard {
  const ended = outcomeCard({ headline: sessionHeadline(ix, personId), outcome: 'ended', interactionId });
  return refreshing(ended, reader, { interactionId, view: 'session' });
}

/** The summary a person gets when their session ends: with whom, how long, how many messages, who ended it. */
export function sessionSummaryCard(
  ix: Interaction,
  personId: string,
  endedBy: string | null,
  reader: Reader,
): AdaptiveCard {
  const data = { interactionId: ix.id, view: 'summary', ...(endedBy ? { endedBy } : {}) };
  return refreshing(summaryCard(summarise(ix, personId, sessionHeadline(ix, personId), endedBy)), reader, data);
}
