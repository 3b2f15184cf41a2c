/**
 * The port that keeps each Teams user's conversation reference (stored on install, used for proactive sends),
 * keyed by the user's Entra object id, with an in-memory implementation that doubles as the test fake.
 */

/**
 * A Bot Framework conversation reference as JSON (botbuilder's `Partial<ConversationReference>`): the port keeps it
 * opaque, so that it needs no Bot Framework types; the Teams adapter reads it back as botbuilder's.
 */
export type ConversationReferenceJson = object;

/** A user's 1:1 conversation with the bot, as stored on install. */
export interface StoredConversationReference {
  /** The user's Entra object id (aadObjectId): how the directory names knowledge workers. */
  readonly userId: string;
  readonly tenantId: string;
  readonly serviceUrl: string;
  readonly conversationId: string;
  /** The full reference botbuilder's continueConversationAsync takes. */
  readonly reference: ConversationReferenceJson;
  readonly updatedAt: number;
}

/** Stores conversation references; the SQL store implements it durably (`conversation_refs`). */
export interface ConversationReferenceStore {
  get(userId: string): Promise<StoredConversationReference | undefined>;
  put(ref: StoredConversationReference): Promise<void>;
  /** Forgets a user's reference (the app was uninstalled). */
  delete(userId: string): Promise<void>;
}

/** An in-memory {@link ConversationReferenceStore}. */
export class InMemoryConversationReferenceStore implements ConversationReferenceStore {
  private readonly refs = new Map<string, StoredConversationReference>();
  async get(userId: string): Promise<StoredConversationReference | undefined> {
    return this.refs.get(userId);
  }
  async put(ref: StoredConversationReference): Promise<void> {
    this.refs.set(ref.userId, ref);
  }
  async delete(userId: string): Promise<void> {
    this.refs.delete(userId);
  }
}
