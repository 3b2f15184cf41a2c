/**
 * Which presence shards this process works on, and what follows from it. Alone (SQLite, one process) it holds every
 * shard and publishes every change, as the presence engine always did. With replicas it holds the shards the
 * coordination gives it: it polls their users, keeps their subscriptions, and publishes their changes (through a
 * {@link ShardPublication}); it shares every presence it observes from Graph with the other replicas, applies theirs
 * to its own tracker (routing here reads every change), and hands lifecycle notifications it does not hold on.
 */
import type { Logger } from 'pino';
import type { PresenceObservation } from '../domain/presence/agent-state.js';
import type { MappingRuleSet } from '../domain/presence/mapping-rules.js';
import type { PresenceShard } from '../domain/presence/presence-shards.js';
import type { PresenceTracker } from '../domain/presence/presence-tracker.js';
import type { StateChange } from '../domain/presence/state-change.js';
import type { Clock } from '../ports/clock.js';
import type { ForwardedLifecycle, PresenceCoordination } from '../ports/presence/presence-coordination.js';
import type { ShardPublication } from './shard-publication.js';

/** The subscription side of a shard (the subscription manager). */
export interface ShardSubscriptions {
  /** Plans the subscription shards over the same users (the same cut as the presence shards). */
  plan(userIds: readonly string[]): void;
  readonly shardCount: number;
  hold(n: number): Promise<void>;
  release(n: number): void;
  /** Answers a lifecycle notification of a held subscription; false when not held here. */
  handleLifecycle(item: ForwardedLifecycle): Promise<boolean>;
  /** Alone: re-cuts every subscription over these users (after more users are tracked). */
  assign?(userIds: readonly string[]): Promise<void>;
}

/** What {@link PresenceShardHolder} needs. */
export interface PresenceShardHolderDeps {
  readonly shards: readonly PresenceShard[];
  readonly tracker: PresenceTracker;
  readonly clock: Clock;
  /** Null alone: every shard is held here. */
  readonly coordination: PresenceCoordination | null;
  /** Null alone; with replicas, what decides which changes this one publishes. */
  readonly publication: ShardPublication | null;
  readonly subscriptions: ShardSubscriptions | null;
  /** Polls users at the next cycle. */
  readonly markDue: (userIds: readonly string[]) => void;
  /** Records and publishes changes, in order. */
  readonly publish: (changes: readonly StateChange[]) => void;
  readonly logger: Logger;
}

/** The name of the shard of users tracked after start (new Entra group members): polled, never subscribed. */
export const LATE_JOINERS_SHARD = 'late-joiners';

/** Holds presence shards. */
export class PresenceShardHolder {
  readonly #held = new Set<number>();
  #started = false;
  readonly #byName: ReadonlyMap<string, PresenceShard>;
  readonly #shards: readonly PresenceShard[];
  /**
   * Users tracked after start. Re-cutting the planned shards at run time would move users between subscriptions on
   * every replica at once; instead they form one more shard, held under its own lease, polled at the fast rate and
   * never subscribed, until the next start plans them in like everyone else.
   */
  readonly #late: PresenceShard & { readonly userIds: string[] };
  /** Each user's shard index. */
  readonly #shardOf = new Map<string, number>();
  readonly #acquiredListeners: ((userIds: readonly string[]) => void)[] = [];

  constructor(private readonly deps: PresenceShardHolderDeps) {
    this.#late = { index: deps.shards.length, name: LATE_JOINERS_SHARD, userIds: [] };
    this.#shards = [...deps.shards, this.#late];
    this.#byName = new Map(this.#shards.map((s) => [s.name, s]));
    for (const s of deps.shards) for (const id of s.userIds) this.#shardOf.set(id, s.index);
  }

  /**
   * Whether this process holds the user's shard (alone: every user once started). A user in no shard (an agent's
   * Teams user, not a knowledge worker) belongs to the planned shard their id hashes to, so one replica owns them too.
   */
  holdsUser(userId: string): boolean {
    const n = this.#shardOf.get(userId) ?? this.#hashedShard(userId);
    return this.#held.has(n);
  }

