/**
 * The port through which adapters (the Teams bot, the agent API, the router) act on interactions.
 * The interaction service implements it: it loads state, runs the engine, and commits state and effects in one
 * transaction.
 */
import type { Command } from '../domain/interaction/commands.js';
import type { Refusal } from '../domain/interaction/refusals.js';
import type { Interaction } from '../domain/interaction/types.js';

/** A command's result as adapters see it. */
export type CommandResult =
  | { readonly ok: true; readonly interactions: readonly Interaction[] }
  | { readonly ok: false; readonly refusal: Refusal };

/** Executes commands against the durable interaction state. */
export interface InteractionCommands {
  execute(command: Command): Promise<CommandResult>;
  /** Reads one interaction, or undefined when unknown. */
  get(interactionId: string): Promise<Interaction | undefined>;
}
