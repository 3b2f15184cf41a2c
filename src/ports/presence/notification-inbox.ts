/**
 * The notification inbox port: where the notification endpoint queues accepted change notifications before
 * answering 202, and where the processor takes them from. The in-memory default is a bounded FIFO that counts the
 * items it holds and knows when the oldest arrived (the backlog's size and age).
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

/** Queue of accepted notifications. */
export interface NotificationInbox {
  /** Stores an entry; resolves once it is safe to answer 202 (it throws when it cannot store). */
  enqueue(entry: InboxEntry): Promise<void>;
  /**
   * Takes up to `max` entries, waiting until at least one exists or `signal` aborts (then resolves []). With
   * `maxItems`, stops before the entry that would bring the items taken beyond it (the first entry is always taken).
   */
  take(max: number, signal?: AbortSignal, maxItems?: number): Promise<InboxEntry[]>;
  /** Removes and returns every waiting entry, oldest first (shedding a backlog). */
  drain(): InboxEntry[];
  /** Entries waiting. */
  size(): number;
  /** Items waiting, over all entries. */
  items(): number;
  /** Receipt time of the oldest waiting entry, epoch ms; undefined when none waits. */
  oldestReceivedAt(): number | undefined;
}

/** In-memory FIFO inbox; `capacity` bounds it (enqueue throws when full, so the endpoint answers 503). */
export class MemoryNotificationInbox implements NotificationInbox {
  #queue: InboxEntry[] = [];
  #head = 0;
  #items = 0;
  #waiter: (() => void) | undefined;

  /** @param capacity - Most entries held; default 100,000. */
  constructor(readonly capacity = 100_000) {}

  async enqueue(entry: InboxEntry): Promise<void> {
    if (this.size() >= this.capacity) throw new Error('notification inbox full');
    this.#queue.push(entry);
    this.#items += entry.items.length;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  async take(max: number, signal?: AbortSignal, maxItems = Number.POSITIVE_INFINITY): Promise<InboxEntry[]> {
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
    const out: InboxEntry[] = [];
    let items = 0;
    while (out.length < max && this.#head < this.#queue.length) {
      const next = this.#queue[this.#head] as InboxEntry;
      if (out.length > 0 && items + next.items.length > maxItems) break;
      out.push(next);
      items += next.items.length;
      this.#head++;
    }
    this.#items -= items;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }

  drain(): InboxEntry[] {
    const out = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    this.#items = 0;
    return out;
  }

  size(): number {
    return this.#queue.length - this.#head;
  }

  items(): number {
    return this.#items;
  }

  oldestReceivedAt(): number | undefined {
    return this.#queue[this.#head]?.receivedAt;
  }
}
