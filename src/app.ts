/**
 * The composition root: builds the connector as a list of features (`src/compose/`), each from its slice of the
 * configuration and the parts it needs, in dependency order. Their routers are mounted in the list's order; they
 * start in that order and stop in reverse. Every dependency can be passed in (tests pass fakes at the network
 * edge); nothing else reaches for globals.
 */
import express from 'express';
import type { Logger } from 'pino';
import { contactCenterOfAgent, contactCenterOfQueue } from './adapters/agent-api/agent-api-options.js';
import { createConsoleRouter } from './adapters/console/console-router.js';
import { createHealthRouter } from './adapters/http/health-router.js';
import { createLegalPagesRouter } from './adapters/http/legal-pages.js';
import { problemErrorHandler } from './adapters/http/problem.js';
import type { ConnectorMetrics } from './adapters/metrics/connector-metrics.js';
import type { MetricSources } from './adapters/metrics/metric-sources.js';
import { connectorMigrations } from './adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from './adapters/store/open-database.js';
import type { TeamsReach } from './adapters/teams/teams-reach.js';
import type { ResolveHost } from './adapters/webhooks/webhook-target.js';
import { type AgentApi, createAgentApi } from './compose/agent-api.js';
import { type Channels, createDelivery } from './compose/delivery.js';
import { createDirectory, type Directory } from './compose/directory.js';
import type { Feature, Infrastructure } from './compose/feature.js';
import { createGraph } from './compose/graph.js';
import { createInteractions } from './compose/interactions.js';
import { createMetrics } from './compose/metrics.js';
import { createPresence, type Presence } from './compose/presence.js';
import { createPresenceWrites, type PresenceWrites } from './compose/presence-writes.js';
import { createReporting } from './compose/reporting.js';
import { createRouting } from './compose/routing.js';
import { createScaleOut, type ScaleOut } from './compose/scale-out.js';
import { createSessions } from './compose/sessions.js';
import { createTeams } from './compose/teams.js';
import { createWaiting } from './compose/waiting.js';
import { createWebhooks } from './compose/webhooks.js';
import type { LoadedConfig } from './config/config-files.js';
import { createLogger } from './logger.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { InteractionStore } from './ports/interaction-store.js';
import { type ParticipantChannel, RecordingChannel } from './ports/participant-channel.js';
import { MemoryPresenceHistoryStore, type PresenceHistoryStore } from './ports/presence/presence-history-store.js';
import type { Router } from './ports/router.js';
import type { InteractionService } from './services/interaction-service.js';
import type { OutboxWorker } from './services/outbox-worker.js';
import type { SessionLoad } from './services/session-load.js';
import type { TimeoutScheduler } from './services/timeout-scheduler.js';
import type { WaitingRouter } from './services/waiting-router.js';

/** What can be replaced when building the connector. */
export interface AppDependencies {
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  readonly channels?: Partial<Channels> | undefined;
  readonly router?: Router | undefined;
  /** The HTTP client webhooks are delivered with (default global fetch). */
  readonly fetch?: typeof fetch | undefined;
  /** Resolves webhook targets' host names when they are checked (default the system resolver, as fetch uses). */
  readonly resolve?: ResolveHost | undefined;
  /** Knowledge workers' time-in-state history for reports (default in memory). */
  readonly presenceHistory?: PresenceHistoryStore | undefined;
  /** Counters of parts built outside (Graph client, notifications, presence) for `/metrics`. */
  readonly metricSources?: MetricSources | undefined;
}

/** The agent side as the built connector exposes it. */
export interface AgentSide extends AgentApi {
  readonly webhooks: import('./adapters/webhooks/webhook-worker.js').WebhookWorker;
}

