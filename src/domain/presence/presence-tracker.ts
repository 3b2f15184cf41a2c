/**
 * The presence tracker: the truth about each tracked knowledge worker's presence over time.
 *
 * - Orders observations by `sequenceNumber` when both sides carry one, else by observed time; drops duplicates and
 *   out-of-order values.
 * - Each user's presence carries its source (poll | notification) and age; a user not confirmed within
 *   `staleAfterMs` is Unknown and not routable until confirmed again.
 * - The connector's own load counts: at the concurrent-session limit, a Ready user is Busy for routing.
 * - The connector's own writes are not the person's status: when the connector shows `sessionPresence` in Teams for
 *   people in a session, an observation of exactly that pair while they are in one (and until Graph shows something
 *   else after it, at most `staleAfterMs`) is read as the person's own presence from before, not as a new status.
 * - Every change of the published state is returned as a {@link StateChange} (the caller publishes and records it).
 *
 * Pure and synchronous: time is passed in. Memory-lean (one small record per user, interned strings).
 */
import {
  type AgentState,
  BUSY,
  isRoutable,
  type PresenceObservation,
  type PresenceSource,
  sameState,
  UNKNOWN,
} from './agent-state.js';
import { type MappingRuleSet, mapPresence } from './mapping-rules.js';
import type { StateChange, StateChangeCause } from './state-change.js';

/** Options of a {@link PresenceTracker}. */
export interface PresenceTrackerOptions {
  /** The mapping rules (see `compileMappingRules`, `parseRulesFile`). */
  readonly rules: MappingRuleSet;
  /** A presence not confirmed for this long becomes Unknown. */
  readonly staleAfterMs: number;
  /** Concurrent sessions at which a knowledge worker is Busy for routing. Default 1. */
  readonly defaultSessionLimit?: number;
  /** What the connector itself shows in Teams for a person in a session (presence writes); none by default. */
  readonly sessionPresence?: { readonly availability: string; readonly activity: string } | undefined;
}

/** What happened to one observation. */
export type ApplyOutcome = 'applied' | 'confirmed' | 'duplicate' | 'out-of-order' | 'untracked';

/** The result of {@link PresenceTracker.apply}: its outcome, and the state change if the published state moved. */
export interface ApplyResult {
  readonly outcome: ApplyOutcome;
  readonly change?: StateChange | undefined;
}

/** A user's presence as the tracker knows it. */
export interface PresenceSnapshot {
  readonly userId: string;
  readonly state: AgentState;
  readonly availability: string | undefined;
  readonly activity: string | undefined;
  readonly sequenceNumber: string | undefined;
  readonly source: PresenceSource | undefined;
  /** Milliseconds since the presence was last confirmed (undefined: never). */
  readonly ageMs: number | undefined;
  /** When the published state began. */
  readonly since: number;
  readonly activeSessions: number;
}

interface UserRecord {
  availability: string | undefined;
  activity: string | undefined;
  seq: string | undefined;
  observedAt: number;
  confirmedAt: number;
  source: PresenceSource | undefined;
  published: AgentState;
  since: number;
  active: number;
  limit: number;
  /** The person's own presence: the last observed that was not the connector's own write. */
  ownAvailability: string | undefined;
  ownActivity: string | undefined;
  /** Until when an observation of `sessionPresence` is the connector's own write (Infinity while in a session). */
  oursUntil: number;
}

const interned = new Map<string, string>();
function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size < 4096) interned.set(s, s);
  return s;
}

/** Tracks presence and published agent states of knowledge workers. */
export class PresenceTracker {
  readonly #users = new Map<string, UserRecord>();
  #rules: MappingRuleSet;
  readonly #staleAfterMs: number;
  readonly #defaultLimit: number;
  readonly #ours: { readonly availability: string; readonly activity: string } | undefined;

