/**
 * The interaction service: loads the interactions a command touches, runs the engine, and commits the new state,
 * its resource facts, its outbox effects and (for the agent API) the owner of the interaction it creates in one
 * transaction. Implements the InteractionCommands port.
 *
 * It is the spine of the connector: after every commit it emits a typed `committed` event
 * ({@link InteractionService.onCommitted}), to which the outbox, the time-outs, the session load, the metrics and the
 * replica signals subscribe.
 */
import type { Logger } from 'pino';
import { sessionChanges } from '../domain/interaction/active-sessions.js';
import { type Command, interactionIdsOf, linkedInteractionIds } from '../domain/interaction/commands.js';
import type { Effect } from '../domain/interaction/effects.js';
import { reduce } from '../domain/interaction/engine.js';
import type { Interaction } from '../domain/interaction/types.js';
import type { Clock } from '../ports/clock.js';
import type {
  CommandResult,
  ExecuteOptions,
  InteractionCommands,
  InteractionOwner,
} from '../ports/interaction-commands.js';
import {
  type ClaimedAtCommit,
  type CommitOptions,
  type InteractionStore,
  type OutboxEntry,
  type OutboxItem,
  RevisionConflictError,
} from '../ports/interaction-store.js';

/** Options for {@link InteractionService}. */
export interface InteractionServiceOptions {
  readonly store: InteractionStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often a command is retried after a concurrent change. Default 5. */
  readonly maxAttempts?: number | undefined;
}

/** What one applied command committed. */
export interface CommittedInfo {
  /** Whether it queued effects for the outbox workers to claim (none claimed at commit, none held back). */
  readonly effects: boolean;
  /** Effects its commit claimed for this process: carry them out now (see {@link InteractionService.claimAtCommit}). */
  readonly claimed: readonly OutboxItem[];
  /** Interactions whose new effects wait behind earlier pending ones: whoever holds those runs these next. */
  readonly heldBack: readonly string[];
  /** Whether it scheduled a time-out (of an invitation, or of a wait at a routing point). */
  readonly timeouts: boolean;
  /** The earliest time-out or wait deadline it scheduled (epoch ms), or null. */
  readonly nextTimeoutAt: number | null;
  /** The interactions it changed, as committed. */
  readonly interactions: readonly Interaction[];
  /** The knowledge workers whose session (connected to a live interaction) began or ended with it. */
  readonly sessionsChanged: readonly string[];
  /** Every effect it committed (for metrics). */
  readonly emitted: readonly Effect[];
}

/** Effects carried out inside the transaction rather than by the outbox workers. */
const inTransaction = (e: Effect): boolean =>
  e.type === 'RecordFact' || e.type === 'ScheduleTimeout' || e.type === 'ScheduleWaitExpiry';

/** Told what each applied command committed. */
export type CommittedListener = (info: CommittedInfo) => void;

export class InteractionService implements InteractionCommands {
  readonly #listeners: CommittedListener[] = [];
  #claimLeaseMs: () => number | undefined = () => undefined;

  constructor(private readonly options: InteractionServiceOptions) {}

