/** Requests: an interaction's open want for a new party, and how it fails. */
import type { Draft } from './draft.js';
import { closeInvitation, endInteraction, notify, pendingInvitations } from './operations.js';
import type { Interaction, InvitationKind, Target } from './types.js';

/** Person ids of the interaction's live parties other than the customer: routing never offers them the request. */
function presentIn(ix: Interaction): string[] {
  return ix.parties.filter((p) => p.status !== 'ended' && p.role !== 'Customer').map((p) => p.person.id);
}

/** Opens a request and asks the router to serve it. */
export function openRequest(
  d: Draft,
  ix: Interaction,
  kind: InvitationKind,
  target: Target,
  byPartyId: string | null,
  consultationId: string | null,
): void {
  ix.requestCount += 1;
  const request = { id: `r${ix.requestCount}`, kind, target, byPartyId, since: d.now, offered: [], consultationId };
  ix.request = request;
  d.emit({
    type: 'RouteRequest',
    interactionId: ix.id,
    requestId: request.id,
    kind,
    target,
    exclude: [],
    present: presentIn(ix),
    ...(consultationId ? { consultationId } : {}),
  });
}

/** Why a request failed, as the requester is told. */
export type FailureReason = 'rejected' | 'timed_out' | 'undeliverable' | 'no-one-available';

/** How an invitation of the open request ended unanswered, and whom it was for. */
export interface Unanswered {
  readonly reason: Exclude<FailureReason, 'no-one-available'>;
  /** The invited person's name. */
  readonly who: string;
  /** For `undeliverable`: why they cannot be reached (a clause without a final full stop). */
  readonly why?: string | undefined;
}

/** What the requester is told when a request fails; `why` completes an undeliverable invitation's message. */
const failureMessage = (kind: InvitationKind, reason: FailureReason, who: string, why?: string): string => {
  const what =
    kind === 'transfer'
      ? 'The transfer'
      : kind === 'conference'
        ? 'The conference'
        : kind === 'consult'
          ? 'The consultation'
          : 'The invitation';
  if (reason === 'rejected') return `${what} was rejected by ${who}.`;
  if (reason === 'timed_out') return `${what} to ${who} timed out.`;
  if (reason === 'undeliverable') return `${what} to ${who} could not be delivered${why ? `: ${why}` : ''}.`;
  return `${what} could not be delivered: no one is available at ${who}.`;
};

/**
 * After an invitation of the open request ended unanswered: a routing point tries the next person;
 * a named target's request fails. Does nothing while other invitations of the request are still pending.
 */
export function continueOrFailRequest(d: Draft, ix: Interaction, ended: Unanswered): void {
  const req = ix.request;
  if (!req || pendingInvitations(ix, req.id).length > 0) return;
  if (req.target.kind !== 'person') {
    d.emit({
      type: 'RouteRequest',
      interactionId: ix.id,
      requestId: req.id,
      kind: req.kind,
      target: req.target,
      exclude: [...req.offered],
      present: presentIn(ix),
    });
    return;
  }
  failRequest(d, ix, ended.reason, [failureMessage(req.kind, ended.reason, ended.who, ended.why)], ended.why);
}

/**
 * Fails the open request: the requester is told why (`why` completes the message of an undeliverable invitation).
 * An IM that never connected ends; a call at a voice routing point ends (it takes the default route); a routed
 * customer chat goes back to its queue; an escalation leaves the chat with its owner.
 */
export function failRequest(
  d: Draft,
  ix: Interaction,
  reason: FailureReason,
  details: readonly string[],
  why?: string,
): void {
  const req = ix.request;
  if (!req) return;
  for (const inv of pendingInvitations(ix, req.id)) closeInvitation(d, ix, inv, 'revoked', 'withdrawn');
  ix.request = null;
  const where = req.target.kind === 'person' ? req.target.person.name : req.target.name;
  const message = failureMessage(req.kind, reason, where, why);
  const requester = ix.parties.find((p) => p.id === req.byPartyId);
  if (requester && requester.status === 'connected') {
    notify(d, ix, requester, { kind: 'request-failed', requestKind: req.kind, reason, message, details });
  }
  if (req.kind === 'route' && (ix.media === 'im' || ix.media === 'voice')) {
    endInteraction(d, ix, null);
  } else if (req.kind === 'route' && ix.media === 'chat' && ix.mediation?.kind === 'routing-point') {
    // Flow 2 of 002: the chat is returned to the queue so that other routing targets can be evaluated.
    ix.mediation = ix.homeQueue;
    ix.mediationSince = d.now;
  }
}
