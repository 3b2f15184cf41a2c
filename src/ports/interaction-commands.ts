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

/**
 * Who an interaction belongs to: the contact center that created it through the agent API (its agents and its
 * platform see it; events about it go to its streams and webhooks).
 */
export interface InteractionOwner {
  readonly contactCenter: string;
}

/** How a command is run. */
export interface ExecuteOptions {
  /**
   * The outbox effect being carried out that runs this command (a routing request's answer): it is marked done in
   * the command's commit, and the effects the command queues do not wait for it.
   */
  readonly carryingOut?: string | undefined;
}

/** Executes commands against the durable interaction state. */
export interface InteractionCommands {
  /**
   * Runs `command` and commits what it changed in one transaction. With `owner`, the interaction the command creates
   * (`command.interactionId`, when it did not exist before) is recorded as the owner's in that same transaction: a
   * refused command records nothing, and an owner recorded earlier for the id stays.
   */
  execute(command: Command, owner?: InteractionOwner, options?: ExecuteOptions): Promise<CommandResult>;
  /** Reads one interaction, or undefined when unknown. */
  get(interactionId: string): Promise<Interaction | undefined>;
}
