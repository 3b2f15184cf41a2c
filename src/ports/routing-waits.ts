/**
 * The requests waiting at routing points for a member to become available, as the database holds them (the waiting
 * entry of each interaction's open request, committed with it): shared by every replica, kept across restarts. Their
 * deadlines are claimed like invitation time-outs, so each wait runs out once across replicas.
 */

/** One waiting request. */
export interface WaitingRequest {
  readonly interactionId: string;
  readonly routingPointId: string;
  /** When it began waiting there (epoch ms). */
  readonly since: number;
  /** When its wait runs out (epoch ms). */
  readonly until: number;
  /** Higher first; null when none was given. */
  readonly priority: number | null;
}

/** Reads waiting requests and claims those whose wait ran out. */
export interface RoutingWaits {
  /** Waiting requests, in the order they are offered: by routing point, higher priority first, then arrival. */
  waiting(limit: number): Promise<WaitingRequest[]>;
  /**
   * A request's place at its routing point (1: next), or, for a request not yet waiting, the place it would take
   * there with this priority (those waiting with the same or a higher priority, plus one).
   */
  positionAt(routingPointId: string, priority: number | null, interactionId: string): Promise<number>;
  /**
   * Claims waiting requests whose wait ran out by `now`, for `leaseMs`, oldest deadline first: while the claim holds,
   * no other caller (no other replica) gets them. A claim that runs out (its holder stopped) is taken again.
   */
  claimExpired(now: number, limit: number, leaseMs: number): Promise<WaitingRequest[]>;
  /** The people with a preview pending (any interaction): a waiting request waits for someone with none. */
  invitedNow(): Promise<ReadonlySet<string>>;
  /** The earliest deadline of a waiting request (or, when claimed, when its claim runs out); null when none wait. */
  nextExpiryAt(): Promise<number | null>;
}
