/**
 * Effects: what must happen outside the engine after a command. Data only; the service commits them
 * with the new state (an outbox) and workers carry them out through ports, idempotently.
 */
import type { ResourceFact } from '../reporting/resource-fact.js';
import type { InvitationKind, MediationRef, Origin, PersonRef, Target, TranscriptEntry, WaitSpan } from './types.js';

/** Ask the router to pick someone for the open request (a routing point's strategy, or the named person). */
export interface RouteRequest {
  readonly type: 'RouteRequest';
  readonly interactionId: string;
  readonly requestId: string;
  readonly kind: InvitationKind;
  readonly target: Target;
  /** Person ids already offered this request: not to be offered again. */
  readonly exclude: readonly string[];
  /**
   * Person ids already taking part in the interaction (live parties other than the customer): never offered it.
   * Absent on requests stored before it existed.
   */
  readonly present?: readonly string[] | undefined;
  /**
   * For a transfer or conference to an active consultation: that consultation. Its other party is already working
   * on this case with the requester, so being Busy (in that very consultation) does not keep them from the offer.
   */
  readonly consultationId?: string | null | undefined;
  /**
   * The routing points this request has waited at, with each wait's start and deadline: a deadline past means that
   * routing point's wait is over (it follows its default route); one still ahead is kept. Absent when none.
   */
  readonly waits?: Readonly<Record<string, WaitSpan>> | undefined;
  /** The request's priority among waiting requests (attached data `priority`); absent when none is given. */
  readonly priority?: number | null | undefined;
}

/** Send the Interaction Preview (Accept / Decline) to an invited person. */
export interface SendPreview {
  readonly type: 'SendPreview';
  readonly interactionId: string;
  readonly invitationId: string;
  readonly kind: InvitationKind;
  readonly to: PersonRef;
  readonly origin: Origin;
  readonly from: PersonRef | null;
  readonly via: MediationRef | null;
  readonly attachedData: Readonly<Record<string, string>>;
  /** The first message (an IM's opening line, or the customer's last words). */
  readonly previewText: string | null;
  readonly expiresAt: number;
  /** How long the preview lasts, for its countdown; set on call previews (absent on others, and on older effects). */
  readonly timeoutMs?: number | undefined;
}

/**
 * How a preview ended, for the card that replaces it. `undeliverable`: it never reached the person (there is no card
 * to replace; agents' clients and metrics still learn how it ended).
 */
export type PreviewOutcome = 'accepted' | 'declined' | 'expired' | 'undeliverable' | 'withdrawn' | 'taken' | 'ended';

/** Replace a sent preview so no stale buttons remain. */
export interface UpdatePreview {
  readonly type: 'UpdatePreview';
  readonly interactionId: string;
  readonly invitationId: string;
  readonly to: PersonRef;
  readonly outcome: PreviewOutcome;
  /** Who took it, for `taken` ("Taken by Jim Miller"). */
  readonly by: PersonRef | null;
}

/** Time the invitation out at `dueAt` (kept durable as the invitation's due time). */
export interface ScheduleTimeout {
  readonly type: 'ScheduleTimeout';
  readonly interactionId: string;
  readonly invitationId: string;
  readonly dueAt: number;
}

/** Expire the request's wait at a routing point at `dueAt` (kept durable as the waiting request's deadline). */
export interface ScheduleWaitExpiry {
  readonly type: 'ScheduleWaitExpiry';
  readonly interactionId: string;
  readonly requestId: string;
  readonly dueAt: number;
}

/** Relay a transcript entry to a connected party. */
export interface Deliver {
  readonly type: 'Deliver';
  readonly interactionId: string;
  readonly partyId: string;
  readonly to: PersonRef;
  readonly entry: TranscriptEntry;
}

/** Replay the transcript so far to a party that just joined (a conference target sees it all). */
export interface ReplayTranscript {
  readonly type: 'ReplayTranscript';
  readonly interactionId: string;
  readonly partyId: string;
  readonly to: PersonRef;
  readonly entries: readonly TranscriptEntry[];
}

/** Something a party must be told that is not a transcript line. */
export type Notice =
  | { readonly kind: 'invitation-accepted'; readonly requestKind: InvitationKind; readonly by: PersonRef }
  | {
      readonly kind: 'request-failed';
      readonly requestKind: InvitationKind;
      readonly reason: 'rejected' | 'timed_out' | 'undeliverable' | 'no-one-available';
      readonly message: string;
      readonly details: readonly string[];
    }
  | {
      readonly kind: 'request-waiting';
      readonly requestKind: InvitationKind;
      readonly routingPoint: MediationRef;
      /** Its place among the requests waiting there (1: next). */
      readonly position: number;
      readonly since: number;
      readonly until: number;
      readonly details: readonly string[];
    }
  | {
      /** A request that waited at a routing point was offered: its wait is over. */
      readonly kind: 'wait-over';
      readonly requestKind: InvitationKind;
      readonly routingPoint: MediationRef;
      readonly offeredTo: readonly PersonRef[];
    }
  | {
      readonly kind: 'returned-to-queue';
      readonly queue: MediationRef;
      /** The routing point that gave the chat back. */
      readonly routingPoint: MediationRef;
      readonly details: readonly string[];
    }
  | { readonly kind: 'owner-changed'; readonly ownerPartyId: string; readonly owner: PersonRef }
  | { readonly kind: 'removed-from-conference'; readonly by: PersonRef }
  | { readonly kind: 'interaction-ended'; readonly endedBy: PersonRef | null };

/** Tell a party something. */
export interface Notify {
  readonly type: 'Notify';
  readonly interactionId: string;
  readonly partyId: string;
  readonly to: PersonRef;
  readonly notice: Notice;
}

/** Write a resource fact (in the same transaction as the state change that ended the participation). */
export interface RecordFact {
  readonly type: 'RecordFact';
  readonly fact: ResourceFact;
}

/** Every effect the engine emits. */
export type Effect =
  | RouteRequest
  | SendPreview
  | UpdatePreview
  | ScheduleTimeout
  | ScheduleWaitExpiry
  | Deliver
  | ReplayTranscript
  | Notify
  | RecordFact;
