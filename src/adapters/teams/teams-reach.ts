/**
 * Who can be reached in Teams. Before routing offers work to a knowledge worker, {@link TeamsReach.ensure} makes
 * sure the bot can write to them: a stored conversation is enough; without one, the app is installed for them
 * through Graph (when proactive install is configured) and the chat is fetched. Those who cannot be reached (the
 * install failed, the app is not installed, or they blocked the bot, learnt when a send is refused) are marked
 * durably with the reason, so routing leaves them out, agents read why, admins see it in the directory API and the
 * doctor, and it survives a restart. A mark clears when Teams tells the bot about them again (they install the app
 * or write to it); a failed install is tried again after `retryAfterMs`.
 *
 * The marks are kept in memory (read once, at start), so an offer reads nothing. With replicas, a mark stored or
 * removed here is told to the others ({@link ReachReplicas.changed}), which re-read that person's mark
 * ({@link TeamsReach.changedElsewhere}); while those notifications cannot be heard, each offer reads the person's mark
 * from the database as it is made, and once they can again, every mark is re-read.
 */
import type { Logger } from 'pino';
import type { PersonRef } from '../../domain/interaction/types.js';
import type { Clock } from '../../ports/clock.js';
import type { Reachability, UnreachableMark, UnreachableReason, UnreachableStore } from '../../ports/reachability.js';
import type { ConversationReferenceStore } from '../../ports/teams/conversation-reference-store.js';
import type { ProactiveInstaller } from './proactive-installer.js';

/** What {@link TeamsReach} needs. */
export interface TeamsReachDeps {
  readonly store: UnreachableStore;
  readonly references: ConversationReferenceStore;
  /** Installs the app for users without a conversation; without it such users are `not-installed`. */
  readonly installer?: ProactiveInstaller | undefined;
  readonly clock: Clock;
  /** After how long a failed install is tried again (ms). */
  readonly retryAfterMs: number;
  readonly logger: Logger;
  /** Replicas on one database that share the marks; absent alone (the marks in memory are then all there are). */
  readonly replicas?: ReachReplicas | undefined;
}

/** How replicas on one database share the marks. */
export interface ReachReplicas {
  /** Whether marks changed on the other replicas are heard now (their notifications reach this one). */
  listening(): boolean;
  /** Tells the other replicas that a knowledge worker's mark was stored or removed here. */
  changed(userId: string): void;
}

/** The sentence agents and routing read for a mark. */
export function describeUnreachable(mark: Pick<UnreachableMark, 'reason' | 'detail'>): string {
  switch (mark.reason) {
    case 'blocked':
      return `they blocked the bot in Teams (${mark.detail})`;
    case 'install-failed':
      return `the Teams app could not be installed for them (${mark.detail})`;
    case 'not-installed':
      return `the Teams app is not installed for them (${mark.detail})`;
  }
}

/** Reachability in Teams, kept in memory for routing and in the database. */
export class TeamsReach implements Reachability {
  readonly #marks = new Map<string, UnreachableMark>();
  readonly #cleared: ((userId: string) => void)[] = [];
  /** Counts changes to the marks in memory; `#changedAt` holds each user's latest, so a slower read never undoes it. */
  #changes = 0;
  readonly #changedAt = new Map<string, number>();
  /** Whether the marks in memory are all the stored ones (read while changes elsewhere were heard). */
  #complete = false;
  /** Bumped whenever changes elsewhere may have gone unheard, so a re-read begun before does not count as complete. */
  #generation = 0;
  /** The read of every mark under way, and the generation it began in. */
  #reading: { readonly generation: number; readonly done: Promise<void> } | null = null;

  constructor(private readonly deps: TeamsReachDeps) {}

  /** Subscribes to marks clearing: a knowledge worker can be reached in Teams again (routing may offer them work). */
  onCleared(listener: (userId: string) => void): void {
    this.#cleared.push(listener);
  }

  /**
   * Reads the stored marks (at start, and after changes elsewhere may have gone unheard); joins a read under way
   * unless changes may have gone unheard since it began.
   */
  async load(): Promise<void> {
    if (this.#reading && this.#reading.generation === this.#generation) return this.#reading.done;
    const done = this.#readAll().finally(() => {
      if (this.#reading?.done === done) this.#reading = null;
    });
    this.#reading = { generation: this.#generation, done };
    await done;
  }

  reasonOf(id: string): string | undefined {
    const mark = this.#marks.get(id);
    return mark && describeUnreachable(mark);
  }

  /** Every stored mark (from the database: what every replica has learnt). */
  list(): Promise<UnreachableMark[]> {
    return this.deps.store.list();
  }

