/**
 * Records and publishes presence state changes strictly in the order they happened: each batch is written to the
 * presence history (closed periods and snapshots, for time-in-state reports) and then published, change by change,
 * to every subscriber (the agent side's `knowledge-worker.state` events). A batch waits for the one before it; a
 * failing write is logged and the chain goes on with the next batch; a subscriber failing on one change is logged and
 * the other subscribers and changes still get theirs.
 */
import type { Logger } from 'pino';
import { toRoutingState } from '../domain/presence/routing-state.js';
import { historyRecordFor, type StateChange } from '../domain/presence/state-change.js';
import type { AgentState } from '../domain/routing/agent-state.js';
import type { PresenceHistoryStore } from '../ports/presence/presence-history-store.js';

/** Told of each knowledge worker's new agent state, in order. */
export type StateChangeListener = (knowledgeWorkerId: string, state: AgentState, at: number) => Promise<void>;

/** Records and publishes presence changes in order. */
export class PresenceRecorder {
  readonly #listeners: StateChangeListener[] = [];
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly history: PresenceHistoryStore,
    private readonly logger: Logger,
  ) {}

  /** Subscribes to every recorded change (as an agent state). */
  onStateChange(listener: StateChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Queues changes to be recorded, then published, after every batch queued before them. */
  record(changes: readonly StateChange[]): void {
    if (changes.length === 0) return;
    this.#chain = this.#chain
      .then(async () => {
        await this.history.record(
          changes.map(historyRecordFor),
          changes.map((c) => ({ userId: c.userId, state: c.to, since: c.at })),
        );
        for (const c of changes)
          for (const listener of this.#listeners) {
            try {
              await listener(c.userId, toRoutingState(c.to), c.at);
            } catch (err) {
              // One subscriber failing on one change costs neither the others nor the later changes.
              this.logger.error({ err, knowledgeWorkerId: c.userId }, 'could not publish a presence change');
            }
          }
      })
      .catch((err: unknown) => this.logger.error({ err }, 'could not record presence changes'));
  }

  /** Resolves when every change queued so far is recorded and published. */
  settled(): Promise<void> {
    return this.#chain;
  }
}
