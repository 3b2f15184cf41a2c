/**
 * The connector's own load on each knowledge worker: the interactions in which they are connected and which have
 * not ended. Seeded from the database at start; a change in a knowledge worker's count is reported (the presence
 * engine turns "at the session limit" into Busy for routing).
 *
 * Every committed command here is applied as it commits ({@link SessionLoad.observe}). Replicas on one database
 * (PostgreSQL) each commit only part of the commands: a commit that began or ended a session, on another replica,
 * arrives as a {@link SessionSummary} of each interaction it changed (its knowledge workers and which of them are in
 * a session, at a revision), applied without reading the database ({@link SessionLoad.apply}). Summaries may arrive
 * out of order: one older than the revision already applied for its interaction is ignored. When summaries may
 * have been lost (the listening connection dropped), everyone's sessions are re-read ({@link SessionLoad.refresh})
 * through the {@link ActiveSessions} read model; re-reads run one at a time, so a later read never lands before an
 * earlier one.
 */
import { type SessionSummary, sessionSummaryOf } from '../domain/interaction/active-sessions.js';
import type { Interaction } from '../domain/interaction/types.js';
import type { ActiveSession, ActiveSessions } from '../ports/active-sessions.js';

/** How long the revision applied for an interaction without sessions is kept, against a late older summary. */
const FORGET_AFTER_MS = 10 * 60_000;

/** Counts active sessions per knowledge worker. */
export class SessionLoad {
  readonly #active = new Map<string, Set<string>>();
  readonly #stale = new Set<string>();
  /** The newest revision applied per interaction, and when it was applied (epoch ms). */
  readonly #applied = new Map<string, { revision: number; at: number; live: boolean }>();
  #lastPrune = 0;
  #everyone = false;
  #reading: Promise<void> = Promise.resolve();

  /**
   * @param sessions the active-sessions read model: what {@link SessionLoad.seed} and {@link SessionLoad.refresh} read
   * @param onChange told when a knowledge worker's count of active sessions changes
   */
  constructor(
    private readonly sessions: ActiveSessions,
    private readonly onChange: (knowledgeWorkerId: string, activeSessions: number) => void,
  ) {}

  /** Active sessions of one knowledge worker. */
  of(knowledgeWorkerId: string): number {
    return this.#active.get(knowledgeWorkerId)?.size ?? 0;
  }

  /** Takes the committed state of interactions changed by a command here into account. */
  observe(interactions: readonly Interaction[]): void {
    this.apply(interactions.map(sessionSummaryOf));
  }

  /**
   * Applies summaries of interactions' sessions (from a commit here or on another replica); a summary older than
   * the revision already applied for its interaction changes nothing.
   */
  apply(summaries: readonly SessionSummary[]): void {
    const now = Date.now();
    for (const s of summaries) {
      if (s.knowledgeWorkers.length === 0) continue;
      const seen = this.#applied.get(s.interactionId);
      if (seen && seen.revision >= s.revision) continue;
      this.#applied.set(s.interactionId, { revision: s.revision, at: now, live: s.live.length > 0 });
      const live = new Set(s.live);
      for (const kw of s.knowledgeWorkers) this.#set(kw, s.interactionId, live.has(kw));
    }
    if (now - this.#lastPrune > 60_000) this.#prune(now);
  }

  /** Forgets the revisions of interactions without sessions applied long ago (no summary arrives that late). */
  #prune(now: number): void {
    this.#lastPrune = now;
    for (const [id, seen] of this.#applied) if (!seen.live && now - seen.at > FORGET_AFTER_MS) this.#applied.delete(id);
  }

  /** Loads the sessions that were active when the connector stopped. */
  async seed(): Promise<void> {
    for (const r of await this.sessions.list(null)) this.#set(r.knowledgeWorkerId, r.interactionId, true);
  }

  /**
   * Re-reads the sessions of these knowledge workers (null: everyone's) from the database: a command somewhere began
   * or ended one of theirs, and no summary says how (or summaries may have been lost). Resolves when a read that started after this call has finished.
   */
  refresh(knowledgeWorkerIds: readonly string[] | null): Promise<void> {
    if (knowledgeWorkerIds === null) this.#everyone = true;
    else for (const id of knowledgeWorkerIds) this.#stale.add(id);
    const read = this.#reading.then(() => this.#readStale());
    this.#reading = read.catch(() => undefined);
    return read;
  }

  async #readStale(): Promise<void> {
    if (this.#everyone) {
      this.#everyone = false;
      this.#stale.clear();
      let rows: ActiveSession[];
      try {
        rows = await this.sessions.list(null);
      } catch (error) {
        this.#everyone = true;
        throw error;
      }
      const live = new Map([...this.#active.keys()].map((id) => [id, new Set<string>()]));
      for (const r of rows)
        live.set(r.knowledgeWorkerId, (live.get(r.knowledgeWorkerId) ?? new Set()).add(r.interactionId));
      for (const [id, sessions] of live) this.#replace(id, sessions);
      return;
    }
    if (this.#stale.size === 0) return;
    const ids = [...this.#stale];
    this.#stale.clear();
    let rows: ActiveSession[];
    try {
      rows = await this.sessions.list(ids);
    } catch (error) {
      for (const id of ids) this.#stale.add(id);
      throw error;
    }
    const live = new Map(ids.map((id) => [id, new Set<string>()]));
    for (const r of rows) live.get(r.knowledgeWorkerId)?.add(r.interactionId);
    for (const [id, sessions] of live) this.#replace(id, sessions);
  }

  #replace(kw: string, sessions: Set<string>): void {
    const before = this.of(kw);
    if (sessions.size === 0) this.#active.delete(kw);
    else this.#active.set(kw, sessions);
    if (sessions.size !== before) this.onChange(kw, sessions.size);
  }

  #set(kw: string, interactionId: string, live: boolean): void {
    let set = this.#active.get(kw);
    const before = set?.size ?? 0;
    if (live) {
      if (!set) {
        set = new Set();
        this.#active.set(kw, set);
      }
      set.add(interactionId);
    } else set?.delete(interactionId);
    const after = set?.size ?? 0;
    if (set && after === 0) this.#active.delete(kw);
    if (after !== before) this.onChange(kw, after);
  }
}
