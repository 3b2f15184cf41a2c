/**
 * Conversation references kept in memory by each replica, in front of the durable store: a proactive send, a reach
 * check and a relayed message read the reference from memory rather than the database. A reference stored or
 * forgotten here is told to the other replicas (`changed`), and one stored or forgotten elsewhere is forgotten here
 * ({@link CachedConversationReferences.forget}); while those notifications cannot be heard (`trusted()` is false),
 * every read goes to the database. Storing a reference that addresses the user as the stored one does (Teams sends
 * the same conversation with every activity of the user) writes nothing and tells no one.
 */
import type {
  ConversationReferenceStore,
  StoredConversationReference,
} from '../ports/teams/conversation-reference-store.js';

/** Options of {@link CachedConversationReferences}. */
export interface CachedConversationReferencesOptions {
  /** Whether changes made elsewhere are heard (and {@link CachedConversationReferences.forget} told of them). */
  readonly trusted: () => boolean;
  /** Told after a user's reference was stored or forgotten here (to tell the other replicas). */
  readonly changed: (userId: string) => void;
  /** How many users' references are kept (the oldest are dropped first). Default 50,000. */
  readonly maxEntries?: number | undefined;
}

/** What is known of a user: their reference, or that they have none. */
type Entry = { readonly ref: StoredConversationReference | undefined };

/**
 * The reference without the id of the activity it was taken from, which differs with every activity and plays no
 * part in a proactive send (botbuilder replies to the continuation activity it makes, not to this id).
 */
function addressOf(reference: object): string {
  const { activityId: _, ...address } = reference as { activityId?: unknown };
  return JSON.stringify(address);
}

/** Whether two references address the user alike (when they were stored, and from which activity, aside). */
function sameReference(a: StoredConversationReference, b: StoredConversationReference): boolean {
  return (
    a.userId === b.userId &&
    a.tenantId === b.tenantId &&
    a.serviceUrl === b.serviceUrl &&
    a.conversationId === b.conversationId &&
    addressOf(a.reference) === addressOf(b.reference)
  );
}

/** A {@link ConversationReferenceStore} that keeps what it read or wrote, invalidated by notifications. */
export class CachedConversationReferences implements ConversationReferenceStore {
  readonly #entries = new Map<string, Entry>();
  /** Bumped by every forgetting, so a read that began before it does not store what it read. */
  #generation = 0;

  constructor(
    private readonly store: ConversationReferenceStore,
    private readonly options: CachedConversationReferencesOptions,
  ) {}

  async get(userId: string): Promise<StoredConversationReference | undefined> {
    const trusted = this.options.trusted();
    if (trusted) {
      const hit = this.#entries.get(userId);
      if (hit) return hit.ref;
    } else if (this.#entries.size > 0) this.forget(null);
    const generation = this.#generation;
    const ref = await this.store.get(userId);
    if (trusted && generation === this.#generation && this.options.trusted()) this.#keep(userId, { ref });
    return ref;
  }

  async put(ref: StoredConversationReference): Promise<void> {
    // What is stored is read (from memory when known) first: writing it again would make every replica forget it.
    const known = this.options.trusted() ? await this.get(ref.userId) : undefined;
    if (known && sameReference(known, ref)) return;
    this.forget([ref.userId]);
    await this.store.put(ref);
    this.forget([ref.userId]);
    this.options.changed(ref.userId);
  }

  async delete(userId: string): Promise<void> {
    this.forget([userId]);
    await this.store.delete(userId);
    this.forget([userId]);
    this.options.changed(userId);
  }

  /** Forgets these users' references (null: everyone's), changed elsewhere. */
  forget(userIds: readonly string[] | null): void {
    this.#generation++;
    if (userIds === null) this.#entries.clear();
    else for (const id of userIds) this.#entries.delete(id);
  }

  #keep(userId: string, entry: Entry): void {
    if (this.#entries.size >= (this.options.maxEntries ?? 50_000) && !this.#entries.has(userId))
      this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(userId, entry);
  }
}
