/**
 * The agent side, built in one place for the composition root: the event log (the agent and customer channels),
 * API keys, webhooks and their delivery worker, and the express router serving `/api/v1`, `/openapi.json` and
 * the reference page.
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Logger } from 'pino';
import type { AgentState } from '../../domain/routing/agent-state.js';
import type { ParticipantChannel } from '../../ports/participant-channel.js';
import { ProblemError, problem } from '../http/problem.js';
import { agentApiDb } from '../store/agent-api-schema.js';
import { ApiKeyStore } from '../store/api-key-store.js';
import { EventLog } from '../store/event-log.js';
import type { OpenDatabase } from '../store/open-database.js';
import { WebhookSubscriptions } from '../webhooks/webhook-subscriptions.js';
import { WebhookWorker } from '../webhooks/webhook-worker.js';
import { type AgentApiOptions, contactCenterOfAgent } from './agent-api-options.js';
import type { AgentApiContext } from './api-context.js';
import { authenticate, callerOf } from './authenticate.js';
import { type AnyRoute, handlerOf } from './define-route.js';
import { createEntraVerifier } from './entra-token.js';
import { EventLogChannel } from './event-log-channel.js';
import { buildOpenApi } from './openapi.js';
import { RateLimiter } from './rate-limit.js';
import { referencePage } from './reference-page.js';
import { adminRoutes } from './routes/admin-routes.js';
import { chatRoutes } from './routes/chat-routes.js';
import { directoryRoutes } from './routes/directory-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { interactionRoutes } from './routes/interaction-routes.js';
import { meRoutes } from './routes/me-routes.js';

/** What {@link createAgentSide} needs. */
export interface AgentSideDependencies
  extends Pick<
    AgentApiContext,
    'commands' | 'index' | 'stateOf' | 'unreachable' | 'agents' | 'queues' | 'escalation' | 'clock'
  > {
  readonly options: AgentApiOptions;
  readonly database: OpenDatabase;
  readonly logger: Logger;
  /** The webhook worker's HTTP client (default global fetch). */
  readonly fetch?: typeof fetch | undefined;
  /** More routes served under `/api/v1` with the same keys and limits (the report routes). */
  readonly extraRoutes?: readonly AnyRoute[] | undefined;
}

/** The built agent side. */
export interface AgentSide {
  /** Serves `/api/v1/…`, `/openapi.json` and `/api/v1/reference`. */
  readonly router: express.Router;
  /** The agent and customer channel: effects become events. */
  readonly channel: ParticipantChannel;
  readonly log: EventLog;
  readonly keys: ApiKeyStore;
  readonly webhooks: WebhookWorker;
  readonly openApi: Record<string, unknown>;
  /** Publishes a knowledge worker's new agent state to every contact center (the presence mapping's output). */
  publishKnowledgeWorkerState(knowledgeWorkerId: string, state: AgentState, at: number): Promise<void>;
}

/** The base path of the API. */
export const apiBasePath = '/api/v1';

/** Builds the agent side. */
export function createAgentSide(deps: AgentSideDependencies): AgentSide {
  const { options, clock } = deps;
  const db = agentApiDb(deps.database.db);
  const log = new EventLog(db, clock);
  const keys = new ApiKeyStore(db, clock);
  const subscriptions = new WebhookSubscriptions(db, clock);
  const ccOf = contactCenterOfAgent(options);
  const agentBelongs = (agentId: string, cc: string) =>
    deps.agents.some((a) => a.id === agentId) && ccOf(agentId) === cc;
  const ctx: AgentApiContext = {
    commands: deps.commands,
    log,
    keys,
    webhooks: subscriptions,
    index: deps.index,
    stateOf: deps.stateOf,
    unreachable: deps.unreachable,
    agents: deps.agents,
    queues: deps.queues,
    escalation: deps.escalation,
    clock,
    contactCenterOfAgent: ccOf,
    defaultContactCenter: options.defaultContactCenter,
    heartbeatMs: options.events.heartbeatMs,
    newId: () => `ix-${randomUUID()}`,
  };
  const routes: AnyRoute[] = [
    ...meRoutes(ctx),
    ...directoryRoutes(ctx),
    ...interactionRoutes(ctx),
    ...chatRoutes(ctx),
    ...eventRoutes(ctx),
    ...adminRoutes(ctx, agentBelongs),
    ...(deps.extraRoutes ?? []),
  ];
  const openApi = buildOpenApi(routes, apiBasePath, '1.0.0');
  const limiter = new RateLimiter({ clock, ...options.rateLimit });

  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  router.get(`${apiBasePath}/reference`, (_req, res) => {
    res.type('html').send(referencePage);
  });
  const api = express.Router();
  api.use(express.json({ limit: '256kb' }));
  const entra = options.entra ? createEntraVerifier(options.entra, clock) : undefined;
  api.use(authenticate({ keys, limiter, agentBelongs, entra }));
  for (const route of routes) api[route.method](route.path, handlerOf(route, callerOf));
  api.use((req, _res, next) => {
    next(
      new ProblemError(problem(404, 'not-found', 'Not found', `No operation ${req.method} ${apiBasePath}${req.path}.`)),
    );
  });
  router.use(apiBasePath, api);

  const channel = new EventLogChannel({
    log,
    contactCenterOfAgent: ccOf,
    defaultContactCenter: options.defaultContactCenter,
  });
  const webhooks = new WebhookWorker({
    db,
    log,
    clock,
    logger: deps.logger.child({ part: 'webhooks' }),
    ...options.webhooks,
    fetch: deps.fetch,
  });
  const contactCenters = [...new Set([options.defaultContactCenter, ...options.contactCenters.map((c) => c.id)])];

  return {
    router,
    channel,
    log,
    keys,
    webhooks,
    openApi,
    async publishKnowledgeWorkerState(knowledgeWorkerId, state, at) {
      const kw = deps.index().knowledgeWorkers.get(knowledgeWorkerId);
      await log.append(
        contactCenters.map((cc) => ({
          sourceId: `state/${cc}/${knowledgeWorkerId}/${at}/${state.kind}`,
          contactCenter: cc,
          agentId: null,
          audience: 'broadcast' as const,
          type: 'knowledge-worker.state',
          interactionId: null,
          data: {
            knowledgeWorker: { id: knowledgeWorkerId, name: kw?.name ?? knowledgeWorkerId },
            state,
            at: new Date(at).toISOString(),
          },
        })),
      );
    },
  };
}