  /**
   * Subscribes to the `committed` event: called after every applied command with what it committed, in commit order,
   * before `execute` resolves. A listener that throws is logged and does not affect the others or the command.
   * Returns a function that unsubscribes.
   */
  onCommitted(listener: CommittedListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  /**
   * Has each commit claim the effects it queues for this process, for the lease `leaseMs()` gives (undefined: not
   * now, e.g. while the outbox worker is stopped), so they run at once without a claim of their own; the committed
   * event carries them (`claimed`). Where the store cannot claim at commit, effects are claimed as usual.
   */
  claimAtCommit(leaseMs: () => number | undefined): void {
    this.#claimLeaseMs = leaseMs;
  }

  #emit(info: CommittedInfo): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(info);
      } catch (err) {
        this.options.logger.error({ err }, 'a committed-event listener failed');
      }
    }
  }

  async execute(command: Command, owner?: InteractionOwner, options?: ExecuteOptions): Promise<CommandResult> {
    const { store, clock, logger } = this.options;
    const attempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        const leaseMs = this.#claimLeaseMs();
        let claimed: ClaimedAtCommit | undefined;
        const commit: CommitOptions = {
          // The routing request this command answers is done once the answer is committed, in the same commit.
          completes: options?.carryingOut === undefined ? undefined : [options.carryingOut],
          claim: leaseMs === undefined ? undefined : { leaseMs, claimed: (c: ClaimedAtCommit) => (claimed = c) },
        };
        const outcome = await store.transaction(async (tx) => {
          const loaded = await tx.load(interactionIdsOf(command));
          const linked = Object.values(loaded)
            .flatMap(linkedInteractionIds)
            .filter((id) => !(id in loaded));
          if (linked.length > 0) Object.assign(loaded, await tx.load(linked));
          const result = reduce({ interactions: loaded }, command, clock.now());
          if (!result.ok)
            return {
              result: { ok: false as const, refusal: result.refusal },
              effects: [] as Effect[],
              sessionsChanged: [] as string[],
            };
          const changed = result.changed.map((id) => result.state.interactions[id]).filter((ix) => ix !== undefined);
          for (const ix of changed) await tx.save(loaded[ix.id], ix);
          // The owner is recorded only for the interaction this command created, in its transaction.
          const created = changed.some((ix) => ix.id === command.interactionId && loaded[ix.id] === undefined);
          if (owner && created) await tx.recordOwner(command.interactionId, owner);
          await tx.recordFacts(result.effects.flatMap((e) => (e.type === 'RecordFact' ? [e.fact] : [])));
          await tx.enqueue(outboxEntries(result.effects, result.state.interactions), clock.now());
          return {
            result: { ok: true as const, interactions: changed },
            effects: [...result.effects],
            sessionsChanged: [...new Set(changed.flatMap((ix) => sessionChanges(loaded[ix.id], ix)))],
          };
        }, commit);
        if (outcome.result.ok) {
          logger.debug({ command: command.type, interactionId: command.interactionId }, 'command applied');
          const dueTimes = outcome.effects.flatMap((e) =>
            e.type === 'ScheduleTimeout' || e.type === 'ScheduleWaitExpiry' ? [e.dueAt] : [],
          );
          const queued = outcome.effects.some((e) => !inTransaction(e));
          const atCommit = claimed as ClaimedAtCommit | undefined;
          this.#emit({
            effects: queued && atCommit === undefined,
            claimed: atCommit?.items ?? [],
            heldBack: atCommit?.heldBack ?? [],
            timeouts: dueTimes.length > 0,
            nextTimeoutAt: dueTimes.length > 0 ? Math.min(...dueTimes) : null,
            interactions: outcome.result.interactions,
            sessionsChanged: outcome.sessionsChanged,
            emitted: outcome.effects,
          });
        } else {
          logger.debug(
            { command: command.type, interactionId: command.interactionId, refusal: outcome.result.refusal.code },
            'command refused',
          );
        }
        return outcome.result;
      } catch (error) {
        if (error instanceof RevisionConflictError && attempt < attempts) continue;
        throw error;
      }
    }
  }

  get(interactionId: string) {
    return this.options.store.get(interactionId);
  }
}

/** Outbox entries for the effects workers carry out, numbered per interaction in emission order. */
function outboxEntries(
  effects: readonly Effect[],
  interactions: Readonly<Record<string, { revision: number }>>,
): OutboxEntry[] {
  const counters = new Map<string, number>();
  const out: OutboxEntry[] = [];
  for (const effect of effects) {
    if (effect.type === 'RecordFact' || inTransaction(effect)) continue;
    const interactionId = effect.interactionId;
    const idx = counters.get(interactionId) ?? 0;
    counters.set(interactionId, idx + 1);
    out.push({ interactionId, revision: interactions[interactionId]?.revision ?? 0, idx, effect });
  }
  return out;
}
