/**
 * Resource facts in Genesys Info Mart's vocabulary: one per resource per participation, role / result [reason],
 * plus the connector's finer outcome (reference/infomart-flows.md).
 */
import type { Media } from '../interaction/types.js';

/** Info Mart resource roles used here. */
export type FactRole =
  | 'Initiated'
  | 'Received'
  | 'Puller'
  | 'RoutedTo'
  | 'ReceivedTransfer'
  | 'InConference'
  | 'ReceivedConsult';

/** Info Mart technical results used here. */
export type FactResult = 'Completed' | 'Redirected' | 'Transferred' | 'Abandoned' | 'CustomerAbandoned';

/** Info Mart result reasons used here. */
export type FactReason = 'Revoked' | 'AbandonedWhileQueued' | 'AbandonedWhileRinging';

/**
 * The finer outcome Info Mart folds away: declines, time-outs, previews that could not be delivered (`unreachable`)
 * and withdrawals kept apart for supervisors (reference/infomart-flows.md). It is also how a party left: the engine
 * sets it on the party when its participation ends, and the party's resource fact carries it.
 */
export const FACT_OUTCOMES = [
  'ended',
  'transferred_away',
  'removed',
  'declined',
  'timed_out',
  'unreachable',
  'withdrawn',
  'taken_by_other',
  'customer_left',
] as const;

/** One of {@link FACT_OUTCOMES}. */
export type FactOutcome = (typeof FACT_OUTCOMES)[number];

/** The resource a fact belongs to. */
export interface FactResource {
  readonly kind: 'agent' | 'knowledge-worker' | 'queue' | 'routing-point';
  readonly id: string;
  readonly name: string;
}

/** One interaction resource fact. */
export interface ResourceFact {
  readonly interactionId: string;
  /** The party whose participation this closes; null for a queue's or routing point's fact. */
  readonly partyId: string | null;
  readonly media: Media;
  readonly resource: FactResource;
  readonly role: FactRole;
  readonly result: FactResult;
  readonly reason: FactReason | null;
  readonly outcome: FactOutcome;
  /** The routing point (or queue) that offered the interaction, if any. */
  readonly routingPointId: string | null;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Time from invitation to answer (or to the end, when never answered). */
  readonly alertMs: number;
  /** Time connected. */
  readonly engageMs: number;
  /**
   * Mediation: how long the request waited at the routing point (or queue) before this offer, from when it began
   * waiting there (0 when offered at once, or not offered through one); for a queue's or routing point's own fact,
   * the whole time it held the interaction. Kept beside the handling times, never part of them.
   */
  readonly mediationMs: number;
}

/** "RoutedTo/Redirected [Revoked]": the descriptor as the seeds write it. */
export function describeFact(fact: Pick<ResourceFact, 'role' | 'result' | 'reason'>): string {
  return `${fact.role}/${fact.result}${fact.reason ? ` [${fact.reason}]` : ''}`;
}
