/**
 * The composition root: builds every part of the connector from its configuration. Every dependency can be
 * passed in (tests pass fakes at the network edge); nothing else reaches for globals.
 */
import express from 'express';
import type { Logger } from 'pino';
import { type AgentSide, createAgentSide } from './adapters/agent-api/agent-side.js';
import { createConsoleRouter } from './adapters/console/console-router.js';
import { createHealthRouter } from './adapters/http/health-router.js';
import { createLegalPagesRouter } from './adapters/http/legal-pages.js';
import { problemErrorHandler } from './adapters/http/problem.js';
import type { ConnectorMetrics } from './adapters/metrics/connector-metrics.js';
import type { MetricSources } from './adapters/metrics/metric-sources.js';
import { presenceStaleness } from './adapters/metrics/metric-sources.js';
import { connectorMigrations } from './adapters/store/connector-migrations.js';
import type { AppendedSignal } from './adapters/store/event-log.js';
import { LeaseStore } from './adapters/store/lease-store.js';
import { type OpenDatabase, openDatabase } from './adapters/store/open-database.js';
import { createSqlActiveSessions } from './adapters/store/sql-active-sessions.js';
import { createSqlInteractionStore } from './adapters/store/sql-interaction-store.js';
import type { SenderStats } from './adapters/teams/rate-limited-sender.js';
import type { TeamsReach } from './adapters/teams/teams-reach.js';
import type { Config } from './config/read-config.js';
import { type AgentStateView, createDirectoryStateView } from './domain/routing/agent-state.js';
import { createLogger } from './logger.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { InteractionStore } from './ports/interaction-store.js';
import { type ParticipantChannel, RecordingChannel } from './ports/participant-channel.js';
import { MemoryPresenceHistoryStore, type PresenceHistoryStore } from './ports/presence/presence-history-store.js';
import type { Router } from './ports/router.js';
import { graphNotificationsMount, type PresenceEngine, wirePresence } from './presence-wiring.js';
import { wireReporting } from './reporting-wiring.js';
import { RoutingDirectory } from './routing-wiring.js';
import { type ScaleOut, wireScaleOut } from './scale-out-wiring.js';
import { InteractionService } from './services/interaction-service.js';
import { OutboxWorker } from './services/outbox-worker.js';
import { createPresenceCoordinator } from './services/presence-coordinator.js';
import { RoutingService } from './services/routing-service.js';
import { SessionLoad } from './services/session-load.js';
import { TimeoutScheduler } from './services/timeout-scheduler.js';
import { wireTeams, wireTeamsReach } from './teams-wiring.js';

/** What can be replaced when building the connector. */
export interface AppDependencies {
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  readonly channels?:
    | Partial<{ 'knowledge-worker': ParticipantChannel; agent: ParticipantChannel; customer: ParticipantChannel }>
    | undefined;
  readonly router?: Router | undefined;
  /** The HTTP client webhooks are delivered with (default global fetch). */
  readonly fetch?: typeof fetch | undefined;
  /** Knowledge workers' time-in-state history for reports (default in memory). */
  readonly presenceHistory?: PresenceHistoryStore | undefined;
  /** Counters of parts built outside (Graph client, notifications, presence) for `/metrics`. */
  readonly metricSources?: MetricSources | undefined;
}

/** The built connector. */
export interface ConnectorApp {
  readonly http: express.Express;
  readonly commands: InteractionService;
  readonly store: InteractionStore;
  readonly database: OpenDatabase;
  readonly outbox: OutboxWorker;
  readonly timeouts: TimeoutScheduler;
  readonly channels: {
    'knowledge-worker': ParticipantChannel;
    agent: ParticipantChannel;
    customer: ParticipantChannel;
  };
  /** Who can be reached in Teams (proactive install, unreachable marks); null when the Teams bot is off. */
  readonly reach: TeamsReach | null;
  /** Routing's directory: the routing index, and the Entra group sync when groups feed routing points. */
  readonly directory: RoutingDirectory;
  readonly logger: Logger;
  /** The agent side: API keys, the event log, webhooks, knowledge-worker state publishing. */
  readonly agentSide: AgentSide;
  /** The presence engine; null when the configuration has no `presence` section (static directory states). */
  readonly presence: PresenceEngine | null;
  /** Active sessions per knowledge worker (the connector's own load). */
  readonly load: SessionLoad;
  /** The Prometheus metrics served at `/metrics`. */
  readonly metrics: ConnectorMetrics;
  /** Starts the background workers (outbox, time-outs); due work from before a restart runs now. */
  start(): void;
  /** On PostgreSQL: this replica's id and its LISTEN/NOTIFY fan-out (null on SQLite). */
  readonly scaleOut: ScaleOut | null;
  /** Stops the workers and closes the database. */
  stop(): Promise<void>;
}

