/**
 * What a button press does: Accept, Decline or End on a card, turned into an engine command through the
 * InteractionCommands port, and answered with the card the clicking user should now see; a card's automatic refresh
 * is answered with the current card and changes nothing. Repeated clicks (Teams retries invokes; people
 * double-click) get the same answer; another user's click changes nothing.
 */
import { z } from 'zod';
import type { Interaction } from '../../domain/interaction/types.js';
import type { CommandResult, InteractionCommands } from '../../ports/interaction-commands.js';
import { type AdaptiveCard, refreshing, VERBS } from './cards/card-kit.js';
import { currentCard, endedOutcome } from './cards/current-card.js';
import { previewOutcomeCard, sessionEndedCard, sessionSummaryCard } from './cards/interaction-cards.js';
import { noticeCard } from './cards/outcome-cards.js';
import type { CaseInfoField } from './cards/preview-card.js';

/** The data our buttons carry, validated. */
export const cardActionDataSchema = z.object({
  interactionId: z.string().min(1).max(200),
  invitationId: z.string().min(1).max(200).optional(),
});

/** The data of a card's refresh, validated. */
const refreshDataSchema = cardActionDataSchema.extend({
  view: z.enum(['session', 'summary']).optional(),
  endedBy: z.string().max(200).optional(),
});

/** A button press, from an Action.Execute invoke or an Action.Submit fallback message. */
export interface CardAction {
  readonly verb: string;
  readonly data: unknown;
  /** The clicking user's Entra object id. */
  readonly userId: string;
  /** The clicking user's Teams id (`from.id`), which the refresh of the answering card names; default `userId`. */
  readonly reader?: string | undefined;
}

/** The answer: a card for the clicking user, or a protocol error (4xx) when the request itself is malformed. */
export type CardActionResult =
  | {
      readonly kind: 'card';
      readonly card: AdaptiveCard;
      readonly changed: boolean;
      /** A card to send after the answer (the session summary when the user ended the session). */
      readonly followUp?: AdaptiveCard | undefined;
    }
  | { readonly kind: 'error'; readonly status: 400; readonly code: string; readonly message: string };

/** Dependencies of {@link handleCardAction}. */
export interface CardActionDeps {
  readonly commands: InteractionCommands;
  /** The case information a rebuilt preview shows (default the standard fields). */
  readonly caseInfoFields?: readonly CaseInfoField[] | undefined;
}

/** Carries out one button press. Never throws for expected outcomes; port failures propagate. */
export async function handleCardAction(action: CardAction, deps: CardActionDeps): Promise<CardActionResult> {
  const reader = action.reader ?? action.userId;
  if (action.verb === VERBS.refresh) {
    const data = refreshDataSchema.safeParse(action.data);
    if (!data.success) {
      return { kind: 'error', status: 400, code: 'BadRequest', message: 'The refresh data is missing or malformed.' };
    }
    const ix = await deps.commands.get(data.data.interactionId);
    return card(currentCard(ix, data.data, action.userId, reader, deps.caseInfoFields));
  }
  const parsed = cardActionDataSchema.safeParse(action.data);
  if (!parsed.success) {
    return { kind: 'error', status: 400, code: 'BadRequest', message: 'The button data is missing or malformed.' };
  }
  const { interactionId, invitationId } = parsed.data;
  // Notices carry the refresh too: the copy shows the current state whenever Teams displays it again.
  const notice = (title: string, text: string) =>
    card(
      refreshing(noticeCard(title, text), reader, invitationId ? { interactionId, invitationId } : { interactionId }),
    );
  if (action.verb === VERBS.end) return end(interactionId, action.userId, reader, deps);
  if (action.verb !== VERBS.accept && action.verb !== VERBS.decline) {
    return notice('This button is not supported', 'Nothing was changed. Ask the agent to send a new request.');
  }
  if (!invitationId) {
    return { kind: 'error', status: 400, code: 'BadRequest', message: 'The button data names no invitation.' };
  }
  const accept = action.verb === VERBS.accept;
  const result = await deps.commands.execute({
    type: accept ? 'Accept' : 'Reject',
    interactionId,
    invitationId,
    by: action.userId,
  });
  const ix = await interactionOf(result, interactionId, deps.commands);
  const inv = ix?.invitations.find((i) => i.id === invitationId);
  if (result.ok) {
    return card(previewOutcomeCard(ix, invitationId, accept ? 'accepted' : 'declined', reader), true);
  }
  const { refusal } = result;
  if (refusal.code === 'not-invitee') {
    const name = inv?.target.name ?? 'someone else';
    return notice(`This request was sent to ${name}`, 'Only they can answer it; nothing was changed.');
  }
  if (refusal.code === 'invitation-ended' && inv) {
    return card(previewOutcomeCard(ix, invitationId, endedOutcome(ix, inv), reader));
  }
  if (refusal.code === 'unknown-interaction' || refusal.code === 'unknown-invitation') {
    return notice('This request no longer exists', 'Nothing was changed.');
  }
  return notice('Nothing was changed', refusal.message);
}

async function end(
  interactionId: string,
  userId: string,
  reader: string,
  deps: CardActionDeps,
): Promise<CardActionResult> {
  const result = await deps.commands.execute({ type: 'End', interactionId, by: userId });
  const ix = await interactionOf(result, interactionId, deps.commands);
  if (result.ok || result.refusal.code === 'interaction-ended' || result.refusal.code === 'party-left') {
    const ended = sessionEndedCard(ix, userId, interactionId, reader);
    if (!result.ok || !ix) return card(ended);
    const followUp = sessionSummaryCard(ix, userId, nameOf(ix, userId), reader);
    return { kind: 'card', card: ended, changed: true, followUp };
  }
  if (result.refusal.code === 'unknown-interaction') {
    return card(
      refreshing(noticeCard('This session no longer exists', 'Nothing was changed.'), reader, { interactionId }),
    );
  }
  return card(refreshing(noticeCard('The session was not ended', result.refusal.message), reader, { interactionId }));
}

function nameOf(ix: Interaction, personId: string): string | null {
  return ix.parties.find((p) => p.person.id === personId)?.person.name ?? null;
}

function card(c: AdaptiveCard, changed = false): CardActionResult {
  return { kind: 'card', card: c, changed };
}

async function interactionOf(
  result: CommandResult,
  id: string,
  commands: InteractionCommands,
): Promise<Interaction | undefined> {
  if (result.ok) return result.interactions.find((i) => i.id === id) ?? (await commands.get(id));
  return commands.get(id);
}
