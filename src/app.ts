/**
 * The composition root: builds every part of the connector from its configuration. Every dependency can be
 * passed in (tests pass fakes at the network edge); nothing else reaches for globals.
 */
import express from 'express';
import type { Logger } from 'pino';
import { type AgentSide, createAgentSide } from './adapters/agent-api/agent-side.js';
import { createHealthRouter } from './adapters/http/health-router.js';
import { problemErrorHandler } from './adapters/http/problem.js';
import { agentApiMigration } from './adapters/store/migrations/100-agent-api.js';
import { type OpenDatabase, openDatabase } from './adapters/store/open-database.js';
import { createSqlInteractionStore } from './adapters/store/sql-interaction-store.js';
import type { Config } from './config/read-config.js';
import { createDirectoryStateView } from './domain/routing/agent-state.js';
import { createRoutingIndex } from './domain/routing/routing-index.js';
import { createLogger } from './logger.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { InteractionStore } from './ports/interaction-store.js';
import { type ParticipantChannel, RecordingChannel } from './ports/participant-channel.js';
import type { Router } from './ports/router.js';
import { type ScaleOut, wireScaleOut } from './scale-out-wiring.js';
import { InteractionService } from './services/interaction-service.js';
import { OutboxWorker } from './services/outbox-worker.js';
import { RoutingService } from './services/routing-service.js';
import { TimeoutScheduler } from './services/timeout-scheduler.js';
import { wireTeams } from './teams-wiring.js';

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
  /** Knowledge workers who cannot be reached in Teams, with the reason. */
  readonly unreachable: ReadonlyMap<string, string>;
  readonly logger: Logger;
  /** The agent side: API keys, the event log, webhooks, knowledge-worker state publishing. */
  readonly agentSide: AgentSide;
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
    migrations: (dialect) => ({ '100-agent-api': agentApiMigration(dialect) }),
  });
  const store = createSqlInteractionStore(database);

  // Knowledge workers who cannot be reached in Teams, with the reason (not routable; shown to admins).
  const unreachable = new Map<string, string>();
  const index = createRoutingIndex({
    knowledgeWorkers: config.file.directory.knowledgeWorkers,
    routing: config.file.routing,
  });
  const stateOf = createDirectoryStateView(config.file.directory.knowledgeWorkers);
  const router =
    deps.router ??
    new RoutingService({
      index: () => index,
      stateOf,
      unreachable: (id) => unreachable.get(id),
      queues: config.file.queues,
      agents: config.file.directory.agents,
      queuePreviewTimeoutMs: config.file.routing.namedPreviewTimeoutMs,
    });

  let outbox: OutboxWorker | undefined;
  let timeouts: TimeoutScheduler | undefined;
  let scaleOut: ScaleOut | null = null;
  const commands = new InteractionService({
    store,
    clock,
    logger: logger.child({ part: 'interactions' }),
    onCommitted: (info) => {
      if (info.effects) outbox?.kick();
      if (info.timeouts) timeouts?.kick();
      scaleOut?.committed(info);
    },
  });
  const agentSide = createAgentSide({
    options: config.file.agentApi,
    database,
    commands,
    index: () => index,
    stateOf,
    agents: config.file.directory.agents,
    queues: config.file.queues,
    escalation: config.file.escalation,
    clock,
    logger,
    fetch: deps.fetch,
  });
  const channels: ConnectorApp['channels'] = {
    'knowledge-worker': deps.channels?.['knowledge-worker'] ?? new RecordingChannel(),
    agent: deps.channels?.agent ?? agentSide.channel,
    customer: deps.channels?.customer ?? agentSide.channel,
  };
  const teams =
    config.teams && !deps.channels?.['knowledge-worker']
      ? wireTeams(config.teams, { database, commands, logger, unreachable })
      : null;
  if (teams) channels['knowledge-worker'] = teams.channel;
  else if (!deps.channels?.['knowledge-worker'])
    logger.warn('no teams section in the configuration: the Teams bot is off');
  outbox = new OutboxWorker({ store, commands, router, channels, clock, logger: logger.child({ part: 'outbox' }) });
  timeouts = new TimeoutScheduler({ store, commands, clock, logger: logger.child({ part: 'timeouts' }) });
  scaleOut = wireScaleOut({ database, url: config.database.url, log: agentSide.log, outbox, timeouts, logger });

  const http = express();
  http.disable('x-powered-by');
  http.use(createHealthRouter(store));
  if (teams) http.use(teams.router);
  http.use(agentSide.router);
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
    unreachable,
    logger,
    agentSide,
    start() {
      workers.outbox.start();
      workers.timeouts.start();
      agentSide.webhooks.start();
      scaleOut?.start().catch((error: unknown) => logger.error({ err: error }, 'scale-out fan-out failed to start'));
    },
    scaleOut,
    async stop() {
      await scaleOut?.stop();
      await workers.outbox.stop();
      await workers.timeouts.stop();
      await agentSide.webhooks.stop();
      await store.close();
    },
  };
}
