/**
 * What the agent API's routes share: the ports they call, and the checks every route makes the same way
 * (refusal → status, who may see an interaction, who a target is).
 */
import type { Escalation } from '../../domain/escalation/voice-target.js';
import type { Refusal, RefusalCode } from '../../domain/interaction/refusals.js';
import type { Interaction, PersonRef } from '../../domain/interaction/types.js';
import type { AgentStateView } from '../../domain/routing/agent-state.js';
import type { AgentEntry } from '../../domain/routing/directory.js';
import type { RoutingIndex } from '../../domain/routing/routing-index.js';
import type { Clock } from '../../ports/clock.js';
import type { InteractionCommands } from '../../ports/interaction-commands.js';
import type { UnreachableMark } from '../../ports/reachability.js';
import { ProblemError, problem } from '../http/problem.js';
import type { ApiKeyStore } from '../store/api-key-store.js';
import type { EventLog } from '../store/event-log.js';
import type { WebhookSubscriptions } from '../webhooks/webhook-subscriptions.js';
import type { ResolveHost } from '../webhooks/webhook-target.js';
import type { Caller } from './authenticate.js';

/** The ports and settings the routes use. */
export interface AgentApiContext {
  readonly commands: InteractionCommands;
  readonly log: EventLog;
  readonly keys: ApiKeyStore;
  readonly webhooks: WebhookSubscriptions;
  readonly index: () => RoutingIndex;
  readonly stateOf: AgentStateView;
  /** Knowledge workers who cannot be reached in Teams, with why (as stored); undefined when the Teams bot is off. */
  readonly unreachable?: (() => Promise<readonly UnreachableMark[]>) | undefined;
  readonly agents: readonly AgentEntry[];
  readonly queues: readonly { id: string; name: string }[];
  readonly escalation: Escalation;
  readonly clock: Clock;
  /** The contact center an agent belongs to: a caller sees and reaches only its own contact center's agents. */
  readonly contactCenterOfAgent: (agentId: string) => string;
  /** The contact center a queue belongs to: a caller sees and reaches only its own contact center's queues. */
  readonly contactCenterOfQueue: (queueId: string) => string;
  readonly defaultContactCenter: string;
  readonly heartbeatMs: number;
  /** Whether webhook targets on loopback, private, link-local or unspecified addresses are accepted. */
  readonly allowPrivateWebhookTargets: boolean;
  /** Resolves webhook targets' host names (default the system resolver). */
  readonly resolveHost?: ResolveHost | undefined;
  /** New interaction ids. */
  readonly newId: () => string;
  /** A waiting request's place at its routing point (1: next); undefined when requests cannot wait. */
  readonly waitingPosition?: ((routingPointId: string, interactionId: string) => Promise<number>) | undefined;
  /**
   * Subscribes to the interactions changed by commands committed on this replica (ids); returns the unsubscribe.
   * Long polls answer at once on a change here, and look at the database again now and then for other replicas'.
   */
  readonly onInteractionsChanged?: ((listener: (ids: readonly string[]) => void) => () => void) | undefined;
}

const statusOf: Record<RefusalCode, number> = {
  'invalid-command': 400,
  'unknown-interaction': 404,
  'unknown-invitation': 404,
  'unknown-request': 404,
  'unknown-party': 404,
  'duplicate-interaction': 409,
  'not-invitee': 403,
  'not-owner': 403,
  'not-requester': 403,
  'invitation-ended': 409,
  'not-due': 409,
  'party-not-connected': 409,
  'party-left': 409,
  'interaction-ended': 409,
  'request-pending': 409,
  'no-pending-request': 409,
  'already-a-party': 409,
  'no-active-consultation': 409,
  'wrong-media': 409,
};

/** The problem document for an engine refusal: its code, and the engine's message as the reason. */
export function refusalProblem(refusal: Refusal): ProblemError {
  const status = statusOf[refusal.code];
  const title =
    status === 404 ? 'Not found' : status === 403 ? 'Forbidden' : status === 400 ? 'Invalid request' : 'Conflict';
  return new ProblemError(problem(status, refusal.code, title, refusal.message, { code: refusal.code }));
}

/** 404 for an interaction the caller cannot know of. */
export function notFound(what: string): ProblemError {
  return new ProblemError(problem(404, 'not-found', 'Not found', `${what} does not exist.`));
}

/** Requires an acting agent. */
export function agentOf(caller: Caller): string {
  if (caller.agentId) return caller.agentId;
  throw new ProblemError(
    problem(403, 'agent-required', 'Agent required', 'Use an agent key, or name the agent in the X-Agent-Id header.'),
  );
}

/** Requires a platform key. */
export function requirePlatform(caller: Caller): void {
  if (!caller.platform)
    throw new ProblemError(problem(403, 'platform-required', 'Platform key required', 'This needs a platform key.'));
}

/**
 * Loads an interaction the caller may see: in the caller's contact center, and (for an agent) one they are or were
 * a party to. Others answer 404 (another contact center's) or 403 (not a party).
 */
export async function visibleInteraction(ctx: AgentApiContext, caller: Caller, id: string): Promise<Interaction> {
  const ix = await ctx.commands.get(id);
  if (!ix) throw notFound(`Interaction ${id}`);
  const cc = (await ctx.log.contactCenterOf(id)) ?? ctx.defaultContactCenter;
  const isParty = caller.agentId !== null && ix.parties.some((p) => p.person.id === caller.agentId);
  if (cc !== caller.contactCenter && !isParty) throw notFound(`Interaction ${id}`);
  if (caller.agentId !== null && !isParty) {
    throw new ProblemError(
      problem(403, 'not-a-party', 'Forbidden', `Agent ${caller.agentId} is not a party to interaction ${id}.`),
    );
  }
  return ix;
}

/**
 * A person by id, as contact center `contactCenter` sees it: a knowledge worker of the directory (shared by all
 * contact centers) or one of its own agents. Another contact center's agent is undefined, as an unknown id is.
 */
export function personById(
  ctx: AgentApiContext,
  kind: 'knowledge-worker' | 'agent',
  id: string,
  contactCenter: string,
): PersonRef | undefined {
  if (kind === 'knowledge-worker') {
    const kw = ctx.index().knowledgeWorkers.get(id);
    return kw ? { id: kw.id, name: kw.name, kind } : undefined;
  }
  const agent = ownAgents(ctx, contactCenter).find((a) => a.id === id);
  return agent ? { id: agent.id, name: agent.name, kind } : undefined;
}

/** The agents of one contact center. */
export function ownAgents(ctx: AgentApiContext, contactCenter: string): AgentEntry[] {
  return ctx.agents.filter((a) => ctx.contactCenterOfAgent(a.id) === contactCenter);
}

/** The queues of one contact center. */
export function ownQueues(ctx: AgentApiContext, contactCenter: string): AgentApiContext['queues'][number][] {
  return ctx.queues.filter((q) => ctx.contactCenterOfQueue(q.id) === contactCenter);
}
