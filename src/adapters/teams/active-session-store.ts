/**
 * The port that knows which session a knowledge worker's free-text messages belong to (the interaction they
 * accepted last and have not left), with an in-memory implementation that doubles as the test fake.
 */

/** Tracks each user's current session. */
export interface ActiveSessionStore {
  /** The interaction the user's messages go to, if any. */
  current(userId: string): Promise<string | undefined>;
  /** The user joined this interaction (it becomes current). */
  open(userId: string, interactionId: string): Promise<void>;
  /** The user left this interaction; the previous open one, if any, becomes current again. */
  close(userId: string, interactionId: string): Promise<void>;
}

/** An in-memory {@link ActiveSessionStore}. */
export class InMemoryActiveSessionStore implements ActiveSessionStore {
  private readonly open_ = new Map<string, string[]>();
  async current(userId: string): Promise<string | undefined> {
    return this.open_.get(userId)?.at(-1);
  }
  async open(userId: string, interactionId: string): Promise<void> {
    const list = (this.open_.get(userId) ?? []).filter((id) => id !== interactionId);
    this.open_.set(userId, [...list, interactionId]);
  }
  async close(userId: string, interactionId: string): Promise<void> {
    const list = (this.open_.get(userId) ?? []).filter((id) => id !== interactionId);
    if (list.length > 0) this.open_.set(userId, list);
    else this.open_.delete(userId);
  }
}
