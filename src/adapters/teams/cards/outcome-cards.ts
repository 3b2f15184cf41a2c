/**
 * The cards that replace a preview once it is answered or over: accepted, declined, expired, undeliverable (a preview
 * the bot could not send has no card to replace: the line answers a button on a card that a retry got through later),
 * withdrawn, taken by someone else, ended. None keeps Accept / Decline; only the accepted card carries the session's End button.
 */
import type { PreviewOutcome } from '../../../domain/interaction/effects.js';
import { type AdaptiveCard, card, executeAction, text, VERBS } from './card-kit.js';

/** What a replacement card says about the preview it replaces. */
export interface OutcomeCardInput {
  /** The preview's headline ("Consultation instant messaging from Kate Lewis"). */
  readonly headline: string;
  readonly outcome: PreviewOutcome;
  readonly interactionId: string;
  /** Who took it, for `taken`; who asked, for `withdrawn` and `accepted`. */
  readonly by?: string | null | undefined;
  /** A call preview: accepting puts the call through, there is no session to end. */
  readonly call?: boolean | undefined;
}

/** The status line of each outcome. */
export function outcomeLine(outcome: PreviewOutcome, by?: string | null): string {
  switch (outcome) {
    case 'accepted':
      return by
        ? `✅ Accepted. You are connected with ${by}: reply here, and type "end" or press End when you are done.`
        : '✅ Accepted. You are connected: reply here, and type "end" or press End when you are done.';
    case 'declined':
      return '❌ You declined this request.';
    case 'expired':
      return '⌛ This request expired before it was answered.';
    case 'undeliverable':
      return '⚠️ This request could not be delivered to you; it is no longer open.';
    case 'withdrawn':
      return by ? `↩️ ${by} withdrew this request.` : '↩️ This request was withdrawn.';
    case 'taken':
      return by ? `Taken by ${by}.` : 'Taken by someone else.';
    case 'ended':
      return '🏁 This session has ended.';
  }
}

/** The status line of a call preview's outcome: the call goes to them, or to its default route. */
export function callOutcomeLine(outcome: PreviewOutcome): string {
  switch (outcome) {
    case 'accepted':
      return '📞 Accepted. The call is being put through to you.';
    case 'declined':
      return '❌ You declined this call; it goes to its default route.';
    case 'expired':
      return '⌛ This call was not answered in time; it went to its default route.';
    case 'ended':
    case 'withdrawn':
      // A call has no requester to withdraw it: it ends unanswered only when the caller hangs up.
      return '📵 The caller hung up before the call was put through.';
    default:
      return outcomeLine(outcome);
  }
}

/** The replacement card for a preview's outcome. */
export function outcomeCard(input: OutcomeCardInput): AdaptiveCard {
  const line = input.call ? callOutcomeLine(input.outcome) : outcomeLine(input.outcome, input.by);
  const body = [text(input.headline, { bold: true }), text(line)];
  if (input.outcome !== 'accepted' || input.call) return card(body);
  return card(body, [executeAction('End', VERBS.end, { interactionId: input.interactionId }, 'destructive')]);
}

/** A card that tells the clicking user why nothing happened (someone else's card, an unknown button, …). */
export function noticeCard(title: string, detail: string): AdaptiveCard {
  return card([text(title, { bold: true }), text(detail, { subtle: true })]);
}
