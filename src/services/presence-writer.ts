/**
 * The presence writer: shows in Teams what each person should show because of the contact center (an expert in a
 * session: Busy/InACall by default), through the connector's own application presence session in Graph, and clears
 * it when that ends.
 *
 * - **Latest value only.** Callers say what a person should show now ({@link PresenceWriter.want}); a person waiting
 *   for a write is queued once, and the write sends whatever is wanted when it is made. Changes that come faster than
 *   writes collapse into one (coalescing); a write that failed (throttled, 5xx, network) is retried after a backoff
 *   with the value current then, never the stale one.
 * - **Durable.** A presence is recorded before it is written and forgotten after it is cleared, so a connector that
 *   crashed clears what it left behind once it runs again ({@link PresenceWriter.takeOver}).
 * - **Kept alive.** Graph drops the session after its expiration; while a person should still show it, it is written
 *   again before that.
 * - **One writer per person.** With replicas only the holder of a person's presence shard writes (`owns`); a replica
 *   that takes a shard over reads what the previous holder recorded.
 * - **Within a budget.** Each Graph call takes a slot of the write budget first (a share of the presence quota).
 */
import type { Logger } from 'pino';
import {
  planWrite,
  type ShownPresence,
  type WriteAction,
  type WrittenPresence,
} from '../domain/presence/presence-write.js';
import type { Clock } from '../ports/clock.js';
import type { PresenceWriteGateway } from '../ports/presence/presence-write-gateway.js';
import type { PresenceWriteStore } from '../ports/presence/presence-write-store.js';

/** Settings of the writer. */
export interface PresenceWriterOptions {
  /** Lifetime of the application presence session in Graph, minutes (5 to 240). */
  readonly expirationMinutes: number;
  /** Written again when less than this remains, ms. Default a third of the expiration. */
  readonly renewBeforeMs?: number;
  /** Writes in flight at once. Default 16. */
  readonly maxInFlight?: number;
  /** First retry delay after a failed write, ms; doubles per failure up to 30 s. Default 1,000. */
  readonly retryBaseMs?: number;
  /** How often expirations and due retries are checked, ms. Default 1,000. */
  readonly tickMs?: number;
}

/** A budget of Graph calls: answers how long to wait for a slot (0: the slot is taken now). */
export interface CallBudget {
  take(now: number): number;
}

/** What the writer needs. */
export interface PresenceWriterDeps {
  readonly store: PresenceWriteStore;
  readonly gateway: PresenceWriteGateway;
  readonly clock: Clock;
  /** Whether this process writes this person's presence (with replicas: holds their shard). */
  readonly owns: (userId: string) => boolean;
  /** The write budget; default unlimited. */
  readonly budget?: CallBudget;
  readonly logger: Logger;
  /** Told after each person's write reached Graph (benchmarks measure lag with it). */
  readonly onWritten?: (userId: string, action: WriteAction['kind'], at: number) => void;
}

/** Counters of the writer's work. */
export interface PresenceWriterStats {
  sets: number;
  clears: number;
  statusMessages: number;
  failures: number;
  /** Wants that replaced one still waiting (collapsed into one write). */
  coalesced: number;
}

/** Writes presence to Graph for the people it owns. */
export class PresenceWriter {
  readonly #o: Required<PresenceWriterOptions>;
  readonly #d: PresenceWriterDeps;
  readonly #wanted = new Map<string, ShownPresence>();
  readonly #written = new Map<string, WrittenPresence>();
  readonly #pending = new Set<string>();
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #failures = new Map<string, { count: number; waiting: boolean }>();
  #timer: NodeJS.Timeout | null = null;
  #budgetTimer: NodeJS.Timeout | null = null;
  #running = false;
  readonly stats: PresenceWriterStats = { sets: 0, clears: 0, statusMessages: 0, failures: 0, coalesced: 0 };

