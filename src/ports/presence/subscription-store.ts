/**
 * The subscription store port: the presence subscriptions the connector holds (one per subscriber account), so a
 * restart renews them instead of creating duplicates. The in-memory default doubles as a test fake.
 */

/** One presence subscription held by a subscriber account. */
export interface SubscriptionRecord {
  readonly id: string;
  /** The subscriber account (UPN) that owns it. */
  readonly account: string;
  /** The users it covers (≤ 650). */
  readonly userIds: readonly string[];
  /** The clientState secret sent with every notification of this subscription. */
  readonly clientState: string;
  /** Expiry, epoch ms. */
  readonly expiresAt: number;
  /**
   * Since when every notification of this subscription has been refused (its validation tokens do not verify:
   * wrong tenant, app id or clock), epoch ms; null or absent while its notifications are accepted.
   */
  readonly refusedSince?: number | null | undefined;
}

/** Persistence of subscription records. */
export interface SubscriptionStore {
  list(): Promise<SubscriptionRecord[]>;
  /** One subscription by id (another replica may have stored it). */
  get(id: string): Promise<SubscriptionRecord | undefined>;
  /** Stores a subscription (a renewal keeps its `refusedSince`). */
  put(record: SubscriptionRecord): Promise<void>;
  delete(id: string): Promise<void>;
  /** Records that its notifications are refused since `since`, or (null) accepted again. */
  markRefused(id: string, since: number | null): Promise<void>;
}

/** In-memory subscription store. */
export class MemorySubscriptionStore implements SubscriptionStore {
  readonly #byId = new Map<string, SubscriptionRecord>();
  async list(): Promise<SubscriptionRecord[]> {
    return [...this.#byId.values()];
  }
  async get(id: string): Promise<SubscriptionRecord | undefined> {
    return this.#byId.get(id);
  }
  async put(record: SubscriptionRecord): Promise<void> {
    const old = this.#byId.get(record.id);
    this.#byId.set(record.id, { ...record, refusedSince: old?.refusedSince ?? record.refusedSince ?? null });
  }
  async markRefused(id: string, since: number | null): Promise<void> {
    const old = this.#byId.get(id);
    if (old) this.#byId.set(id, { ...old, refusedSince: since });
  }
  async delete(id: string): Promise<void> {
    this.#byId.delete(id);
  }
}
