/**
 * The port that records each send to Teams before it leaves, keyed by the outbox effect id, and marks it sent with
 * the activity id once the Bot Connector answers; so after a crash a send that started and was never answered is
 * known as in doubt, and a send known to have gone through is not repeated. With an in-memory implementation that
 * doubles as the test fake.
 */

/** What was known of an effect's send when it starts again. */
export type SendRecord =
  | { readonly status: 'new' }
  /** Answered: the activity exists in Teams. */
  | { readonly status: 'sent'; readonly activityId: string }
  /** Started `unanswered` times before and never answered: it may or may not have reached Teams. */
  | { readonly status: 'in-doubt'; readonly unanswered: number };

/** Records sends to Teams by outbox effect id. */
export interface SendLedger {
  /** Records that the send of `effectId` to `userId` is starting; answers what was known of it before. */
  begin(effectId: string, userId: string): Promise<SendRecord>;
  /** Marks the send of `effectId` answered with `activityId`. */
  sent(effectId: string, activityId: string): Promise<void>;
  /** Forgets a send Teams refused (nothing was delivered, so a retry is a fresh send, not one in doubt). */
  forget(effectId: string): Promise<void>;
}

/** An in-memory {@link SendLedger}. */
export class InMemorySendLedger implements SendLedger {
  private readonly rows = new Map<string, { unanswered: number; activityId: string | null }>();
  async begin(effectId: string): Promise<SendRecord> {
    const row = this.rows.get(effectId);
    if (!row) {
      this.rows.set(effectId, { unanswered: 1, activityId: null });
      return { status: 'new' };
    }
    if (row.activityId !== null) return { status: 'sent', activityId: row.activityId };
    const before = row.unanswered;
    row.unanswered++;
    return { status: 'in-doubt', unanswered: before };
  }
  async sent(effectId: string, activityId: string): Promise<void> {
    const row = this.rows.get(effectId);
    this.rows.set(effectId, { unanswered: row?.unanswered ?? 1, activityId });
  }
  async forget(effectId: string): Promise<void> {
    this.rows.delete(effectId);
  }
}
