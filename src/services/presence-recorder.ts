/**
 * Records and publishes presence state changes strictly in the order they happened, in slices: up to
 * {@link RECORD_SLICE} queued changes are written to the presence history in one transaction (closed periods and
 * snapshots, for time-in-state reports) and then published to every subscriber in one call (the agent side appends
 * their `knowledge-worker.state` events in one transaction); then the event loop gets its turn before the next slice,
 * so a burst of changes never holds the HTTP server for long (a slice is a few milliseconds of SQLite work). Changes queued while a slice is written join the next
 * one. A failing write is logged and the next slice goes on; a subscriber failing on a slice is logged and the other
 * subscribers and later slices still get theirs.
 */
import type { Logger } from 'pino';
import { toRoutingState } from '../domain/presence/routing-state.js';
import { historyRecordFor, type StateChange, type StateHistoryRecord } from '../domain/presence/state-change.js';
import type { AgentState } from '../domain/routing/agent-state.js';
import type { PresenceHistoryStore, PresenceSnapshotRecord } from '../ports/presence/presence-history-store.js';

/** One knowledge worker's new agent state. */
export interface KnowledgeWorkerStateChange {
  readonly knowledgeWorkerId: string;
  readonly state: AgentState;
  /** When it changed, epoch ms. */
  readonly at: number;
}

/** Told of knowledge workers' new agent states, a slice at a time, in order. */
export type StateChangeListener = (changes: readonly KnowledgeWorkerStateChange[]) => Promise<void>;

/** Most changes written and published together. */
export const RECORD_SLICE = 50;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One row per key, the last one given (a slice may close two periods of one user, or move a snapshot twice). */
function lastPer<T>(rows: readonly T[], key: (row: T) => string): T[] {
  return [...new Map(rows.map((r) => [key(r), r])).values()];
}

/** Records and publishes presence changes in order. */
export class PresenceRecorder {
  readonly #listeners: StateChangeListener[] = [];
  #queue: StateChange[] = [];
  #working: Promise<void> | null = null;

  constructor(
    private readonly history: PresenceHistoryStore,
    private readonly logger: Logger,
  ) {}

  /** Subscribes to every recorded change (as agent states). */
  onStateChange(listener: StateChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Queues changes to be recorded, then published, after every change queued before them. */
  record(changes: readonly StateChange[]): void {
    if (changes.length === 0) return;
    for (const c of changes) this.#queue.push(c);
    this.#working ??= this.#work();
  }

  async #work(): Promise<void> {
    while (this.#queue.length > 0) {
      const slice = this.#queue.splice(0, RECORD_SLICE);
      const written = await this.#write(slice);
      await yieldToEventLoop();
      if (written) {
        await this.#publish(slice);
        await yieldToEventLoop();
      }
    }
    // No await between the empty queue seen above and this: a change queued later starts a new run.
    this.#working = null;
  }

  async #write(slice: readonly StateChange[]): Promise<boolean> {
    try {
      await this.history.record(
        lastPer<StateHistoryRecord>(slice.map(historyRecordFor), (h) => `${h.userId}\n${h.startedAt}`),
        lastPer<PresenceSnapshotRecord>(
          slice.map((c) => ({ userId: c.userId, state: c.to, since: c.at })),
          (s) => s.userId,
        ),
      );
      return true;
    } catch (err) {
      this.logger.error({ err, changes: slice.length }, 'could not record presence changes');
      return false;
    }
  }

  async #publish(slice: readonly StateChange[]): Promise<void> {
    const states = slice.map((c) => ({ knowledgeWorkerId: c.userId, state: toRoutingState(c.to), at: c.at }));
    for (const listener of this.#listeners) {
      try {
        await listener(states);
      } catch (err) {
        // One subscriber failing on one slice costs neither the others nor the later slices.
        this.logger.error(
          { err, knowledgeWorkerIds: [...new Set(slice.map((c) => c.userId))].slice(0, 20), changes: slice.length },
          'could not publish presence changes',
        );
      }
    }
  }

  /** Resolves when every change queued so far is recorded and published. */
  async settled(): Promise<void> {
    while (this.#working) await this.#working;
  }
}