  async ensure(person: PersonRef): Promise<string | undefined> {
    const id = person.id;
    const [reference, mark] = await Promise.all([this.deps.references.get(id), this.#markOf(id)]);
    if (reference) {
      // A conversation exists: only a block keeps them out (it lifts when they write to the bot again).
      if (mark?.reason === 'blocked') return describeUnreachable(mark);
      if (mark) await this.clear(id);
      return undefined;
    }
    const installer = this.deps.installer;
    if (!installer) {
      const detail = 'no conversation with the bot yet, and proactive install is off';
      return describeUnreachable(mark ?? (await this.mark(id, 'not-installed', detail)));
    }
    if (mark?.reason === 'install-failed' && this.deps.clock.now() - mark.since < this.deps.retryAfterMs)
      return describeUnreachable(mark);
    const installed = await installer.install(id);
    if (!installed.ok) return describeUnreachable(await this.mark(id, 'install-failed', installed.detail));
    await this.deps.references.put(installed.reference);
    await this.clear(id);
    this.deps.logger.info({ knowledgeWorker: id }, 'the Teams app was installed for a knowledge worker');
    return undefined;
  }

  /** Marks a knowledge worker unreachable (logged when the reason is new). */
  async mark(userId: string, reason: UnreachableReason, detail: string): Promise<UnreachableMark> {
    const made: UnreachableMark = { userId, reason, detail, since: this.deps.clock.now() };
    const before = this.#marks.get(userId);
    await this.deps.store.put(made);
    this.#set(userId, made);
    this.deps.replicas?.changed(userId);
    if (before?.reason !== reason || before.detail !== detail)
      this.deps.logger.warn({ knowledgeWorker: userId, reason, detail }, 'knowledge worker not reachable in Teams');
    return made;
  }

  /**
   * Clears a mark (Teams told the bot about them, or a send worked). The stored mark is removed even when none is
   * known here: a replica that missed a mark being set elsewhere still lifts it for all.
   */
  async clear(userId: string): Promise<void> {
    const had = this.#marks.has(userId);
    this.#set(userId, undefined);
    if ((await this.deps.store.delete(userId)) || had) {
      this.deps.replicas?.changed(userId);
      this.deps.logger.info({ knowledgeWorker: userId }, 'knowledge worker reachable in Teams again');
      this.#fireCleared(userId);
    }
  }

  /** Whether a mark is cached (no database read). */
  isMarked(userId: string): boolean {
    return this.#marks.has(userId);
  }

  /**
   * These users' marks were stored or removed on another replica: re-reads them (a mark removed there clears here,
   * as {@link TeamsReach.clear} would); null: anyone's may have changed unheard (the listening connection was back),
   * every mark is re-read.
   */
  changedElsewhere(userIds: readonly string[] | null): void {
    if (userIds === null) {
      this.#distrust();
      this.load().catch((err: unknown) =>
        this.deps.logger.warn({ err }, 'cannot re-read the Teams reachability marks'),
      );
      return;
    }
    for (const id of userIds) {
      this.#set(id, this.#marks.get(id));
      this.#read(id)
        .then((found) => {
          if (!found.applied || found.mark || found.before === undefined) return;
          this.deps.logger.info(
            { knowledgeWorker: id },
            'knowledge worker reachable in Teams again (told by a replica)',
          );
          this.#fireCleared(id);
        })
        .catch((err: unknown) => {
          // What is in memory for them may be wrong now: read marks from the database until every one is re-read.
          this.#distrust();
          this.deps.logger.warn({ err, knowledgeWorker: id }, 'cannot re-read a Teams reachability mark');
        });
    }
  }

  /** Whether the marks in memory can be trusted now: all read, and changes elsewhere heard (alone: always). */
  #trusted(): boolean {
    const replicas = this.deps.replicas;
    if (replicas && !replicas.listening()) {
      this.#distrust();
      return false;
    }
    return this.#complete;
  }

  /** The person's mark: from memory when it can be trusted, else read from the database. */
  async #markOf(id: string): Promise<UnreachableMark | undefined> {
    if (this.#trusted()) return this.#marks.get(id);
    if (!this.deps.replicas || this.deps.replicas.listening()) {
      await this.load();
      if (this.#trusted()) return this.#marks.get(id);
    }
    return (await this.#read(id)).mark;
  }

  /** Reads one user's mark and keeps it, unless it changed meanwhile. */
  async #read(
    id: string,
  ): Promise<{ mark: UnreachableMark | undefined; before: UnreachableMark | undefined; applied: boolean }> {
    const at = this.#changedAt.get(id);
    const mark = await this.deps.store.get(id);
    const before = this.#marks.get(id);
    const applied = this.#changedAt.get(id) === at;
    if (applied) this.#keep(id, mark);
    return { mark, before, applied };
  }

  /** Reads every mark; users whose mark changed meanwhile keep what they have now. */
  async #readAll(): Promise<void> {
    const generation = this.#generation;
    const listening = this.deps.replicas?.listening() ?? true;
    const since = this.#changes;
    const stored = await this.deps.store.list();
    const changedSince = (id: string) => (this.#changedAt.get(id) ?? 0) > since;
    for (const id of [...this.#marks.keys()]) if (!changedSince(id)) this.#marks.delete(id);
    for (const m of stored) if (!changedSince(m.userId)) this.#marks.set(m.userId, m);
    if (listening && generation === this.#generation && (this.deps.replicas?.listening() ?? true)) {
      this.#complete = true;
      this.deps.logger.info({ marks: this.#marks.size }, 'Teams reachability marks read: offers take them from memory');
    }
  }

  /** Changes elsewhere may have gone unheard: the marks in memory are no longer known complete. */
  #distrust(): void {
    this.#complete = false;
    this.#generation++;
  }

  /** Sets a user's mark in memory (undefined: none), as their latest change. */
  #set(id: string, mark: UnreachableMark | undefined): void {
    this.#changedAt.set(id, ++this.#changes);
    this.#keep(id, mark);
  }

  #keep(id: string, mark: UnreachableMark | undefined): void {
    if (mark) this.#marks.set(id, mark);
    else this.#marks.delete(id);
  }

  #fireCleared(userId: string): void {
    for (const listener of this.#cleared) listener(userId);
  }
}
