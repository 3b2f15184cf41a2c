/**
 * Topic-based notifications between replicas on one database (PostgreSQL LISTEN/NOTIFY in
 * `adapters/store/pg-notifications.ts`). A notification is only a wake-up: the tables stay the source of truth.
 */

/** Sends and receives notifications by topic. */
export interface NotificationBus {
  /** Registers a handler of every payload on `topic` (before the bus starts). */
  on(topic: string, handler: (payload: string) => void): void;
  /** Calls `handler` after the listening connection was re-established (notifications may have been missed). */
  onReconnect(handler: () => void): void;
  /** Sends a notification to every replica listening on `topic` (this one included). */
  notify(topic: string, payload: string): Promise<void>;
  /** Sends several notifications at once (one round trip), in order. */
  notifyAll(notifications: readonly { readonly topic: string; readonly payload: string }[]): Promise<void>;
  /**
   * Whether the listening connection is up, so that notifications are being heard. While it is not, anything cached
   * on the strength of notifications must not be trusted (they may be lost).
   */
  isListening(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}