  /** Creates an empty tracker. */
  constructor(options: PresenceTrackerOptions) {
    this.#rules = options.rules;
    this.#ours = options.sessionPresence && {
      availability: options.sessionPresence.availability.toLowerCase(),
      activity: options.sessionPresence.activity.toLowerCase(),
    };
    this.#staleAfterMs = options.staleAfterMs;
    this.#defaultLimit = options.defaultSessionLimit ?? 1;
  }

  /** Number of tracked users. */
  get size(): number {
    return this.#users.size;
  }

  /** Tracked user ids. */
  userIds(): IterableIterator<string> {
    return this.#users.keys();
  }

  /** Starts tracking a user (Unknown until a presence arrives). Idempotent. */
  track(userId: string, now: number, sessionLimit?: number): void {
    if (this.#users.has(userId)) return;
    this.#users.set(userId, {
      availability: undefined,
      activity: undefined,
      seq: undefined,
      observedAt: Number.NEGATIVE_INFINITY,
      confirmedAt: Number.NEGATIVE_INFINITY,
      source: undefined,
      published: UNKNOWN,
      since: now,
      active: 0,
      limit: sessionLimit ?? this.#defaultLimit,
      ownAvailability: undefined,
      ownActivity: undefined,
      oursUntil: Number.NEGATIVE_INFINITY,
    });
  }

  /** Stops tracking a user. */
  untrack(userId: string): void {
    this.#users.delete(userId);
  }

  /** Applies one observation at `now`; observations of untracked users are ignored. */
  apply(obs: PresenceObservation, now: number): ApplyResult {
    const rec = this.#users.get(obs.userId);
    if (!rec) return { outcome: 'untracked' };
    const sameValue =
      rec.availability !== undefined &&
      rec.availability.toLowerCase() === obs.availability.toLowerCase() &&
      (rec.activity ?? '').toLowerCase() === obs.activity.toLowerCase();
    if (obs.sequenceNumber !== undefined && rec.seq !== undefined) {
      if (obs.sequenceNumber < rec.seq) return { outcome: 'out-of-order' };
      if (obs.sequenceNumber === rec.seq) return this.#confirmIfPoll(obs.userId, rec, obs, now);
    } else if (obs.observedAt < rec.observedAt) {
      return { outcome: 'out-of-order' };
    }
    if (sameValue) {
      if (obs.sequenceNumber !== undefined) rec.seq = obs.sequenceNumber;
      return this.#confirmIfPoll(obs.userId, rec, obs, now);
    }
    rec.availability = intern(obs.availability);
    rec.activity = intern(obs.activity);
    rec.seq = obs.sequenceNumber;
    rec.observedAt = obs.observedAt;
    rec.confirmedAt = Math.max(rec.confirmedAt, obs.observedAt);
    rec.source = obs.source;
    if (!this.#isOurs(rec, now)) {
      rec.ownAvailability = rec.availability;
      rec.ownActivity = rec.activity;
      if (rec.active === 0) rec.oursUntil = Number.NEGATIVE_INFINITY;
    }
    return { outcome: 'applied', change: this.#republish(obs.userId, rec, now, obs.source) };
  }

  /** A repeated value: a poll confirms it (refreshes its age); a repeated notification changes nothing. */
  #confirmIfPoll(userId: string, rec: UserRecord, obs: PresenceObservation, now: number): ApplyResult {
    if (obs.source !== 'poll') return { outcome: 'duplicate' };
    rec.observedAt = Math.max(rec.observedAt, obs.observedAt);
    rec.confirmedAt = Math.max(rec.confirmedAt, obs.observedAt);
    rec.source = 'poll';
    return { outcome: 'confirmed', change: this.#republish(userId, rec, now, 'poll') };
  }

  /** Marks users not confirmed within the window as Unknown; returns the resulting changes. */
  expire(now: number): StateChange[] {
    const changes: StateChange[] = [];
    for (const [userId, rec] of this.#users) {
      if (rec.published === UNKNOWN) continue;
      const change = this.#republish(userId, rec, now, 'stale');
      if (change) changes.push(change);
    }
    return changes;
  }

  /** Records the connector's own load for a user (active sessions, and optionally a new limit). */
  setLoad(userId: string, activeSessions: number, now: number, sessionLimit?: number): StateChange | undefined {
    const rec = this.#users.get(userId);
    if (!rec) return undefined;
    const wasActive = rec.active > 0;
    rec.active = Math.max(0, activeSessions);
    if (sessionLimit !== undefined) rec.limit = sessionLimit;
    // In a session, the connector's write may show; after it, the clear takes a moment to be observed.
    if (this.#ours && rec.active > 0) rec.oursUntil = Number.POSITIVE_INFINITY;
    else if (this.#ours && wasActive) rec.oursUntil = now + this.#staleAfterMs;
    return this.#republish(userId, rec, now, 'load');
  }

  /** Replaces the mapping rules (reload without restart) and returns the changes they cause. */
  setRules(rules: MappingRuleSet, now: number): StateChange[] {
    this.#rules = rules;
    const changes: StateChange[] = [];
    for (const [userId, rec] of this.#users) {
      const change = this.#republish(userId, rec, now, 'rules');
      if (change) changes.push(change);
    }
    return changes;
  }

  /** The state of a user for routing in a routing point (its rules, staleness and load); Unknown if untracked. */
  stateFor(userId: string, now: number, routingPointId?: string): AgentState {
    const rec = this.#users.get(userId);
    return rec ? this.#compute(rec, now, routingPointId) : UNKNOWN;
  }

  /** Whether the user may be offered work now (in the given routing point). */
  isRoutable(userId: string, now: number, routingPointId?: string): boolean {
    return isRoutable(this.stateFor(userId, now, routingPointId));
  }

  /**
   * The state last published for a user and since when, and whether any presence was ever observed for them (a
   * replica that just started knows nothing yet); undefined if untracked.
   */
  published(
    userId: string,
  ): { readonly state: AgentState; readonly since: number; readonly observed: boolean } | undefined {
    const rec = this.#users.get(userId);
    return rec && { state: rec.published, since: rec.since, observed: rec.availability !== undefined };
  }

  /** A user's presence, source and age; undefined if untracked. */
  snapshot(userId: string, now: number): PresenceSnapshot | undefined {
    const rec = this.#users.get(userId);
    if (!rec) return undefined;
    return {
      userId,
      state: this.#compute(rec, now, undefined),
      availability: rec.availability,
      activity: rec.activity,
      sequenceNumber: rec.seq,
      source: rec.source,
      ageMs: Number.isFinite(rec.confirmedAt) ? Math.max(0, now - rec.confirmedAt) : undefined,
      since: rec.since,
      activeSessions: rec.active,
    };
  }

  #compute(rec: UserRecord, now: number, routingPointId: string | undefined): AgentState {
    if (rec.availability === undefined || now - rec.confirmedAt > this.#staleAfterMs) return UNKNOWN;
    // The connector's own write is not the person's status: read their own from before it. Never seen (a restart
    // in the middle of a session): they accepted work, so they were available.
    const ours = this.#isOurs(rec, now);
    const availability = ours ? (rec.ownAvailability ?? 'Available') : rec.availability;
    const activity = ours ? (rec.ownActivity ?? 'Available') : (rec.activity ?? '');
    const mapped = mapPresence(this.#rules, availability, activity, routingPointId);
    if (mapped.kind === 'ready' && rec.active >= rec.limit) return BUSY;
    return mapped;
  }

  /** Whether the presence observed is the connector's own write (see `sessionPresence`). */
  #isOurs(rec: UserRecord, now: number): boolean {
    const ours = this.#ours;
    return (
      ours !== undefined &&
      now < rec.oursUntil &&
      rec.availability?.toLowerCase() === ours.availability &&
      (rec.activity ?? '').toLowerCase() === ours.activity
    );
  }

  #republish(userId: string, rec: UserRecord, now: number, cause: StateChangeCause): StateChange | undefined {
    const next = this.#compute(rec, now, undefined);
    if (sameState(next, rec.published)) return undefined;
    const change: StateChange = { userId, from: rec.published, to: next, previousSince: rec.since, at: now, cause };
    rec.published = next;
    rec.since = now;
    return change;
  }
}
