/**
 * The presence poller: `POST /communications/getPresencesByUserId` in batches of ≤ 650 ids through the one
 * throttled {@link GraphClient}, feeding the {@link PresenceTracker}. Adaptive: users whose subscription is healthy
 * are polled at the slow (reconciliation) interval, the others at the fast one. After each cycle it expires
 * unconfirmed users to Unknown, so a Graph outage degrades to stale states, never to wrong ones.
 */
import { z } from 'zod';
import type { PresenceObservation } from '../../domain/presence/agent-state.js';
import type { PresenceTracker } from '../../domain/presence/presence-tracker.js';
import type { StateChange } from '../../domain/presence/state-change.js';
import type { Clock } from '../../ports/clock.js';
import type { GraphClient } from './graph-client.js';

/** Schema of {@link PresencePollerOptions}. */
export const presencePollerOptionsSchema = z.object({
  /** Poll interval for users without a healthy subscription, ms. Default 15,000. */
  fastIntervalMs: z.number().int().min(0).default(15_000),
  /** Reconciliation interval for users with a healthy subscription, ms. Default 120,000. */
  slowIntervalMs: z.number().int().min(0).default(120_000),
  /** Pause between cycles, ms. Default 1,000. */
  tickMs: z.number().int().min(0).default(1_000),
  /** Ids per call; Graph allows at most 650. Default 650. */
  batchSize: z.number().int().min(1).max(650).default(650),
});

/** Options of the poller. */
export type PresencePollerOptions = z.input<typeof presencePollerOptionsSchema>;

/** What the poller needs. */
export interface PresencePollerDeps {
  readonly client: GraphClient;
  readonly tracker: PresenceTracker;
  /** Epoch ms. */
  readonly clock: Clock;
  /** Receives every state change (publish, record history). */
  readonly onChanges: (changes: readonly StateChange[]) => void;
  /** The users this poller polls (with replicas: those of the shards this one holds). Default: every tracked user. */
  readonly users?: () => Iterable<string>;
  /** Receives the observations that changed or confirmed a presence (shared with other replicas). */
  readonly onObserved?: (observations: readonly PresenceObservation[]) => void;
  /** Whether a user is covered by a healthy subscription (see the subscription manager). Default: never. */
  readonly isSubscribed?: (userId: string) => boolean;
  /** Reports a failed call (logged by the caller; the cycle carries on). */
  readonly onError?: (error: unknown) => void;
  /** Waits between cycles; default a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Figures of one cycle. */
export interface PollCycleResult {
  readonly polledUsers: number;
  readonly calls: number;
  readonly failedCalls: number;
  readonly changes: number;
}

interface GraphPresence {
  id: string;
  availability?: string;
  activity?: string;
  sequenceNumber?: string;
}

/** Polls tracked users' presence. */
export class PresencePoller {
  readonly #o: z.output<typeof presencePollerOptionsSchema>;
  readonly #d: PresencePollerDeps;
  readonly #lastPolled = new Map<string, number>();
  #running = false;
  #loop: Promise<void> | undefined;

  /** Creates a poller (not started). */
  constructor(options: PresencePollerOptions, deps: PresencePollerDeps) {
    this.#o = presencePollerOptionsSchema.parse(options);
    this.#d = deps;
  }

  /** Users due now: unsubscribed ones after the fast interval, subscribed ones after the slow interval. */
  dueUsers(now: number): string[] {
    const due: string[] = [];
    const subscribed = this.#d.isSubscribed;
    for (const id of this.#d.users?.() ?? this.#d.tracker.userIds()) {
      const last = this.#lastPolled.get(id);
      const interval = subscribed?.(id) ? this.#o.slowIntervalMs : this.#o.fastIntervalMs;
      if (last === undefined || now - last >= interval) due.push(id);
    }
    return due;
  }

  /** Runs one cycle: polls every due user, applies results, expires unconfirmed users. */
  async pollOnce(): Promise<PollCycleResult> {
    const due = this.dueUsers(this.#d.clock.now());
    const batches: string[][] = [];
    for (let i = 0; i < due.length; i += this.#o.batchSize) batches.push(due.slice(i, i + this.#o.batchSize));
    let failedCalls = 0;
    let changes = 0;
    await Promise.all(
      batches.map(async (ids) => {
        const requestedAt = this.#d.clock.now();
        try {
          const res = await this.#d.client.request<{ value?: GraphPresence[] }>(
            'POST',
            '/communications/getPresencesByUserId',
            { ids },
          );
          const batchChanges: StateChange[] = [];
          const observed: PresenceObservation[] = [];
          const now = this.#d.clock.now();
          for (const p of res?.value ?? []) {
            if (typeof p.id !== 'string' || !p.availability) continue;
            this.#lastPolled.set(p.id, requestedAt);
            const observation: PresenceObservation = {
              userId: p.id,
              availability: p.availability,
              activity: p.activity ?? p.availability,
              sequenceNumber: p.sequenceNumber || undefined,
              observedAt: requestedAt,
              source: 'poll',
            };
            const r = this.#d.tracker.apply(observation, now);
            if (r.outcome === 'applied' || r.outcome === 'confirmed') observed.push(observation);
            if (r.change) batchChanges.push(r.change);
          }
          changes += batchChanges.length;
          if (observed.length > 0) this.#d.onObserved?.(observed);
          if (batchChanges.length > 0) this.#d.onChanges(batchChanges);
        } catch (err) {
          failedCalls++;
          this.#d.onError?.(err);
        }
      }),
    );
    const expired = this.#d.tracker.expire(this.#d.clock.now());
    if (expired.length > 0) this.#d.onChanges(expired);
    return { polledUsers: due.length, calls: batches.length, failedCalls, changes: changes + expired.length };
  }

  /** Marks a user as needing a poll at the next cycle (e.g. after their subscription was lost). */
  markDue(userId: string): void {
    this.#lastPolled.delete(userId);
  }

  /** Starts polling cycles back to back, `tickMs` apart, until {@link stop}. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const sleep = this.#d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    this.#loop = (async () => {
      while (this.#running) {
        await this.pollOnce();
        if (this.#running) await sleep(this.#o.tickMs);
      }
    })();
  }

  /** Stops after the current cycle; resolves when it has finished. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}
