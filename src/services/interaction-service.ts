/**
 * The interaction service: loads the interactions a command touches, runs the engine, and commits the new state,
 * its resource facts and its outbox effects in one transaction. Implements the InteractionCommands port.
 */
import type { Logger } from 'pino';
import { type Command, interactionIdsOf } from '../domain/interaction/commands.js';
import type { Effect } from '../domain/interaction/effects.js';
import { reduce } from '../domain/interaction/engine.js';
import type { Interaction } from '../domain/interaction/types.js';
import type { Clock } from '../ports/clock.js';
import type { CommandResult, InteractionCommands } from '../ports/interaction-commands.js';
import { type InteractionStore, type OutboxEntry, RevisionConflictError } from '../ports/interaction-store.js';

/** Options for {@link InteractionService}. */
export interface InteractionServiceOptions {
  readonly store: InteractionStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Called after every applied command: whether it queued effects or scheduled a time-out (wakes the workers), and
   * the interactions it changed as committed, and the effects it committed (for metrics).
   */
  readonly onCommitted?:
    | ((info: {
        effects: boolean;
        timeouts: boolean;
        interactions: readonly Interaction[];
        emitted: readonly Effect[];
      }) => void)
    | undefined;
  /** How often a command is retried after a concurrent change. Default 5. */
  readonly maxAttempts?: number | undefined;
}

/** Effects carried out inside the transaction rather than by the outbox workers. */
const inTransaction = (e: Effect): boolean => e.type === 'RecordFact' || e.type === 'ScheduleTimeout';

export class InteractionService implements InteractionCommands {
  constructor(private readonly options: InteractionServiceOptions) {}

  async execute(command: Command): Promise<CommandResult> {
    const { store, clock, logger } = this.options;
    const attempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await store.transaction(async (tx) => {
          const loaded = await tx.load(interactionIdsOf(command));
          const result = reduce({ interactions: loaded }, command, clock.now());
          if (!result.ok) return { result: { ok: false as const, refusal: result.refusal }, effects: [] as Effect[] };
          const changed = result.changed.map((id) => result.state.interactions[id]).filter((ix) => ix !== undefined);
          for (const ix of changed) await tx.save(loaded[ix.id], ix);
          await tx.recordFacts(result.effects.flatMap((e) => (e.type === 'RecordFact' ? [e.fact] : [])));
          await tx.enqueue(outboxEntries(result.effects, result.state.interactions), clock.now());
          return { result: { ok: true as const, interactions: changed }, effects: [...result.effects] };
        });
        if (outcome.result.ok) {
          logger.debug({ command: command.type, interactionId: command.interactionId }, 'command applied');
          this.options.onCommitted?.({
            effects: outcome.effects.some((e) => !inTransaction(e)),
            timeouts: outcome.effects.some((e) => e.type === 'ScheduleTimeout'),
            interactions: outcome.result.interactions,
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
    if (effect.type === 'RecordFact' || effect.type === 'ScheduleTimeout') continue;
    const interactionId = effect.interactionId;
    const idx = counters.get(interactionId) ?? 0;
    counters.set(interactionId, idx + 1);
    out.push({ interactionId, revision: interactions[interactionId]?.revision ?? 0, idx, effect });
  }
  return out;
}
