/**
 * The interaction model: interactions, parties, invitations, requests and transcripts.
 *
 * Pure data: no I/O, no clocks. Times are epoch milliseconds handed in by the caller.
 * Words follow the seed documents (Genesys Workspace and Info Mart) and ARCHITECTURE.md's glossary.
 */
import type { FactOutcome } from '../reporting/resource-fact.js';

/**
 * The media of an interaction: an internal instant message, a customer chat, or a customer's voice call the contact
 * center escalates to a knowledge worker through a voice routing point (the connector previews it and decides where
 * the call goes; it never carries the call itself).
 */
export type Media = 'im' | 'chat' | 'voice';

/** Who a person is to the contact center. */
export type PersonKind = 'agent' | 'knowledge-worker' | 'customer';

/** A person taking part: an agent (by agent id), a knowledge worker (by Entra object id) or a customer. */
export interface PersonRef {
  readonly id: string;
  readonly name: string;
  readonly kind: PersonKind;
}

/** A place an interaction can wait in: an interaction queue or a routing point (a strategy). */
export interface MediationRef {
  readonly kind: 'queue' | 'routing-point';
  readonly id: string;
  readonly name: string;
}

/** Where an interaction came from; shown on the preview ("Consultation instant messaging from Kate Lewis"). */
export type Origin =
  | { readonly kind: 'internal'; readonly from: PersonRef }
  | { readonly kind: 'consultation'; readonly from: PersonRef; readonly parentInteractionId: string }
  | { readonly kind: 'inbound-chat' }
  /**
   * A call the contact center sent to a voice routing point to reach a knowledge worker (seed 000 step 8); `from` is
   * the agent transferring it, when the attached data names one.
   */
  | { readonly kind: 'voice-call'; readonly from: PersonRef | null; readonly dn: string };

/** A party's connection: Establishing (invited, "Not Connected"), Connected, Ended. */
export type ConnectionStatus = 'establishing' | 'connected' | 'ended';

/** What the customer sees of a party: everything, or nothing (coach/consult, Info Mart visibility mode 3). */
export type Visibility = 'all' | 'consult';

/** The four kinds of invitation. */
export type InvitationKind = 'route' | 'transfer' | 'conference' | 'consult';

/**
 * How an invitation ended. Each invitation ends exactly once. `undeliverable`: its preview could not be delivered
 * (the person cannot be reached), so it ended at once instead of waiting for its time-out.
 */
export type InvitationOutcome =
  | 'accepted'
  | 'rejected'
  | 'timed_out'
  | 'undeliverable'
  | 'revoked'
  | 'customer_abandoned';

/** Why an invitation was revoked. */
export type RevokeCause = 'withdrawn' | 'taken_by_other' | 'interaction_ended';

/** A party's Info Mart role for its participation (Customer: the customer, who gets no resource fact). */
export type PartyRole = 'Customer' | 'Initiated' | 'RoutedTo' | 'ReceivedTransfer' | 'InConference' | 'ReceivedConsult';

/** One participation of one person in one interaction. A person invited twice is two parties. */
export interface Party {
  readonly id: string;
  readonly person: PersonRef;
  readonly role: PartyRole;
  readonly visibility: Visibility;
  status: ConnectionStatus;
  /** The invitation that brought this party in; null for the initiator and the customer. */
  readonly invitationId: string | null;
  /** The routing point or queue that offered this party the interaction. */
  readonly via: MediationRef | null;
  readonly invitedAt: number;
  /**
   * When the request that brought this party in began waiting at `via` (the routing point's wait); absent when it
   * was offered at once. The party's mediation time is `invitedAt - mediatedSince`.
   */
  readonly mediatedSince?: number | undefined;
  connectedAt: number | null;
  endedAt: number | null;
  /** How the party left (the finer outcome of its resource fact); null while it takes part. */
  exit: FactOutcome | null;
}

/** An offer of the interaction to one person; ends exactly once. */
export interface Invitation {
  readonly id: string;
  readonly kind: InvitationKind;
  readonly requestId: string;
  readonly partyId: string;
  readonly target: PersonRef;
  /** The party that asked for it (null for routing of a customer chat). */
  readonly inviterPartyId: string | null;
  readonly via: MediationRef | null;
  readonly createdAt: number;
  readonly dueAt: number;
  state: 'pending' | InvitationOutcome;
  revokeCause: RevokeCause | null;
  endedAt: number | null;
}

