/**
 * Who can be reached in Teams. Before routing offers work to a knowledge worker, {@link TeamsReach.ensure} makes
 * sure the bot can write to them: a stored conversation is enough; without one, the app is installed for them
 * through Graph (when proactive install is configured) and the chat is fetched. Those who cannot be reached (the
 * install failed, the app is not installed, or they blocked the bot, learnt when a send is refused) are marked
 * durably with the reason, so routing leaves them out, agents read why, admins see it in the directory API and the
 * doctor, and it survives a restart. A mark clears when Teams tells the bot about them again (they install the app
 * or write to it); a failed install is tried again after `retryAfterMs`.
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

/** Reachability in Teams, cached for routing and kept in the database. */
export class TeamsReach implements Reachability {
  readonly #marks = new Map<string, UnreachableMark>();
  readonly #cleared: ((userId: string) => void)[] = [];

  constructor(private readonly deps: TeamsReachDeps) {}

  /** Subscribes to marks clearing: a knowledge worker can be reached in Teams again (routing may offer them work). */
  onCleared(listener: (userId: string) => void): void {
    this.#cleared.push(listener);
  }

  /** Reads the stored marks (at start). */
  async load(): Promise<void> {
    this.#marks.clear();
    for (const m of await this.deps.store.list()) this.#marks.set(m.userId, m);
  }

  reasonOf(id: string): string | undefined {
    const mark = this.#marks.get(id);
    return mark && describeUnreachable(mark);
  }

  /** Every stored mark (from the database: what every replica has learnt). */
  async list(): Promise<UnreachableMark[]> {
    const marks = await this.deps.store.list();
    this.#marks.clear();
    for (const m of marks) this.#marks.set(m.userId, m);
    return marks;
  }

  async ensure(person: PersonRef): Promise<string | undefined> {
    const id = person.id;
    const [reference, mark] = await Promise.all([this.deps.references.get(id), this.deps.store.get(id)]);
    this.#remember(id, mark);
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
    this.#marks.set(userId, made);
    if (before?.reason !== reason || before.detail !== detail)
      this.deps.logger.warn({ knowledgeWorker: userId, reason, detail }, 'knowledge worker not reachable in Teams');
    return made;
  }

  /** Clears a mark (Teams told the bot about them, or a send worked). */
  async clear(userId: string): Promise<void> {
    const had = this.#marks.delete(userId);
    if ((await this.deps.store.delete(userId)) || had) {
      this.deps.logger.info({ knowledgeWorker: userId }, 'knowledge worker reachable in Teams again');
      for (const listener of this.#cleared) listener(userId);
    }
  }

  /** Whether a mark is cached (no database read). */
  isMarked(userId: string): boolean {
    return this.#marks.has(userId);
  }

  #remember(id: string, mark: UnreachableMark | undefined): void {
    if (mark) this.#marks.set(id, mark);
    else this.#marks.delete(id);
  }
}