/** Builds the connector. Opens (and migrates) the database. */
export async function createApp(config: Config, deps: AppDependencies = {}): Promise<ConnectorApp> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const clock = deps.clock ?? systemClock;
  const database = await openDatabase({
    url: config.database.url,
    migrations: connectorMigrations,
  });
  const store = createSqlInteractionStore(database);

  // The directory and routing points, with Entra groups' last stored members; rebuilt as groups change.
  const directory = await RoutingDirectory.open(config, { database, clock, logger });
  const index = () => directory.index();
  let agentSide: AgentSide | undefined;
  let outbox: OutboxWorker | undefined;
  let timeouts: TimeoutScheduler | undefined;
  // On PostgreSQL (replicas on one database): what other replicas' notifications wake here.
  const scaleOut = wireScaleOut({
    database,
    url: config.database.url,
    logger,
    wake: {
      events: () => agentSide?.log.wake(),
      webhooks: () => agentSide?.webhooks.kick(),
      outbox: () => outbox?.recheck(),
      timeouts: (dueAt) => (dueAt === null ? timeouts?.kick() : timeouts?.wakeAt(dueAt)),
      sessions: (ids) => {
        load.refresh(ids).catch((error: unknown) => logger.warn({ err: error }, 'could not re-read session load'));
      },
    },
    pollMs: config.file.scaleOut.wakeEveryMs,
  });
  const presence = config.presence
    ? wirePresence(config.presence, {
        database,
        clock,
        logger,
        userIds: directory.knowledgeWorkerIds(),
        publish: async (id, state, at) => agentSide?.publishKnowledgeWorkerState(id, state, at),
        coordination:
          scaleOut &&
          createPresenceCoordinator({
            bus: scaleOut.notifications,
            leases: new LeaseStore(database.db, clock),
            replicaId: scaleOut.replicaId,
            leaseMs: config.file.scaleOut.leaseMs,
            logger: logger.child({ part: 'presence-shards' }),
          }),
      })
    : null;
  await directory.connectGraph(presence);
  // Who can be reached in Teams (not routable otherwise; shown to admins and agents), when the bot is on.
  const teamsOn = config.teams !== null && !deps.channels?.['knowledge-worker'];
  const reach =
    config.teams && teamsOn
      ? await wireTeamsReach(config.teams, {
          database,
          clock,
          logger,
          graph: presence && config.presence ? { client: presence.client, tenantId: config.presence.tenantId } : null,
        })
      : null;
  const load = new SessionLoad(createSqlActiveSessions(database), (id, active) => presence?.setLoad(id, active));
  await load.seed();
  const stateOf: AgentStateView = presence
    ? presence.stateOf
    : busyAtLimit(createDirectoryStateView(config.file.directory.knowledgeWorkers), load);
  const router =
    deps.router ??
    new RoutingService({
      index,
      stateOf,
      reach: reach ?? undefined,
      queues: config.file.queues,
      agents: config.file.directory.agents,
      queuePreviewTimeoutMs: config.file.routing.namedPreviewTimeoutMs,
    });

  let teamsSendStats: SenderStats | undefined;
  const reporting = wireReporting({
    config,
    db: database.db,
    clock,
    index,
    presenceHistory: deps.presenceHistory ?? presence?.history ?? new MemoryPresenceHistoryStore(),
    sources: {
      teams: () => teamsSendStats,
      // Parts not running have no series.
      ...(presence && {
        graph: () => presence.client.stats,
        presence: () => presenceStaleness(presence.tracker, clock.now()),
        ...(presence.subscriptions && {
          notifications: () => presence.notificationStats(),
          notificationInbox: () => presence.inboxSize(),
        }),
      }),
      ...deps.metricSources,
    },
  });

  const commands = new InteractionService({
    store,
    clock,
    logger: logger.child({ part: 'interactions' }),
    onCommitted: (info) => {
      if (scaleOut) {
        // Replicas each commit part of the commands: the database is the truth of who is in a session.
        if (info.sessionsChanged.length > 0)
          load
            .refresh(info.sessionsChanged)
            .catch((error: unknown) => logger.warn({ err: error }, 'could not re-read session load'));
      } else load.observe(info.interactions);
      if (info.effects) outbox?.kick();
      if (info.nextTimeoutAt !== null) timeouts?.wakeAt(info.nextTimeoutAt);
      reporting.metrics.countEffects(info.emitted);
      scaleOut?.committed(info);
    },
  });
  agentSide = createAgentSide({
    options: config.file.agentApi,
    database,
    commands,
    index,
    stateOf,
    unreachable: reach ? () => reach.list() : undefined,
    agents: config.file.directory.agents,
    queues: config.file.queues,
    escalation: config.file.escalation,
    clock,
    logger,
    fetch: deps.fetch,
    extraRoutes: reporting.routes,
  });
  const channels: ConnectorApp['channels'] = {
    'knowledge-worker': deps.channels?.['knowledge-worker'] ?? new RecordingChannel(),
    agent: deps.channels?.agent ?? agentSide.channel,
    customer: deps.channels?.customer ?? agentSide.channel,
  };
  const teams =
    config.teams && reach
      ? wireTeams(config.teams, {
          database,
          commands,
          logger,
          reach,
          onSendSettled: reporting.metrics.observeTeamsSend,
        })
      : null;
  teamsSendStats = teams?.sendStats;
  if (teams) channels['knowledge-worker'] = teams.channel;
  else if (!deps.channels?.['knowledge-worker'])
    logger.warn('no teams section in the configuration: the Teams bot is off');
  outbox = new OutboxWorker({ store, commands, router, channels, clock, logger: logger.child({ part: 'outbox' }) });
  timeouts = new TimeoutScheduler({ store, commands, clock, logger: logger.child({ part: 'timeouts' }) });
  if (scaleOut) {
    const fanOut = scaleOut;
    agentSide.log.on('appended', (signal: AppendedSignal) => fanOut.appended(signal));
  }

  const http = express();
  http.disable('x-powered-by');
  http.use(createHealthRouter(store));
  http.use(createLegalPagesRouter());
  if (teams) http.use(teams.router);
  if (presence?.router) http.use(graphNotificationsMount, presence.router);
  http.use(reporting.router);
  http.use(agentSide.router);
  http.use(createConsoleRouter());
  http.use(problemErrorHandler(logger));

  const workers = { outbox, timeouts };
  return {
    http,
    commands,
    store,
    database,
    outbox: workers.outbox,
    timeouts: workers.timeouts,
    channels,
    reach,
    directory,
    logger,
    agentSide,
    presence,
    load,
    metrics: reporting.metrics,
    start() {
      presence?.start();
      directory.start();
      workers.outbox.start();
      workers.timeouts.start();
      agentSide.webhooks.start();
      scaleOut?.start().catch((error: unknown) => logger.error({ err: error }, 'scale-out fan-out failed to start'));
    },
    scaleOut,
    async stop() {
      await directory.stop();
      await presence?.stop();
      await scaleOut?.stop();
      await workers.outbox.stop();
      await workers.timeouts.stop();
      await agentSide.webhooks.stop();
      await store.close();
    },
  };
}

/** Without the presence engine: a Ready knowledge worker already in a session is Busy for routing (limit 1). */
function busyAtLimit(view: AgentStateView, load: SessionLoad): AgentStateView {
  return (id, routingPointId) => {
    const state = view(id, routingPointId);
    return state.kind === 'Ready' && load.of(id) >= 1 ? { kind: 'Busy' } : state;
  };
}
