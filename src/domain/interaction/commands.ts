/**
 * Commands to the interaction engine. Every command names the interaction it acts on, and the
 * person acting where a person acts, so the engine can check that the user acting is the one invited.
 */
import type { Interaction, InvitationKind, MediationRef, PersonRef, Target } from './types.js';

/** An agent starts an IM (to a person or a routing point); the session starts with the first message. */
export interface StartIm {
  readonly type: 'StartIm';
  readonly interactionId: string;
  readonly initiator: PersonRef;
  readonly target: Target;
  readonly text: string;
  /** Starts a consultation IM from this active interaction and carries its case information. */
  readonly parentInteractionId?: string | undefined;
  readonly attachedData?: Readonly<Record<string, string>> | undefined;
}

/** The contact-center platform hands in a customer chat, waiting in an interaction queue. */
export interface ReceiveChat {
  readonly type: 'ReceiveChat';
  readonly interactionId: string;
  readonly customer: PersonRef;
  readonly queue: MediationRef;
  readonly text?: string | undefined;
  readonly attachedData?: Readonly<Record<string, string>> | undefined;
}

/**
 * A routing point's strategy pulls a queued chat to route it (Puller); or, naming the queue itself, the queue
 * offers the chat to its own agents while it stays queued.
 */
export interface PullFromQueue {
  readonly type: 'PullFromQueue';
  readonly interactionId: string;
  readonly routingPoint: MediationRef;
}

/**
 * The contact center reports a call arriving at a voice routing point (seed 000 step 8), its attached data naming the
 * knowledge worker. `preview`: the knowledge worker gets a call preview (Accept / Decline) lasting `timeoutMs`;
 * `direct`: the call is routed to them at once, with no preview.
 */
export interface ReceiveCall {
  readonly type: 'ReceiveCall';
  readonly interactionId: string;
  /** The voice routing point: `id` is its DN. */
  readonly routingPoint: MediationRef;
  readonly knowledgeWorker: PersonRef;
  /** The agent transferring the call, when known. */
  readonly from: PersonRef | null;
  readonly attachedData: Readonly<Record<string, string>>;
  readonly rule: 'preview' | 'direct';
  readonly timeoutMs: number;
}

/** The caller hangs up while their call's preview is open: the call is abandoned while ringing (Info Mart flow 11). */
export interface AbandonCall {
  readonly type: 'AbandonCall';
  readonly interactionId: string;
}

/** The router offers the open request to one person (or several at once: broadcast). */
export interface Offer {
  readonly type: 'Offer';
  readonly interactionId: string;
  readonly requestId: string;
  readonly targets: readonly PersonRef[];
  readonly via: MediationRef | null;
  /** How long each preview waits for an answer. */
  readonly timeoutMs: number;
}

/** The router found no one for the open request. */
export interface RoutingFailed {
  readonly type: 'RoutingFailed';
  readonly interactionId: string;
  readonly requestId: string;
  /** Why, for the requester: "everyone busy", "offline", "declined", … */
  readonly reasons: readonly string[];
}

/**
 * The router found no one yet, and the routing point waits for a member to become available until `until`: the
 * request stays open without an invitation. The requester (or, for a routed chat, the platform) is told, with the
 * request's place among those waiting there.
 */
export interface Wait {
  readonly type: 'Wait';
  readonly interactionId: string;
  readonly requestId: string;
  readonly routingPoint: MediationRef;
  /** When the wait runs out (epoch ms); the same deadline when the request waits there again. */
  readonly until: number;
  /** Its place among the requests waiting there (1: next). */
  readonly position: number;
  /** What the routing points found, for the requester. */
  readonly reasons: readonly string[];
}

/**
 * A waiting request's wait ran out: it is routed again, and the routing point, its wait over, follows its default
 * route (or fails). Refused before the deadline, or when the request no longer waits, so it takes effect once.
 */
export interface WaitExpired {
  readonly type: 'WaitExpired';
  readonly interactionId: string;
  readonly requestId: string;
}

/** The invited person accepts (Accept on the preview card). */
export interface Accept {
  readonly type: 'Accept';
  readonly interactionId: string;
  readonly invitationId: string;
  readonly by: string;
}

/** The invited person declines (Decline / Reject). */
export interface Reject {
  readonly type: 'Reject';
  readonly interactionId: string;
  readonly invitationId: string;
  readonly by: string;
}

/** The preview's due time passed with no answer. Refused before the due time. */
export interface Timeout {
  readonly type: 'Timeout';
  readonly interactionId: string;
  readonly invitationId: string;
}

/**
 * The invited person's preview could not be delivered: their `ParticipantChannel` refused it (in Teams: the app is not installed
 * for them, it could not be installed, or they blocked the bot). The invitation ends at once and the request moves
 * on exactly as after a time-out. Refused when the invitation has already ended, so a repeat changes nothing.
 */
export interface Undeliverable {
  readonly type: 'Undeliverable';
  readonly interactionId: string;
  readonly invitationId: string;
  /**
   * Why they cannot be reached, as a clause for agents without a final full stop ("they blocked the bot in Teams
   * (the Bot Connector answered 403 MessageWritesBlocked)"). Never a secret.
   */
  readonly reason: string;
}

/** The requester withdraws the pending request (its previews are withdrawn). */
export interface Cancel {
  readonly type: 'Cancel';
  readonly interactionId: string;
  readonly by: string;
}

/** A party sends a message. `internal` hides it from the customer. */
export interface SendMessage {
  readonly type: 'SendMessage';
  readonly interactionId: string;
  readonly from: string;
  readonly text: string;
  readonly internal?: boolean | undefined;
}

/** A party ends its part (End IM / End chat); the customer ending is "customer leaves". */
export interface End {
  readonly type: 'End';
  readonly interactionId: string;
  readonly by: string;
}

/** The owner asks for a transfer, conference or consult of a customer chat. */
export interface Escalate {
  readonly type: 'Escalate';
  readonly interactionId: string;
  readonly kind: Exclude<InvitationKind, 'route'>;
  readonly by: string;
  /** A person, a routing point or a queue; omitted when `consultationId` names the target. */
  readonly target?: Target | undefined;
  /** Transfer or conference to the other party of this active consultation. */
  readonly consultationId?: string | undefined;
}

/** The owner removes a party from the conference. */
export interface DeleteFromConference {
  readonly type: 'DeleteFromConference';
  readonly interactionId: string;
  readonly by: string;
  readonly partyId: string;
}

/** Every command the engine accepts. */
export type Command =
  | StartIm
  | ReceiveChat
  | ReceiveCall
  | AbandonCall
  | PullFromQueue
  | Offer
  | RoutingFailed
  | Wait
  | WaitExpired
  | Accept
  | Reject
  | Timeout
  | Undeliverable
  | Cancel
  | SendMessage
  | End
  | Escalate
  | DeleteFromConference;

/** The ids of the interactions a command reads or changes: the service loads exactly these. */
export function interactionIdsOf(command: Command): string[] {
  const ids = [command.interactionId];
  if (command.type === 'StartIm' && command.parentInteractionId) ids.push(command.parentInteractionId);
  if (command.type === 'Escalate' && command.consultationId) ids.push(command.consultationId);
  return ids;
}

/**
 * Interactions an interaction's open request may change besides itself: the active consultation a transfer or
 * conference goes to (accepting it ends that consultation). The service loads these too.
 */
export function linkedInteractionIds(ix: Interaction): string[] {
  return ix.request?.consultationId ? [ix.request.consultationId] : [];
}
