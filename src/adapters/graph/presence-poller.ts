/**
 * The presence poller: `POST /communications/getPresencesByUserId` in batches of ≤ 650 ids through the one
 * throttled {@link GraphClient}, feeding the {@link PresenceTracker}. Adaptive: users whose subscription is healthy
 * are polled at the slow (reconciliation) interval, the others at the fast one. After each cycle it expires
 * unconfirmed users to Unknown, so a Graph outage degrades to stale states, never to wrong ones.
 *
 * Paced by the presence {@link QuotaBudget} (shared with the subscription calls and presence writes), not by a fixed
 * wait: a cycle's calls go out as fast as the budget grants them, the next cycle starts as soon as users are due, and
 * with nobody due the loop sleeps `maxIdleMs` (1 s) and looks again. A batch
 * answered 429 waits its turn (the Retry-After holds the whole budget) and is sent again until it is answered: no user
 * is dropped from a sweep for throttling. Other failures (an outage, the network) give up after the client's retries,
 * so the cycle ends and unconfirmed users go stale.
 */
import { setMaxListeners } from 'node:events';
import { z } from 'zod';
import type { PresenceObservation } from '../../domain/presence/agent-state.js';
import type { PresenceTracker } from '../../domain/presence/presence-tracker.js';
import type { StateChange } from '../../domain/presence/state-change.js';
import type { Clock } from '../../ports/clock.js';
import type { GraphClient, QuotaDraw } from './graph-client.js';
import { GraphApiError } from './graph-errors.js';
import { type QuotaBudget, quotaPriority } from './quota-budget.js';

/** Schema of {@link PresencePollerOptions}. */
export const presencePollerOptionsSchema = z.object({
  /** Poll interval for users without a healthy subscription, ms. Default 15,000. */
  fastIntervalMs: z.number().int().min(0).default(15_000),
  /** Reconciliation interval for users with a healthy subscription, ms. Default 120,000. */
  slowIntervalMs: z.number().int().min(0).default(120_000),
  /**
   * Sleep while nobody is due, ms: users marked due or added by the shards (or an Entra group) are polled within
   * it. Default 1,000.
   */
  maxIdleMs: z.number().int().min(1).default(1_000),
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
  /**
   * The presence quota's budget, shared with every other presence caller; the poller draws as `presence-poll` at
   * {@link quotaPriority.sweep}. Without one the calls take the client's own one-second pacing.
   */
  readonly budget?: QuotaBudget;
  /** Receives the figures of every cycle the loop ran (metrics, benchmarks). */
  readonly onCycle?: (result: PollCycleResult) => void;
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
  /** Aborted by {@link stop}: calls waiting for the budget or a Retry-After give up. */
  #abort = listenedBy(new AbortController());
  /** Ends the idle sleep early (stop). */
  #wake: (() => void) | undefined;
  /** Answered batches waiting for their turn of the event loop. */
  readonly #turns: (() => void)[] = [];

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
    const signal = this.#abort.signal;
    const quota: QuotaDraw | undefined = this.#d.budget && {
      budget: this.#d.budget,
      caller: 'presence-poll',
      priority: quotaPriority.sweep,
    };
    let unfinished = 0;
    await Promise.all(
      batches.map(async (ids) => {
        try {
          const { res, requestedAt } = await this.#send(ids, quota, signal);
          // One answered batch per turn of the event loop: applying and recording it (hundreds of state changes,
          // written to the database) must not run back to back with the others that arrived at once, or the HTTP
          // server would wait for all of them (the first sweep of a large directory changes every user).
          await this.#turn();
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
          // Stopping: the batch was not answered; its users stay due for the next start.
          if (signal.aborted) unfinished++;
          else {
            failedCalls++;
            this.#d.onError?.(err);
          }
        }
      }),
    );
    const expired = this.#d.tracker.expire(this.#d.clock.now());
    if (expired.length > 0) this.#d.onChanges(expired);
    return {
      polledUsers: due.length,
      calls: batches.length - unfinished,
      failedCalls,
      changes: changes + expired.length,
    };
  }

  /** Resolves on a later turn of the event loop, one waiter per turn, in order (I/O runs in between). */
  #turn(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#turns.push(resolve);
      if (this.#turns.length === 1) setImmediate(() => this.#nextTurn());
    });
  }

  #nextTurn(): void {
    const resolve = this.#turns.shift();
    resolve?.();
    if (this.#turns.length > 0) setImmediate(() => this.#nextTurn());
  }

  /**
   * One batch until Graph answers it: a 429 is retried after its Retry-After without limit (the client holds the
   * budget meanwhile, so the batch waits its turn behind nobody's back); anything else surfaces after the client's
   * retries. `requestedAt` is when the answered attempt was sent.
   */
  async #send(ids: readonly string[], quota: QuotaDraw | undefined, signal: AbortSignal) {
    for (;;) {
      const requestedAt = this.#d.clock.now();
      try {
        const res = await this.#d.client.request<{ value?: GraphPresence[] }>(
          'POST',
          '/communications/getPresencesByUserId',
          { ids },
          undefined,
          { quota, untilNotThrottled: true, signal },
        );
        return { res, requestedAt };
      } catch (err) {
        // A 429 that still surfaced (a client without budget gives up after its retries): wait the turn again.
        if (!(err instanceof GraphApiError && err.status === 429) || signal.aborted) throw err;
      }
    }
  }

  /**
   * Marks a user as needing a poll at the next cycle (e.g. after their subscription was lost): within `maxIdleMs`.
   * Not at once: a shard just taken over reads its published states first (see the shard holder).
   */
  markDue(userId: string): void {
    this.#lastPolled.delete(userId);
  }

  /**
   * Starts polling until {@link stop}: a cycle as soon as users are due (the budget paces the calls), else a sleep of
   * `maxIdleMs`.
   */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = listenedBy(new AbortController());
    this.#loop = (async () => {
      while (this.#running) {
        const r = await this.pollOnce();
        this.#d.onCycle?.(r);
        if (!this.#running) break;
        // Users due again already (a fast interval shorter than a sweep): the next cycle at once. Nobody due, or every
        // call failed (an outage: the client has backed off already): sleep maxIdleMs.
        if (r.calls > r.failedCalls && this.dueUsers(this.#d.clock.now()).length > 0) continue;
        await this.#idle(this.#o.maxIdleMs);
      }
    })();
  }

  /** Sleeps `ms`, or less when woken by {@link stop}. */
  #idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  /** Stops: calls waiting for the budget or a Retry-After give up, the current cycle ends; resolves when it has. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort(new Error('presence poller stopped'));
    this.#wake?.();
    await this.#loop;
    this.#abort = listenedBy(new AbortController());
  }
}

/** Every batch of a cycle waits on the stop signal at once (hundreds with a large directory): no listener limit. */
function listenedBy(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
