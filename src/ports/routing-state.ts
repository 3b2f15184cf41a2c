/**
 * The routing state the strategies read, shared by every replica: when each knowledge worker last ended a session
 * (longest-idle) and each routing point's round-robin cursor, advanced by compare-and-set so two replicas routing at
 * once never both take the same turn.
 */

/** A routing point's round-robin cursor: the member offered last, and how many times it has advanced. */
export interface RoutingCursor {
  readonly lastOfferedId: string;
  readonly version: number;
}

/**
 * What became of an advance: the cursor as it now is when it moved; otherwise the cursor another request (on any
 * replica) moved it to first, as read in the same statement (absent when it could not be read there): decide again
 * from it.
 */
export type CursorAdvance =
  | { readonly advanced: true; readonly cursor: RoutingCursor }
  | { readonly advanced: false; readonly current: RoutingCursor | undefined };

/** Reads and advances the durable routing state. */
export interface RoutingState {
  /**
   * When each of these knowledge workers last ended a session (epoch ms): the latest end of a party of theirs that was
   * connected. Those who never ended one are absent.
   */
  lastSessionEnds(knowledgeWorkerIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** The cursors of these routing points; those never advanced are absent. */
  cursors(routingPointIds: readonly string[]): Promise<ReadonlyMap<string, RoutingCursor>>;
  /**
   * Moves a routing point's cursor to `lastOfferedId` if it is still at `expectedVersion` (0: never advanced), atomically
   * on every replica. When another request advanced it first, says where it is now (one round trip on PostgreSQL).
   */
  advanceCursor(routingPointId: string, expectedVersion: number, lastOfferedId: string): Promise<CursorAdvance>;
}
