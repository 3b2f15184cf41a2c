/**
 * The card a knowledge worker should see now, for a card's automatic refresh (Universal Actions): Teams asks for it
 * whenever it displays a card, so any copy (one nobody replaced, a duplicate sent after a crash) shows the
 * interaction's current state. Built with the same builders as the cards sent and the answers to clicks. Reading
 * only: a refresh never changes anything. Pure.
 */
import type { PreviewOutcome } from '../../../domain/interaction/effects.js';
import { previewTextOf } from '../../../domain/interaction/handlers/routing.js';
import type { Interaction, Invitation, PersonRef } from '../../../domain/interaction/types.js';
import type { AdaptiveCard } from './card-kit.js';
import { previewOutcomeCard, type Reader, sessionEndedCard, sessionSummaryCard } from './interaction-cards.js';
import { noticeCard } from './outcome-cards.js';
import { type CaseInfoField, DEFAULT_CASE_INFO_FIELDS, previewCard } from './preview-card.js';

/** What a card's refresh carries: the interaction, and the invitation or the view the card shows. */
export interface RefreshData {
  readonly interactionId: string;
  readonly invitationId?: string | undefined;
  readonly view?: 'session' | 'summary' | undefined;
  /** Who ended the session, as the summary named them. */
  readonly endedBy?: string | undefined;
}

/** Refreshes whose answer is the card the refreshing user already has, with nothing changed. */
export const NOT_YOURS = (name: string) =>
  noticeCard(`This card was sent to ${name}`, 'Only they see its updates; nothing was changed.');

const ENDED_AS: Record<string, PreviewOutcome> = {
  accepted: 'accepted',
  rejected: 'declined',
  timed_out: 'expired',
  undeliverable: 'undeliverable',
  customer_abandoned: 'withdrawn',
};

/** How an ended invitation looks to its invitee. */
export function endedOutcome(ix: Interaction | undefined, inv: Invitation): PreviewOutcome {
  if (inv.state === 'revoked') {
    if (inv.revokeCause === 'taken_by_other') return 'taken';
    if (inv.revokeCause === 'interaction_ended') return 'ended';
    return 'withdrawn';
  }
  const party = ix?.parties.find((p) => p.id === inv.partyId);
  const over = (ix?.endedAt ?? null) !== null || (party?.endedAt ?? null) !== null;
  // An accepted call preview stays accepted: the call was put through, and the connector's part ended with that.
  if (inv.state === 'accepted' && over && ix?.media !== 'voice') return 'ended';
  return ENDED_AS[inv.state] ?? 'ended';
}

/** The preview of a pending invitation, as its SendPreview showed it (rebuilt from the committed state). */
export function pendingPreviewCard(
  ix: Interaction,
  inv: Invitation,
  reader: Reader,
  fields: readonly CaseInfoField[] = DEFAULT_CASE_INFO_FIELDS,
): AdaptiveCard {
  const inviter = ix.parties.find((p) => p.id === inv.inviterPartyId)?.person;
  const from: PersonRef | null = inviter ?? (ix.origin.kind === 'inbound-chat' ? null : ix.origin.from);
  const preview = {
    type: 'SendPreview' as const,
    interactionId: ix.id,
    invitationId: inv.id,
    kind: inv.kind,
    to: inv.target,
    origin: ix.origin,
    from,
    via: inv.via,
    attachedData: ix.attachedData,
    previewText: previewTextOf(ix),
    expiresAt: inv.dueAt,
    ...(ix.media === 'voice' ? { timeoutMs: inv.dueAt - inv.createdAt } : {}),
  };
  return previewCard(preview, fields, reader);
}

/**
 * The card `userId` should see now in place of a card carrying `data`. Someone other than the card's knowledge
 * worker gets a notice, and nothing changes for anyone.
 */
export function currentCard(
  ix: Interaction | undefined,
  data: RefreshData,
  userId: string,
  reader: Reader,
  fields?: readonly CaseInfoField[],
): AdaptiveCard {
  if (!ix) return noticeCard('This request no longer exists', 'Nothing was changed.');
  if (data.invitationId !== undefined) {
    const inv = ix.invitations.find((i) => i.id === data.invitationId);
    if (!inv) return noticeCard('This request no longer exists', 'Nothing was changed.');
    if (inv.target.id !== userId) return NOT_YOURS(inv.target.name);
    if (inv.state === 'pending') return pendingPreviewCard(ix, inv, reader, fields);
    return previewOutcomeCard(ix, inv.id, endedOutcome(ix, inv), reader);
  }
  const mine = ix.parties.filter((p) => p.person.id === userId && p.connectedAt !== null);
  if (mine.length === 0) return NOT_YOURS('someone else');
  if (data.view === 'summary') return sessionSummaryCard(ix, userId, data.endedBy ?? null, reader);
  const live = mine.find((p) => p.endedAt === null);
  if (ix.endedAt !== null || !live) return sessionEndedCard(ix, userId, ix.id, reader);
  const inv = ix.invitations.find((i) => i.partyId === live.id && i.state === 'accepted');
  return inv ? previewOutcomeCard(ix, inv.id, 'accepted', reader) : sessionEndedCard(ix, userId, ix.id, reader);
}