/** The built connector. */
export interface ConnectorApp {
  readonly http: express.Express;
  readonly commands: InteractionService;
  readonly store: InteractionStore;
  readonly database: OpenDatabase;
  readonly outbox: OutboxWorker;
  readonly timeouts: TimeoutScheduler;
  /** Routes requests waiting at routing points again when a member may have become available. */
  readonly waiting: WaitingRouter;
  readonly channels: { -readonly [K in keyof Channels]: ParticipantChannel };
  /** Who can be reached in Teams (proactive install, unreachable marks); null when the Teams bot is off. */
  readonly reach: TeamsReach | null;
  /** Routing's directory: the routing index, and the Entra group sync when groups feed routing points. */
  readonly directory: Directory;
  readonly logger: Logger;
  /** The agent side: API keys, the event log, webhooks, knowledge-worker state publishing. */
  readonly agentSide: AgentSide;
  /** The presence engine; null when the configuration has no `presence` section (static directory states). */
  readonly presence: Presence | null;
  /** Presence written to Teams (experts in a session); null without `presence.write`. */
  readonly presenceWrites: PresenceWrites | null;
  /** Active sessions per knowledge worker (the connector's own load). */
  readonly load: SessionLoad;
  /** The Prometheus metrics served at `/metrics`. */
  readonly metrics: ConnectorMetrics;
  /** On PostgreSQL: this replica's id and what the replicas signal each other (null on SQLite). */
  readonly scaleOut: ScaleOut | null;
  /** The features, in start order. */
  readonly features: readonly Feature[];
  /** Starts every feature's background work, in order; due work from before a restart runs now. */
  start(): void;
  /** Stops every feature in reverse order, and closes the database last. */
  stop(): Promise<void>;
}