/** Who a request asks for: a named person, a routing point, or a queue. */
export type Target =
  | { readonly kind: 'person'; readonly person: PersonRef }
  | { readonly kind: 'routing-point'; readonly id: string; readonly name: string }
  | { readonly kind: 'queue'; readonly id: string; readonly name: string };

/** A routing point's wait for this request: when it began there and when it runs out (epoch ms). */
export interface WaitSpan {
  readonly since: number;
  readonly until: number;
}

/**
 * A request waiting at a routing point for a member to become available: no invitation is pending meanwhile. Waiting
 * requests are offered in order: a higher `priority` first, then arrival (`since`).
 */
export interface Waiting {
  readonly routingPoint: MediationRef;
  readonly since: number;
  readonly until: number;
  /** From the interaction's attached data `priority` (an integer); null when none is given. */
  readonly priority: number | null;
}

/** An open want for a new party, served by one or more invitations. At most one per interaction. */
export interface Request {
  readonly id: string;
  readonly kind: InvitationKind;
  readonly target: Target;
  /** The party that asked (null when a routing point routes a customer chat). */
  readonly byPartyId: string | null;
  readonly since: number;
  /** Person ids offered so far, in order: strategies skip them. */
  offered: string[];
  /** For a transfer or conference to an active consultation: that consultation's id. */
  readonly consultationId: string | null;
  /** Waiting at a routing point for a member to become available; absent or null when not waiting. */
  waiting?: Waiting | null | undefined;
  /**
   * Each routing point's wait for this request, by routing point id: a request waiting again at the same routing
   * point (after a decline) keeps its place and its deadline. Absent on requests that never waited.
   */
  waits?: Record<string, WaitSpan> | undefined;
}

/** A structured system event behind a system transcript line. */
export type SystemEvent =
  | { readonly type: 'initiated'; readonly partyId: string }
  | { readonly type: 'accepted'; readonly partyId: string }
  | { readonly type: 'rejected'; readonly partyId: string }
  | { readonly type: 'timed_out'; readonly partyId: string }
  | { readonly type: 'undeliverable'; readonly partyId: string }
  | { readonly type: 'withdrawn'; readonly partyId: string }
  | { readonly type: 'joined'; readonly partyId: string }
  | { readonly type: 'left'; readonly partyId: string };

/** Who may see a transcript entry: everyone, or only agents and knowledge workers (not the customer). */
export type Audience = 'all' | 'internal';

/** One line of the transcript, numbered in the order sent and received. */
export interface TranscriptEntry {
  readonly seq: number;
  readonly at: number;
  readonly kind: 'message' | 'system';
  /** The author of a message, or the subject of a system line. */
  readonly partyId: string | null;
  readonly name: string | null;
  readonly text: string;
  readonly audience: Audience;
  readonly event: SystemEvent | null;
}

/** One interaction: an IM or a chat, with its parties, invitations, open request and transcript. */
export interface Interaction {
  readonly id: string;
  readonly media: Media;
  readonly origin: Origin;
  /** Case information and any other attached data (call type, priority, reason, segment, …). */
  readonly attachedData: Readonly<Record<string, string>>;
  readonly createdAt: number;
  endedAt: number | null;
  /** The party that owns the interaction; null while it waits or after it ended. */
  ownerPartyId: string | null;
  /** Where the interaction waits while no one handles it (queue, or a routing point that pulled it). */
  mediation: MediationRef | null;
  /** The queue a customer chat arrived in; it returns there when routing gives up. */
  homeQueue: MediationRef | null;
  /** When the current mediation began (for the queue's or routing point's fact). */
  mediationSince: number | null;
  request: Request | null;
  parties: Party[];
  invitations: Invitation[];
  transcript: TranscriptEntry[];
  /** Consultations started from this interaction. */
  consultationIds: string[];
  /** Counts requests made, so request ids stay unique. */
  requestCount: number;
  /** Bumped on every change; the store uses it for optimistic concurrency. */
  revision: number;
}

/** The engine's state: the interactions a command touches (the service loads them). */
export interface EngineState {
  readonly interactions: Readonly<Record<string, Interaction>>;
}
