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
}

/** Persistence of subscription records. */
export interface SubscriptionStore {
  list(): Promise<SubscriptionRecord[]>;
  /** One subscription by id (another replica may have stored it). */
  get(id: string): Promise<SubscriptionRecord | undefined>;
  put(record: SubscriptionRecord): Promise<void>;
  delete(id: string): Promise<void>;
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
    this.#byId.set(record.id, record);
  }
  async delete(id: string): Promise<void> {
    this.#byId.delete(id);
  }
}
