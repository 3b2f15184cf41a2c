/**
 * The agent API feature: the event log (which the agent and customer channels write: effects become events), API
 * keys, webhook subscriptions, the HTTP API with its OpenAPI document, and the publishing of knowledge workers'
 * states to every contact center. Events appended here wake the other replicas' streams; theirs wake ours; a key
 * revoked here ends its streams there too. With replicas, verified keys are cached per replica and forgotten at once
 * when a revocation is heard.
 */
import { randomUUID } from 'node:crypto';
import type express from 'express';
import {
  type AgentApiOptions,
  contactCenterOfAgent,
  contactCenterOfQueue,
} from '../adapters/agent-api/agent-api-options.js';
import { createAgentApiRouter } from '../adapters/agent-api/agent-api-router.js';
import type { AgentApiContext } from '../adapters/agent-api/api-context.js';
import type { AnyRoute } from '../adapters/agent-api/define-route.js';
import { EventLogChannel } from '../adapters/agent-api/event-log-channel.js';
import {
  type KnowledgeWorkerStatePublisher,
  type KnowledgeWorkerStatesPublisher,
  knowledgeWorkerStatePublisher,
  knowledgeWorkerStatesPublisher,
} from '../adapters/agent-api/knowledge-worker-states.js';
import { agentApiDb } from '../adapters/store/agent-api-schema.js';
import { ApiKeyStore } from '../adapters/store/api-key-store.js';
import { type AppendedSignal, EventLog } from '../adapters/store/event-log.js';
import type { InteractionOwners } from '../adapters/store/interaction-owners.js';
import { WebhookSubscriptions } from '../adapters/webhooks/webhook-subscriptions.js';
import type { ResolveHost } from '../adapters/webhooks/webhook-target.js';
import type { ParticipantChannel } from '../ports/participant-channel.js';
import type { Feature, Infrastructure } from './feature.js';
import type { ScaleOut } from './scale-out.js';

/** The agent API settings, and the directory entries it answers about. */
export interface AgentApiSlice {
  readonly options: AgentApiOptions;
  readonly agents: AgentApiContext['agents'];
  readonly queues: AgentApiContext['queues'];
  readonly escalation: AgentApiContext['escalation'];
}

/** The built agent API feature. */
export interface AgentApi extends Feature {
  /** The agent and customer channel: effects become events. */
  readonly channel: ParticipantChannel;
  readonly log: EventLog;
  readonly keys: ApiKeyStore;
  readonly openApi: Record<string, unknown>;
  /** Publishes a knowledge worker's new agent state to every contact center (the presence mapping's output). */
  readonly publishKnowledgeWorkerState: KnowledgeWorkerStatePublisher;
  /** Publishes a slice of knowledge workers' new agent states in one append (the presence recorder's slices). */
  readonly publishKnowledgeWorkerStates: KnowledgeWorkerStatesPublisher;
}

/** What the agent API reads and acts on besides its settings. */
export interface AgentApiParts
  extends Pick<
    AgentApiContext,
    'commands' | 'index' | 'stateOf' | 'unreachable' | 'waitingPosition' | 'onInteractionsChanged'
  > {
  /** More routes served under `/api/v1` with the same keys and limits (the report routes). */
  readonly extraRoutes?: readonly AnyRoute[] | undefined;
  readonly scaleOut: ScaleOut | null;
  /** Interactions' contact centers known to this replica (shared with the interaction store). */
  readonly owners: InteractionOwners;
  /** Resolves webhook targets' host names when they are registered (default the system resolver). */
  readonly resolve?: ResolveHost | undefined;
}

/** Builds the agent API. */
export function createAgentApi(slice: AgentApiSlice, infra: Infrastructure, parts: AgentApiParts): AgentApi {
  const { options } = slice;
  const { clock } = infra;
  const db = agentApiDb(infra.database.db);
  const log = new EventLog(db, clock, parts.owners);
  const keys = new ApiKeyStore(db, clock);
  const ccOf = contactCenterOfAgent(options);
  const agentBelongs = (agentId: string, cc: string) =>
    slice.agents.some((a) => a.id === agentId) && ccOf(agentId) === cc;
  const ctx: AgentApiContext = {
    commands: parts.commands,
    log,
    keys,
    webhooks: new WebhookSubscriptions(db, clock),
    index: parts.index,
    stateOf: parts.stateOf,
    unreachable: parts.unreachable,
    agents: slice.agents,
    queues: slice.queues,
    escalation: slice.escalation,
    clock,
    contactCenterOfAgent: ccOf,
    contactCenterOfQueue: contactCenterOfQueue(options),
    defaultContactCenter: options.defaultContactCenter,
    heartbeatMs: options.events.heartbeatMs,
    allowPrivateWebhookTargets: options.webhooks.allowPrivateTargets,
    resolveHost: parts.resolve,
    newId: () => `ix-${randomUUID()}`,
    waitingPosition: parts.waitingPosition,
    onInteractionsChanged: parts.onInteractionsChanged,
  };
  const http = createAgentApiRouter(ctx, options, agentBelongs, parts.extraRoutes);
  const channel = new EventLogChannel({
    log,
    contactCenterOfAgent: ccOf,
    defaultContactCenter: options.defaultContactCenter,
  });
  const { scaleOut } = parts;
  if (scaleOut) {
    log.on('appended', (signal: AppendedSignal) => scaleOut.signals.appended(signal));
    scaleOut.signals.on('events', (concerning) => log.wake(concerning));
    // A key revoked on one replica ends the streams it opened on every replica.
    keys.onRevoked((keyId, remote) => {
      if (!remote) scaleOut.signals.keyRevoked(keyId);
    });
    scaleOut.signals.on('keys', (keyIds) => {
      if (keyIds === null) keys.forget(null);
      else for (const keyId of keyIds) keys.noticeRevoked(keyId);
    });
    // Verified keys are kept in memory while revocations are heard.
    keys.cacheWhile(() => scaleOut.signals.listening());
  }
  const contactCenters = [...new Set([options.defaultContactCenter, ...options.contactCenters.map((c) => c.id)])];
  const mounts: { router: express.Router }[] = [{ router: http.router }];
  return {
    name: 'agent-api',
    mounts,
    channel,
    log,
    keys,
    openApi: http.openApi,
    publishKnowledgeWorkerState: knowledgeWorkerStatePublisher({ log, contactCenters, index: parts.index }),
    publishKnowledgeWorkerStates: knowledgeWorkerStatesPublisher({ log, contactCenters, index: parts.index }),
  };
}
