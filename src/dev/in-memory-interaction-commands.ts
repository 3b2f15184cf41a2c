/**
 * An in-memory InteractionCommands over the real interaction engine, for local mode and tests: it keeps the
 * state in a map, runs `reduce` with an injected clock, and hands every effect to a sink (the `ParticipantChannel`s, a list).
 * The lead's interaction service replaces it with the durable one (store + outbox). It records no owners
 * (`execute`'s `owner`): the agent API runs only on the durable service.
 */
import type { Command } from '../domain/interaction/commands.js';
import type { Effect } from '../domain/interaction/effects.js';
import { reduce } from '../domain/interaction/engine.js';
import type { Interaction } from '../domain/interaction/types.js';
import type { CommandResult, InteractionCommands } from '../ports/interaction-commands.js';

/** Dependencies of {@link InMemoryInteractionCommands}. */
export interface InMemoryInteractionCommandsDeps {
  /** The time in epoch ms (default Date.now). */
  now?: () => number;
  /** Receives the effects of each command in order, after the state is committed. */
  onEffects?: (effects: readonly Effect[]) => void | Promise<void>;
}

/** Runs commands against an in-memory state; commands are serialised so each sees the last one's state. */
export class InMemoryInteractionCommands implements InteractionCommands {
  private interactions: Record<string, Interaction> = {};
  private tail: Promise<unknown> = Promise.resolve();
  /** Every effect emitted so far, in order. */
  readonly effects: Effect[] = [];

  constructor(private readonly deps: InMemoryInteractionCommandsDeps = {}) {}

  execute(command: Command): Promise<CommandResult> {
    const run = this.tail.then(() => this.apply(command));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async get(interactionId: string): Promise<Interaction | undefined> {
    return this.interactions[interactionId];
  }

  private async apply(command: Command): Promise<CommandResult> {
    const now = (this.deps.now ?? Date.now)();
    const result = reduce({ interactions: this.interactions }, command, now);
    if (!result.ok) return { ok: false, refusal: result.refusal };
    this.interactions = { ...result.state.interactions };
    this.effects.push(...result.effects);
    await this.deps.onEffects?.(result.effects);
    return { ok: true, interactions: result.changed.map((id) => this.interactions[id] as Interaction) };
  }
}
