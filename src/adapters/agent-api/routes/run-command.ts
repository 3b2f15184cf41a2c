/** Runs an engine command for a route: a refusal becomes its problem document; nothing is applied on refusal. */
import type { Command } from '../../../domain/interaction/commands.js';
import type { Interaction, Target } from '../../../domain/interaction/types.js';
import type { InteractionOwner } from '../../../ports/interaction-commands.js';
import { ProblemError, problem } from '../../http/problem.js';
import { type AgentApiContext, ownQueues, personById, refusalProblem } from '../api-context.js';

/**
 * Executes a command; returns the interaction it names, as changed. With `owner`, an interaction the command creates
 * is recorded as the owner's in the command's own transaction.
 */
export async function runCommand(
  ctx: AgentApiContext,
  command: Command,
  owner?: InteractionOwner,
): Promise<Interaction> {
  const result = await ctx.commands.execute(command, owner);
  if (!result.ok) throw refusalProblem(result.refusal);
  const ix =
    result.interactions.find((i) => i.id === command.interactionId) ?? (await ctx.commands.get(command.interactionId));
  if (!ix) throw new Error(`interaction ${command.interactionId} vanished after a command`);
  return ix;
}

/**
 * Runs the command that creates interaction `command.interactionId` for a contact center: the interaction is
 * recorded as the contact center's in the command's own transaction, so a refused start leaves nothing behind (and
 * an id some contact center already owns stays its).
 */
export function runStartCommand(ctx: AgentApiContext, contactCenter: string, command: Command): Promise<Interaction> {
  return runCommand(ctx, command, { contactCenter });
}

/**
 * The engine target for an API target, as contact center `contactCenter` sees it; an unknown id is a 404 naming the
 * field (`field`, default `body.target.id`). Another contact center's agent or queue answers exactly as an unknown id:
 * knowledge workers and routing points are shared, agents and queues are not.
 */
export function resolveTarget(
  ctx: AgentApiContext,
  contactCenter: string,
  target: { kind: 'knowledge-worker' | 'agent' | 'routing-point' | 'queue'; id: string },
  field = 'body.target.id',
): Target {
  const missing = () =>
    new ProblemError(
      problem(404, 'unknown-target', 'Unknown target', `No ${target.kind} has id ${target.id}.`, {
        'invalid-params': [{ name: field, reason: `no ${target.kind} with this id` }],
      }),
    );
  if (target.kind === 'routing-point') {
    const rp = ctx.index().routingPoints.get(target.id);
    if (!rp) throw missing();
    return { kind: 'routing-point', id: rp.definition.id, name: rp.definition.name };
  }
  if (target.kind === 'queue') {
    const q = ownQueues(ctx, contactCenter).find((x) => x.id === target.id);
    if (!q) throw missing();
    return { kind: 'queue', id: q.id, name: q.name };
  }
  const person = personById(ctx, target.kind, target.id, contactCenter);
  if (!person) throw missing();
  return { kind: 'person', person };
}
