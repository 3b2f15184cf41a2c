/**
 * The Teams feature: who can be reached in Teams (with proactive install through Graph when the app's catalog id is
 * configured), the bot at `POST /api/messages`, and the knowledge workers' channel, which carries their effects to
 * Teams through the rate-limited sender on durable conversation references (kept in memory by each replica), each
 * send recorded by effect id.
 */
import type { Logger } from 'pino';
import { createSqlActiveSessions } from '../adapters/store/sql-active-sessions.js';
import { SqlUnreachableStore } from '../adapters/store/sql-reach-stores.js';
import { createSqlSendLedger } from '../adapters/store/sql-send-ledger.js';
import { createSqlCardActivityStore, createSqlConversationReferenceStore } from '../adapters/store/sql-teams-stores.js';
import { createBotAdapter } from '../adapters/teams/bot-adapter.js';
import { createBotRouter } from '../adapters/teams/bot-endpoint.js';
import { ConnectorBot } from '../adapters/teams/connector-bot.js';
import { isLocalMode, LOCAL_MODE_WARNING } from '../adapters/teams/local-mode.js';
import { createGraphInstaller } from '../adapters/teams/proactive-installer.js';
import { createRateLimitedSender, type SenderStats } from '../adapters/teams/rate-limited-sender.js';
import { createServiceUrlPolicy } from '../adapters/teams/service-urls.js';
import { TeamsChannel } from '../adapters/teams/teams-channel.js';
import { TeamsMessenger } from '../adapters/teams/teams-messenger.js';
import type { TeamsOptions } from '../adapters/teams/teams-options.js';
import { TeamsReach } from '../adapters/teams/teams-reach.js';
import type { InteractionCommands } from '../ports/interaction-commands.js';
import type { ParticipantChannel } from '../ports/participant-channel.js';
import type { ConversationReferenceStore } from '../ports/teams/conversation-reference-store.js';
import { CachedConversationReferences } from '../services/cached-conversation-references.js';
import type { Feature, Infrastructure } from './feature.js';
import type { GraphAccess } from './graph.js';
import type { ScaleOut } from './scale-out.js';

/** Retries of a Graph call made while routing waits (429 and 5xx are still honoured, briefly). */
const INSTALL_CALL_RETRIES = 2;

/** The built Teams feature. */
export interface Teams extends Feature {
  /** Who can be reached (routing asks before offering work; admins and agents see the marks). */
  readonly reach: TeamsReach;
  /** The knowledge workers' channel. */
  readonly channel: ParticipantChannel;
  /** The Teams sender's counters (for `/metrics`). */
  readonly sendStats: SenderStats;
  /** Subscribes to each Teams send as it settles: its duration and whether it went through (for metrics). */
  onSendSettled(listener: SendSettledListener): void;
}

/** Told of each Teams send as it settles. */
export type SendSettledListener = (durationMs: number, outcome: 'sent' | 'failed') => void;

/** What the Teams feature is built from besides its settings. */
export interface TeamsParts {
  readonly commands: InteractionCommands;
  /** Graph, for proactive install; null without the `presence` section. */
  readonly graph: GraphAccess | null;
  /** Replicas on one database (references are cached and changes told); null alone. */
  readonly scaleOut?: ScaleOut | null | undefined;
}

/**
 * The durable conversation references; with replicas, each keeps them in memory, told by the others of every change
 * (one process alone reads them from its database: SQLite is local, and nothing would tell it of a change another
 * process made).
 */
function conversationReferences(infra: Infrastructure, scaleOut: ScaleOut | null): ConversationReferenceStore {
  const stored = createSqlConversationReferenceStore(infra.database);
  if (!scaleOut) return stored;
  const cached = new CachedConversationReferences(stored, {
    trusted: () => scaleOut.signals.listening(),
    changed: (userId) => scaleOut.signals.referenceChanged(userId),
  });
  scaleOut.signals.on('refs', (userIds) => cached.forget(userIds));
  return cached;
}

