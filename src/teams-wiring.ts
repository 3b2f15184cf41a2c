/**
 * Builds the Teams side for the composition root: who can be reached in Teams (with proactive install through
 * Graph when configured), the bot at `POST /api/messages`, and the channel that carries knowledge-worker effects to
 * Teams through the rate-limited sender, on durable conversation references.
 */
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { GraphClient } from './adapters/graph/graph-client.js';
import type { OpenDatabase } from './adapters/store/open-database.js';
import { SqlUnreachableStore } from './adapters/store/sql-reach-stores.js';
import {
  createSqlActiveSessionStore,
  createSqlCardActivityStore,
  createSqlConversationReferenceStore,
} from './adapters/store/sql-teams-stores.js';
import { createBotAdapter, createBotRouter } from './adapters/teams/bot-endpoint.js';
import { ConnectorBot } from './adapters/teams/connector-bot.js';
import type { ConversationReferenceStore } from './adapters/teams/conversation-reference-store.js';
import { isLocalMode, LOCAL_MODE_WARNING } from './adapters/teams/local-mode.js';
import { createGraphInstaller } from './adapters/teams/proactive-installer.js';
import { createRateLimitedSender, type SenderStats } from './adapters/teams/rate-limited-sender.js';
import { TeamsMessenger } from './adapters/teams/teams-messenger.js';
import type { TeamsOptions } from './adapters/teams/teams-options.js';
import { describeUnreachable, TeamsReach } from './adapters/teams/teams-reach.js';
import type { SendPreview } from './domain/interaction/effects.js';
import type { Clock } from './ports/clock.js';
import type { InteractionCommands } from './ports/interaction-commands.js';
import type { ParticipantChannel } from './ports/participant-channel.js';
import type { UnreachableMark } from './ports/reachability.js';

/** Retries of a Graph call made while routing waits (429 and 5xx are still honoured, briefly). */
const INSTALL_CALL_RETRIES = 2;

/** What {@link wireTeamsReach} needs. */
export interface TeamsReachWiringDeps {
  readonly database: OpenDatabase;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The one Graph client and its tenant (the `presence` section); null without Graph. */
  readonly graph: { readonly client: GraphClient; readonly tenantId: string } | null;
}

/**
 * Who can be reached in Teams, with the marks stored so far loaded. Proactive install is on when the app's catalog
 * id (`teams.teamsCatalogAppId`) and Graph are both configured.
 */
export async function wireTeamsReach(options: TeamsOptions, deps: TeamsReachWiringDeps): Promise<TeamsReach> {
  const logger = deps.logger.child({ part: 'teams-reach' });
  const graph = deps.graph;
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
            clock: deps.clock,
          },
        )
      : undefined;
  const reach = new TeamsReach({
    store: new SqlUnreachableStore(deps.database),
    references: createSqlConversationReferenceStore(deps.database),
    installer,
    clock: deps.clock,
    retryAfterMs: options.unreachableRetryMs,
    logger,
  });
  await reach.load();
  logger.info({ proactiveInstall: installer !== undefined }, 'Teams reachability ready');
  return reach;
}

/** What {@link wireTeams} needs. */
export interface TeamsWiringDeps {
  readonly database: OpenDatabase;
  readonly commands: InteractionCommands;
  readonly logger: Logger;
  /** Who can be reached; a refused send marks the knowledge worker, a delivered preview clears the mark. */
  readonly reach: TeamsReach;
  /** Told when each Teams send settles (for metrics). */
  readonly onSendSettled?: ((durationMs: number, outcome: 'sent' | 'failed') => void) | undefined;
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
 * Ends the invitation of a preview Teams refused, at once, so the request moves on without waiting for its time-out.
 * A repeat (the outbox runs the preview again after a crash) is refused by the engine as already ended: nothing
 * changes.
 */
async function endUndeliverable(
  commands: InteractionCommands,
  preview: SendPreview,
  mark: UnreachableMark,
  logger: Logger,
): Promise<void> {
  const result = await commands.execute({
    type: 'Undeliverable',
    interactionId: preview.interactionId,
    invitationId: preview.invitationId,
    reason: describeUnreachable(mark),
  });
  const refusal = result.ok ? undefined : result.refusal.code;
  logger.debug(
    { interactionId: preview.interactionId, invitationId: preview.invitationId, refusal },
    refusal ? 'undeliverable preview: its invitation had ended' : 'undeliverable preview: its invitation ended',
  );
}

/** The bot router, the knowledge-worker channel and the sender's counters. */
export function wireTeams(
  options: TeamsOptions,
  deps: TeamsWiringDeps,
): { router: Router; channel: ParticipantChannel; sendStats: SenderStats } {
  const logger = deps.logger.child({ part: 'teams' });
  const stored = createSqlConversationReferenceStore(deps.database);
  const references = clearingMarks(stored, deps.reach);
  const cards = createSqlCardActivityStore(deps.database);
  const sessions = createSqlActiveSessionStore(deps.database);
  const adapter = createBotAdapter(options, logger);
  const sender = createRateLimitedSender(options.send, deps.onSendSettled ? { onSettled: deps.onSendSettled } : {});
  const bot = new ConnectorBot({ commands: deps.commands, references, sessions, options, logger });
  const messenger = new TeamsMessenger({
    adapter,
    botAppId: options.botAppId,
    references: stored,
    cards,
    sessions,
    sender,
    interactions: deps.commands,
    caseInfoFields: options.caseInfoFields,
  });
  const channel: ParticipantChannel = {
    async send(id, effect) {
      const outcome = await messenger.execute(effect);
      if (outcome.status === 'unreachable') {
        // The Bot Connector no longer knows the conversation: forget it, so the next offer installs the app again.
        if (outcome.reason === 'not-installed') await stored.delete(effect.to.id);
        const mark = await deps.reach.mark(effect.to.id, outcome.reason, outcome.detail);
        logger.debug({ effectId: id, knowledgeWorker: effect.to.id, reason: outcome.reason }, 'effect not delivered');
        // The mark comes first, so routing, moving on, counts them unreachable and names why.
        if (effect.type === 'SendPreview') await endUndeliverable(deps.commands, effect, mark, logger);
      } else if (outcome.status === 'done' && effect.type === 'SendPreview' && deps.reach.isMarked(effect.to.id)) {
        await deps.reach.clear(effect.to.id);
      }
    },
  };
  const localMode = isLocalMode(options);
  if (localMode) logger.warn({ localMode }, LOCAL_MODE_WARNING);
  return { router: createBotRouter({ adapter, bot, logger, localMode }), channel, sendStats: sender.stats };
}