  #hashedShard(userId: string): number {
    const planned = this.deps.shards.length;
    if (planned === 0) return this.#late.index;
    let h = 2166136261;
    for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 16777619);
    return (h >>> 0) % planned;
  }

  /** Told the users of every shard this process starts holding (presence writes take their people over). */
  onAcquired(listener: (userIds: readonly string[]) => void): void {
    this.#acquiredListeners.push(listener);
  }

  /** The names of the shards held here now. */
  held(): string[] {
    return [...this.#held].sort((a, b) => a - b).flatMap((n) => this.#shards[n]?.name ?? []);
  }

  /** The users this process polls: those of the shards it holds. */
  *users(): Iterable<string> {
    for (const n of this.#held) yield* this.#shards[n]?.userIds ?? [];
  }

  /**
   * Users tracked after start join the late joiners' shard; the replica holding it polls them at once and publishes
   * their changes (alone, this process).
   */
  addLateJoiners(userIds: readonly string[]): void {
    const known = new Set(this.#shards.flatMap((s) => s.userIds));
    const fresh = [...new Set(userIds)].filter((id) => !known.has(id));
    if (fresh.length === 0) return;
    this.#late.userIds.push(...fresh);
    for (const id of fresh) this.#shardOf.set(id, this.#late.index);
    if (!this.#held.has(this.#late.index)) return;
    this.deps.markDue(fresh);
    for (const listener of this.#acquiredListeners) listener(fresh);
    this.deps.publication
      ?.take(fresh, () => this.#held.has(this.#late.index))
      .then((changes) => this.deps.publish(changes))
      .catch((err: unknown) =>
        this.deps.logger.warn({ err: String(err), shard: LATE_JOINERS_SHARD }, 'could not read published states'),
      );
  }

  /**
   * Starts tracking more knowledge workers (new members of an Entra group). Users tracked after the shards were
   * planned form the late joiners' shard: polled by its holder (alone, this process) until the next start plans them
   * in like everyone else. Alone, this process holds every subscription: they are re-cut over every tracked user.
   */
  track(knowledgeWorkerIds: Iterable<string>): void {
    const { tracker, logger } = this.deps;
    const ids = [...knowledgeWorkerIds];
    const before = tracker.size;
    const now = this.deps.clock.now();
    for (const id of ids) tracker.track(id, now);
    if (tracker.size === before) return;
    logger.info({ users: tracker.size }, 'presence tracks more knowledge workers');
    this.addLateJoiners(ids);
    const { subscriptions } = this.deps;
    if (this.#started && !this.deps.coordination && subscriptions?.assign)
      subscriptions
        .assign([...tracker.userIds()])
        .catch((err: unknown) => logger.warn({ err: String(err) }, 'presence subscriptions could not be reassigned'));
  }

  /** Records the connector's own load: a knowledge worker at their session limit is Busy for routing. */
  setLoad(knowledgeWorkerId: string, activeSessions: number): void {
    const change = this.deps.tracker.setLoad(knowledgeWorkerId, activeSessions, this.deps.clock.now());
    if (change) this.onChanges([change]);
  }

  /** Replaces the mapping rules (a reloaded rules file); the states that change are published. */
  setRules(rules: MappingRuleSet): number {
    const changes = this.deps.tracker.setRules(rules, this.deps.clock.now());
    this.onChanges(changes);
    return changes.length;
  }

  /** State changes from this process's tracker: published when this process holds the user's shard. */
  readonly onChanges = (changes: readonly StateChange[]): void => {
    const publication = this.deps.publication;
    this.deps.publish(publication ? publication.filter(changes) : changes);
  };

  /** Presence observed here from Graph: shared with the other replicas. */
  readonly onObserved = (observations: readonly PresenceObservation[]): void => {
    this.deps.coordination?.share(observations);
  };

  /** A lifecycle notification received here: answered if held, else handed to the replica that holds it. */
  async lifecycle(item: ForwardedLifecycle): Promise<void> {
    const handled = (await this.deps.subscriptions?.handleLifecycle(item)) ?? false;
    if (!handled) this.deps.coordination?.forwardLifecycle(item);
  }

  /** Starts: holds every shard alone, or joins the other replicas in sharing them. */
  start(): void {
    this.#started = true;
    const { coordination, subscriptions } = this.deps;
    const shards = this.#shards;
    subscriptions?.plan(this.deps.shards.flatMap((s) => s.userIds));
    if (!coordination) {
      for (const s of shards) this.#acquire(s);
      return;
    }
    coordination.start(
      shards.map((s) => s.name),
      {
        acquired: (name) => {
          const s = this.#byName.get(name);
          if (s) this.#acquire(s);
        },
        lost: (name) => {
          const s = this.#byName.get(name);
          if (s) this.#lose(s);
        },
        observed: (observations) => this.#applyShared(observations),
        lifecycle: (item) => {
          this.deps.subscriptions
            ?.handleLifecycle(item)
            .catch((err: unknown) => this.deps.logger.warn({ err: String(err) }, 'forwarded lifecycle failed'));
        },
      },
    );
  }

  /** Gives every shard up (the other replicas take them over at once). */
  async stop(): Promise<void> {
    await this.deps.coordination?.stop();
  }

  #acquire(s: PresenceShard): void {
    if (this.#held.has(s.index)) return;
    this.#held.add(s.index);
    this.deps.logger.info({ shard: s.name, users: s.userIds.length }, 'holding presence shard');
    this.deps.markDue(s.userIds);
    for (const listener of this.#acquiredListeners) listener([...s.userIds]);
    const { subscriptions, publication } = this.deps;
    if (subscriptions && s.index < subscriptions.shardCount)
      subscriptions
        .hold(s.index)
        .catch((err: unknown) => this.deps.logger.warn({ err: String(err), shard: s.name }, 'subscription not held'));
    publication
      ?.take(s.userIds, () => this.#held.has(s.index))
      .then((changes) => this.deps.publish(changes))
      .catch((err: unknown) =>
        this.deps.logger.warn({ err: String(err), shard: s.name }, 'could not read the shard’s published states'),
      );
  }

  #lose(s: PresenceShard): void {
    if (!this.#held.delete(s.index)) return;
    this.deps.logger.info({ shard: s.name }, 'presence shard handed over');
    this.deps.subscriptions?.release(s.index);
    this.deps.publication?.drop(s.userIds);
  }

  #applyShared(observations: readonly PresenceObservation[]): void {
    const now = this.deps.clock.now();
    const changes: StateChange[] = [];
    for (const o of observations) {
      const r = this.deps.tracker.apply(o, now);
      if (r.change) changes.push(r.change);
    }
    if (changes.length > 0) this.onChanges(changes);
  }
}