/** Conversation references whose storing (Teams told the bot about the user) clears an unreachable mark. */
function clearingMarks(references: ConversationReferenceStore, reach: TeamsReach): ConversationReferenceStore {
  return {
    get: (userId) => references.get(userId),
    delete: (userId) => references.delete(userId),
    async put(ref) {
      await references.put(ref);
      await reach.clear(ref.userId);
    },
  };
}

/**
 * Builds who can be reached in Teams, with the marks stored so far loaded; with replicas, a mark stored or removed
 * on one is told to the others (`reach`), which re-read it.
 */
async function createReach(
  options: TeamsOptions,
  infra: Infrastructure,
  graph: GraphAccess | null,
  references: ConversationReferenceStore,
  scaleOut: ScaleOut | null,
  logger: Logger,
) {
  const catalogId = options.teamsCatalogAppId;
  const installer =
    graph && catalogId
      ? createGraphInstaller(
          (method, path, body) =>
            graph.client.request(method, path, body, undefined, { maxRetries: INSTALL_CALL_RETRIES }),
          {
            teamsCatalogAppId: catalogId,
            tenantId: graph.tenantId,
            botAppId: options.botAppId,
            serviceUrl: options.defaultServiceUrl,
            clock: infra.clock,
          },
        )
      : undefined;
  const reach = new TeamsReach({
    store: new SqlUnreachableStore(infra.database),
    references,
    installer,
    clock: infra.clock,
    retryAfterMs: options.unreachableRetryMs,
    logger,
    replicas: scaleOut
      ? { listening: () => scaleOut.signals.listening(), changed: (userId) => scaleOut.signals.reachChanged(userId) }
      : undefined,
  });
  scaleOut?.signals.on('reach', (userIds) => reach.changedElsewhere(userIds));
  await reach.load();
  logger.info({ proactiveInstall: installer !== undefined }, 'Teams reachability ready');
  return reach;
}

/** Builds the Teams feature. */
export async function createTeams(options: TeamsOptions, infra: Infrastructure, parts: TeamsParts): Promise<Teams> {
  const scaleOut = parts.scaleOut ?? null;
  const stored = conversationReferences(infra, scaleOut);
  const reachLogger = infra.logger.child({ part: 'teams-reach' });
  const reach = await createReach(options, infra, parts.graph, stored, scaleOut, reachLogger);
  const logger = infra.logger.child({ part: 'teams' });
  const references = clearingMarks(stored, reach);
  const cards = createSqlCardActivityStore(infra.database);
  const sessions = createSqlActiveSessions(infra.database);
  const adapter = createBotAdapter(options, logger);
  const localMode = isLocalMode(options);
  const serviceUrls = createServiceUrlPolicy({ allowed: options.allowedServiceUrls, localMode });
  const settled: SendSettledListener[] = [];
  const sender = createRateLimitedSender(options.send, {
    onSettled: (durationMs, outcome) => {
      for (const listener of settled) listener(durationMs, outcome);
    },
  });
  const bot = new ConnectorBot({ commands: parts.commands, references, sessions, options, logger, clock: infra.clock });
  const messenger = new TeamsMessenger({
    adapter,
    botAppId: options.botAppId,
    serviceUrls,
    references: stored,
    cards,
    sender,
    interactions: parts.commands,
    caseInfoFields: options.caseInfoFields,
    ledger: createSqlSendLedger(infra.database, infra.clock),
    logger,
  });
  const channel = new TeamsChannel({ messenger, commands: parts.commands, references: stored, reach, logger });
  if (localMode) logger.warn({ localMode }, LOCAL_MODE_WARNING);
  return {
    name: 'teams',
    mounts: [{ router: createBotRouter({ adapter, bot, logger, localMode, serviceUrls }) }],
    reach,
    channel,
    sendStats: sender.stats,
    onSendSettled: (listener) => settled.push(listener),
  };
}
