/** Requests: an interaction's open want for a new party, and how it fails. */
import type { Draft } from './draft.js';
import type { RouteRequest } from './effects.js';
import { closeInvitation, endInteraction, notify, pendingInvitations } from './operations.js';
import type { Interaction, InvitationKind, Request, Target } from './types.js';

/** Person ids of the interaction's live parties other than the customer: routing never offers them the request. */
function presentIn(ix: Interaction): string[] {
  return ix.parties.filter((p) => p.status !== 'ended' && p.role !== 'Customer').map((p) => p.person.id);
}

/**
 * The interaction's priority among waiting requests: its attached data `priority` (any case, e.g. `Priority`), when
 * an integer; else null.
 */
export function priorityOf(ix: Interaction): number | null {
  const key = Object.keys(ix.attachedData).find((k) => k.toLowerCase() === 'priority');
  const raw = key === undefined ? undefined : ix.attachedData[key]?.trim();
  if (!raw || !/^-?\d{1,9}$/.test(raw)) return null;
  return Number(raw);
}

/** The RouteRequest effect for the interaction's open request, as it stands (offered so far, waits, who is present). */
export function routeRequestOf(ix: Interaction, req: Request): RouteRequest {
  return {
    type: 'RouteRequest',
    interactionId: ix.id,
    requestId: req.id,
    kind: req.kind,
    target: req.target,
    exclude: [...req.offered],
    present: presentIn(ix),
    ...(req.consultationId ? { consultationId: req.consultationId } : {}),
    ...(req.waits && Object.keys(req.waits).length > 0 ? { waits: { ...req.waits } } : {}),
    ...(priorityOf(ix) !== null ? { priority: priorityOf(ix) } : {}),
  };
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
  const request: Request = {
    id: `r${ix.requestCount}`,
    kind,
    target,
    byPartyId,
    since: d.now,
    offered: [],
    consultationId,
  };
  ix.request = request;
  d.emit(routeRequestOf(ix, request));
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
    d.emit(routeRequestOf(ix, req));
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
    const routingPoint = ix.mediation;
    ix.mediation = ix.homeQueue;
    ix.mediationSince = d.now;
    const customer = ix.parties.find((p) => p.role === 'Customer' && p.status === 'connected');
    if (customer && ix.homeQueue) {
      notify(d, ix, customer, { kind: 'returned-to-queue', queue: ix.homeQueue, routingPoint, details });
    }
  }
}
