/**
 * The port that remembers which Teams activity holds each preview card, per (interactionId, invitationId), so
 * the card can be replaced on every outcome; with an in-memory implementation that doubles as the test fake.
 */

/** A sent preview card. */
export interface SentCard {
  readonly interactionId: string;
  readonly invitationId: string;
  /** The knowledge worker it went to (aadObjectId). */
  readonly userId: string;
  readonly conversationId: string;
  /** The id the Bot Connector returned for the card's activity. */
  readonly activityId: string;
  /** The preview's headline, repeated on the replacement cards. */
  readonly headline: string;
  /** Who asked (for "Kate Lewis withdrew this request"). */
  readonly fromName: string | null;
}

/** Stores sent cards. */
export interface CardActivityStore {
  get(interactionId: string, invitationId: string): Promise<SentCard | undefined>;
  put(card: SentCard): Promise<void>;
  /** The cards of an interaction sent to one user, oldest first. */
  listFor(interactionId: string, userId: string): Promise<SentCard[]>;
}

/** An in-memory {@link CardActivityStore}. */
export class InMemoryCardActivityStore implements CardActivityStore {
  private readonly cards = new Map<string, SentCard>();
  async get(interactionId: string, invitationId: string): Promise<SentCard | undefined> {
    return this.cards.get(`${interactionId}\u0000${invitationId}`);
  }
  async put(card: SentCard): Promise<void> {
    this.cards.set(`${card.interactionId}\u0000${card.invitationId}`, card);
  }
  async listFor(interactionId: string, userId: string): Promise<SentCard[]> {
    return [...this.cards.values()].filter((c) => c.interactionId === interactionId && c.userId === userId);
  }
}
