/**
 * The notification inbox port: where the notification endpoint persists (or queues) accepted change notifications
 * before answering 202, and where the processor takes them from. The in-memory default is a bounded FIFO; the lead
 * backs it with SQL for durability across restarts.
 */

/** One accepted notification collection, as received (still encrypted). */
export interface InboxEntry {
  /** Items whose subscription and clientState checked out. */
  readonly items: readonly Record<string, unknown>[];
  /** The collection's `validationTokens` (rich notifications), if any. */
  readonly validationTokens: readonly string[];
  /** Receipt time, epoch ms: the observed time of the presence values inside. */
  readonly receivedAt: number;
}

/** Durable queue of accepted notifications. */
export interface NotificationInbox {
  /** Stores an entry; resolves once it is safe to answer 202 (it throws when it cannot store). */
  enqueue(entry: InboxEntry): Promise<void>;
  /** Takes up to `max` entries, waiting until at least one exists or `signal` aborts (then resolves []). */
  take(max: number, signal?: AbortSignal): Promise<InboxEntry[]>;
  /** Entries waiting. */
  size(): number;
}

/** In-memory FIFO inbox; `capacity` bounds it (enqueue throws when full, so the endpoint answers 503). */
export class MemoryNotificationInbox implements NotificationInbox {
  #queue: InboxEntry[] = [];
  #head = 0;
  #waiter: (() => void) | undefined;

  /** @param capacity - Most entries held; default 100,000. */
  constructor(readonly capacity = 100_000) {}

  async enqueue(entry: InboxEntry): Promise<void> {
    if (this.size() >= this.capacity) throw new Error('notification inbox full');
    this.#queue.push(entry);
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  async take(max: number, signal?: AbortSignal): Promise<InboxEntry[]> {
    while (this.size() === 0) {
      if (signal?.aborted) return [];
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        this.#waiter = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    const out = this.#queue.slice(this.#head, this.#head + max);
    this.#head += out.length;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }

  size(): number {
    return this.#queue.length - this.#head;
  }
}