/** Builds the connector. Opens (and migrates) the database. */
export async function createApp(config: LoadedConfig, deps: AppDependencies = {}): Promise<ConnectorApp> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const clock = deps.clock ?? systemClock;
  const database = await openDatabase({ url: config.database.url, migrations: connectorMigrations });
  const infra: Infrastructure = { clock, logger, database };

  const interactions = createInteractions(infra);
  const { commands, store } = interactions;
  const scaleOut = createScaleOut(
    { databaseUrl: config.database.url, leaseMs: config.scaleOut.leaseMs, wakeEveryMs: config.scaleOut.wakeEveryMs },
    infra,
    commands,
  );
  const graph = await createGraph(config.presence);
  const directory = await createDirectory(
    { knowledgeWorkers: config.directory.knowledgeWorkers, routing: config.routing },
    infra,
    graph,
    scaleOut,
  );
  const presence =
    config.presence && graph
      ? createPresence(config.presence, infra, { graph, userIds: directory.knowledgeWorkerIds(), scaleOut })
      : null;
  if (presence) directory.onRebuilt((ids) => presence.track(ids));
  const presenceWrites =
    config.presence?.write && presence && graph
      ? createPresenceWrites(config.presence.write, infra, {
          graph,
          presence,
          clientId: config.presence.clientId,
          quotaShare: config.presence.quotaShare,
          agentRules: config.presence.agentRules,
          agents: config.directory.agents,
          contactCenterOfAgent: contactCenterOfAgent(config.agentApi),
          replicas: scaleOut !== null,
          commands,
        })
      : null;
  const sessions = await createSessions(
    infra,
    interactions,
    scaleOut,
    presence
      ? (id, active) => {
          presence.setLoad(id, active);
          presenceWrites?.sessionLoad(id, active);
        }
      : null,
  );
  const teams =
    config.teams && !deps.channels?.['knowledge-worker']
      ? await createTeams(config.teams, infra, { commands, graph, scaleOut })
      : null;
  if (!config.teams && !deps.channels?.['knowledge-worker'])
    logger.warn('no teams section in the configuration: the Teams bot is off');
  const routing = createRouting(
    {
      knowledgeWorkers: config.directory.knowledgeWorkers,
      agents: config.directory.agents,
      queues: config.queues,
      namedPreviewTimeoutMs: config.routing.namedPreviewTimeoutMs,
    },
    infra,
    { directory, presence, load: sessions.load, reach: teams?.reach ?? null },
    deps.router,
  );
  const metrics = createMetrics(config.metrics, infra, {
    commands,
    presence,
    teams,
    mediations: () => [
      ...[...directory.index().routingPoints.keys()].map((id) => ({ kind: 'routing-point' as const, id })),
      ...config.queues.map((q) => ({ kind: 'queue' as const, id: q.id })),
    ],
    extraSources: deps.metricSources,
  });
  const reporting = createReporting(
    {
      defaultContactCenter: config.agentApi.defaultContactCenter,
      agents: config.directory.agents,
      queues: config.queues,
      contactCenterOfQueue: contactCenterOfQueue(config.agentApi),
    },
    infra,
    {
      index: () => directory.index(),
      presenceHistory: deps.presenceHistory ?? presence?.history ?? new MemoryPresenceHistoryStore(),
    },
  );
  const agentApi = createAgentApi(
    { options: config.agentApi, agents: config.directory.agents, queues: config.queues, escalation: config.escalation },
    infra,
    {
      commands,
      index: () => directory.index(),
      stateOf: routing.stateOf,
      unreachable: teams ? () => teams.reach.list() : undefined,
      waitingPosition: (routingPointId, id) => routing.waits.positionAt(routingPointId, null, id),
      extraRoutes: [...reporting.routes, ...(presenceWrites?.routes ?? [])],
      onInteractionsChanged: (listener) =>
        commands.onCommitted((info) => listener(info.interactions.map((ix) => ix.id))),
      scaleOut,
      owners: interactions.owners,
      resolve: deps.resolve,
    },
  );
  presence?.onStateChange(agentApi.publishKnowledgeWorkerStates);
  const webhooks = createWebhooks(config.agentApi.webhooks, infra, {
    log: agentApi.log,
    scaleOut,
    fetch: deps.fetch,
    resolve: deps.resolve,
  });
  const channels: ConnectorApp['channels'] = {
    'knowledge-worker': deps.channels?.['knowledge-worker'] ?? teams?.channel ?? new RecordingChannel(),
    agent: deps.channels?.agent ?? agentApi.channel,
    customer: deps.channels?.customer ?? agentApi.channel,
  };
  const delivery = createDelivery(infra, {
    store,
    commands,
    router: routing.router,
    waits: routing.waits,
    channels,
    scaleOut,
  });
  const waiting = createWaiting(infra, { commands, routing, directory, presence, teams, scaleOut });

  // Started in this order, stopped in reverse: the database closes last, the directory's group sync stops first.
  const features: Feature[] = [
    interactions,
    sessions,
    routing,
    ...(teams ? [teams] : []),
    metrics,
    reporting,
    agentApi,
    webhooks,
    delivery,
    waiting,
    ...(scaleOut ? [scaleOut] : []),
    ...(presence ? [presence] : []),
    ...(presenceWrites ? [presenceWrites] : []),
    directory,
  ];

  const http = express();
  http.disable('x-powered-by');
  http.use(createHealthRouter(store));
  http.use(createLegalPagesRouter());
  // The bot, the Graph notifications, /metrics and /reports, then the agent API and the console.
  for (const feature of [teams, presence, metrics, reporting, agentApi])
    for (const mount of feature?.mounts ?? []) {
      if (mount.path) http.use(mount.path, mount.router);
      else http.use(mount.router);
    }
  http.use(createConsoleRouter());
  http.use(problemErrorHandler(logger));

  return {
    http,
    commands,
    store,
    database,
    outbox: delivery.outbox,
    timeouts: delivery.timeouts,
    waiting: waiting.router,
    channels,
    reach: teams?.reach ?? null,
    directory,
    logger,
    agentSide: { ...agentApi, webhooks: webhooks.worker },
    presence,
    presenceWrites,
    load: sessions.load,
    metrics: metrics.metrics,
    scaleOut,
    features,
    start() {
      for (const feature of features) feature.start?.();
    },
    async stop() {
      for (const feature of [...features].reverse()) await feature.stop?.();
    },
  };
}
