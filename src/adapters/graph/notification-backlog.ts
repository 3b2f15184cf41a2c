/**
 * The backlog of change notifications, and shedding it to polling. Accepted collections wait in the inbox until the
 * processor verifies, decrypts and applies them. While more than `maxItems` items would wait, the backlog is shed:
 * every waiting collection is dropped with the one arriving, and the users they name are polled at once
 * (`getPresencesByUserId` reads their presence now, fresher than anything the dropped items held). Graph still gets
 * its 202 at once, so the endpoint never answers late and is never flagged as slow; the shed items are counted.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../ports/clock.js';
import type { InboxEntry, NotificationInbox } from '../../ports/presence/notification-inbox.js';

/** Options of the backlog. */
export interface NotificationBacklogOptions {
  /** Most items that may wait; an arrival beyond it sheds the waiting backlog to polling. */
  readonly maxItems: number;
}

/** What the backlog needs. */
export interface NotificationBacklogDeps {
  readonly inbox: NotificationInbox;
  /** Items the processor has taken from the inbox and not yet applied, with the receipt time of the oldest. */
  readonly inFlight: () => { readonly items: number; readonly oldestReceivedAt: number | undefined };
  /**
   * Polls the users of shed items at the next cycle; `subscriptionIds` names the subscriptions the items came through
   * (with several replicas, the ones held elsewhere are handed to their holder).
   */
  readonly pollNow: (userIds: readonly string[], subscriptionIds: readonly string[]) => void;
  readonly clock: Clock;
  /** Warns of shedding, at most once per {@link SHED_LOG_EVERY_MS}. */
  readonly logger: Logger;
}

/** The backlog as metrics show it. */
export interface BacklogState {
  /** Items accepted and not yet applied: waiting in the inbox or being decrypted and applied. */
  readonly items: number;
  /** Age of the oldest of them, ms (0 when none). */
  readonly oldestAgeMs: number;
  /** Items shed to polling so far. */
  readonly shedItems: number;
  /** Times the backlog was shed so far. */
  readonly sheddings: number;
}

/** Shedding is logged at most this often, with what was shed since the last line. */
export const SHED_LOG_EVERY_MS = 10_000;

/** The user a presence notification item is about: `resourceData.id`, else the id in `resource`. */
export function userIdOfItem(item: Readonly<Record<string, unknown>>): string | undefined {
  const id = (item.resourceData as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string' && id) return id;
  const resource = typeof item.resource === 'string' ? item.resource : '';
  return /presences(?:\('([^']+)'\)|\/([^/?]+))/i.exec(resource)?.slice(1).find(Boolean);
}

/** The users the entries name, once each. */
export function usersOfEntries(entries: readonly InboxEntry[]): string[] {
  const users = new Set<string>();
  for (const e of entries)
    for (const item of e.items) {
      const id = userIdOfItem(item);
      if (id !== undefined) users.add(id);
    }
  return [...users];
}

/** The subscriptions the entries' items came through, once each. */
export function subscriptionsOfEntries(entries: readonly InboxEntry[]): string[] {
  const ids = new Set<string>();
  for (const e of entries)
    for (const item of e.items) if (typeof item.subscriptionId === 'string') ids.add(item.subscriptionId);
  return [...ids];
}

/** Admits accepted collections into the inbox, shedding the backlog to polling beyond `maxItems`. */
export class NotificationBacklog {
  #shedItems = 0;
  #sheddings = 0;
  #unlogged = { items: 0, sheddings: 0 };
  #loggedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly options: NotificationBacklogOptions,
    readonly deps: NotificationBacklogDeps,
  ) {}

  /**
   * Queues an accepted collection, or sheds it with everything waiting when the backlog would grow beyond
   * `maxItems`. Resolves once it is safe to answer 202; throws when the inbox cannot store it.
   */
  async enqueue(entry: InboxEntry): Promise<void> {
    const { inbox } = this.deps;
    if (inbox.items() + entry.items.length <= this.options.maxItems) return inbox.enqueue(entry);
    const shed = [...inbox.drain(), entry];
    let items = 0;
    for (const e of shed) items += e.items.length;
    this.#shedItems += items;
    this.#sheddings++;
    this.deps.pollNow(usersOfEntries(shed), subscriptionsOfEntries(shed));
    this.#log(items);
  }

  #log(items: number): void {
    this.#unlogged.items += items;
    this.#unlogged.sheddings++;
    const now = this.deps.clock.now();
    if (now - this.#loggedAt < SHED_LOG_EVERY_MS) return;
    this.#loggedAt = now;
    this.deps.logger.warn(
      { shedItems: this.#unlogged.items, sheddings: this.#unlogged.sheddings, maxBacklog: this.options.maxItems },
      'change notification backlog shed to polling: its users are polled at once',
    );
    this.#unlogged = { items: 0, sheddings: 0 };
  }

  /** The backlog now (waiting and in flight) and what was shed so far. */
  state(): BacklogState {
    const { inbox } = this.deps;
    const flying = this.deps.inFlight();
    const oldest = [inbox.oldestReceivedAt(), flying.oldestReceivedAt].filter((t): t is number => t !== undefined);
    return {
      items: inbox.items() + flying.items,
      oldestAgeMs: oldest.length === 0 ? 0 : Math.max(0, this.deps.clock.now() - Math.min(...oldest)),
      shedItems: this.#shedItems,
      sheddings: this.#sheddings,
    };
  }
}