  constructor(options: PresenceWriterOptions, deps: PresenceWriterDeps) {
    const expirationMs = options.expirationMinutes * 60_000;
    this.#o = {
      expirationMinutes: options.expirationMinutes,
      renewBeforeMs: options.renewBeforeMs ?? Math.floor(expirationMs / 3),
      maxInFlight: options.maxInFlight ?? 16,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      tickMs: options.tickMs ?? 1_000,
    };
    this.#d = deps;
  }

  /** What a person should show now because of the contact center; null: leave Teams alone (clear ours). */
  want(userId: string, shown: ShownPresence | null): void {
    if (shown) this.#wanted.set(userId, shown);
    else this.#wanted.delete(userId);
    if (this.#pending.has(userId)) this.stats.coalesced++;
    else this.#pending.add(userId);
    this.#kick();
  }

  /** What the writer wants a person to show (undefined: nothing). */
  wanted(userId: string): ShownPresence | undefined {
    return this.#wanted.get(userId);
  }

  /** What the connector has written for a person and not cleared (undefined: nothing). */
  written(userId: string): WrittenPresence | undefined {
    return this.#written.get(userId);
  }

  /**
   * This process now writes for these people (start, or a shard taken over): reads what was recorded for them (by
   * this process before a crash, or by the previous holder) and brings Graph in line: sets what should show, clears
   * what should not.
   */
  async takeOver(userIds: readonly string[] | null): Promise<void> {
    const records = await this.#d.store.list(userIds);
    for (const r of records) if (!this.#inFlight.has(r.userId)) this.#written.set(r.userId, r);
    const ids = userIds ?? [...new Set([...records.map((r) => r.userId), ...this.#wanted.keys()])];
    for (const id of ids) if (this.#written.has(id) || this.#wanted.has(id)) this.#pending.add(id);
    this.#kick();
  }

  /** People waiting for a write, and writes in flight. */
  backlog(): { readonly pending: number; readonly inFlight: number } {
    return { pending: this.#pending.size, inFlight: this.#inFlight.size };
  }

  /** Starts writing, and checks expirations and retries every `tickMs`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#timer = setInterval(() => this.#tick(), this.#o.tickMs);
    this.#timer.unref();
    this.#kick();
  }

  /** Stops starting writes; resolves when those in flight have finished. Recorded presences stay for the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#budgetTimer) clearTimeout(this.#budgetTimer);
    this.#timer = null;
    this.#budgetTimer = null;
    await Promise.all(this.#inFlight.values());
  }

  /** Queues the people whose session expires soon and still should show it. */
  #tick(): void {
    const now = this.#d.clock.now();
    for (const [id, w] of this.#written)
      if (w.expiresAt - now <= this.#o.renewBeforeMs && this.#wanted.has(id)) this.#pending.add(id);
    this.#kick();
  }

  #kick(): void {
    if (!this.#running || this.#budgetTimer) return;
    const now = this.#d.clock.now();
    for (const id of this.#pending) {
      if (this.#inFlight.size >= this.#o.maxInFlight) return;
      if (this.#inFlight.has(id)) continue;
      if (this.#failures.get(id)?.waiting) continue;
      if (!this.#d.owns(id)) {
        this.#pending.delete(id);
        continue;
      }
      const action = planWrite(this.#wanted.get(id) ?? null, this.#written.get(id), now, this.#o.renewBeforeMs);
      if (action.kind === 'none') {
        this.#pending.delete(id);
        this.#failures.delete(id);
        continue;
      }
      const wait = this.#d.budget?.take(now) ?? 0;
      if (wait > 0) {
        this.#budgetTimer = setTimeout(() => {
          this.#budgetTimer = null;
          this.#kick();
        }, wait);
        return;
      }
      this.#pending.delete(id);
      const run = this.#write(id, action).finally(() => {
        this.#inFlight.delete(id);
        this.#kick();
      });
      this.#inFlight.set(id, run);
    }
  }

  /** Waits for another slot of the budget (a write that takes two calls: presence and status message). */
  async #slot(): Promise<void> {
    for (;;) {
      const wait = this.#d.budget?.take(this.#d.clock.now()) ?? 0;
      if (wait <= 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  async #write(userId: string, action: Exclude<WriteAction, { kind: 'none' }>): Promise<void> {
    const { gateway, store, clock } = this.#d;
    try {
      if (action.kind === 'set') {
        const p = action.presence;
        const record: WrittenPresence = {
          userId,
          ...p,
          expiresAt: clock.now() + this.#o.expirationMinutes * 60_000,
        };
        const before = this.#written.get(userId)?.statusMessage ?? null;
        // Recorded first (with a status message still to clear, if any): whatever happens next, a later start
        // knows what there may be to clear.
        const first = p.statusMessage === null && before !== null ? { ...record, statusMessage: before } : record;
        await store.put(first);
        this.#written.set(userId, first);
        await gateway.setPresence(userId, p.availability, p.activity, this.#o.expirationMinutes);
        this.stats.sets++;
        if (p.statusMessage !== null || before !== null) {
          await this.#slot();
          await gateway.setStatusMessage(userId, p.statusMessage, record.expiresAt);
          this.stats.statusMessages++;
          if (first !== record) {
            await store.put(record);
            this.#written.set(userId, record);
          }
        }
      } else {
        await gateway.clearPresence(userId);
        this.stats.clears++;
        if (action.hadStatusMessage) {
          await this.#slot();
          await gateway.setStatusMessage(userId, null, clock.now());
          this.stats.statusMessages++;
        }
        await store.remove(userId);
        this.#written.delete(userId);
      }
      this.#failures.delete(userId);
      this.#d.onWritten?.(userId, action.kind, clock.now());
    } catch (err) {
      this.stats.failures++;
      const count = (this.#failures.get(userId)?.count ?? 0) + 1;
      const delay = Math.min(30_000, this.#o.retryBaseMs * 2 ** (count - 1));
      const failure = { count, waiting: true };
      this.#failures.set(userId, failure);
      this.#pending.add(userId);
      this.#d.logger.warn(
        { err: String(err), userId, action: action.kind, retryInMs: delay },
        'a presence write failed; it is retried with the value current then',
      );
      const retry = setTimeout(() => {
        failure.waiting = false;
        this.#kick();
      }, delay);
      retry.unref();
    }
  }
}
