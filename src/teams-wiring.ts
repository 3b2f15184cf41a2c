/**
 * Builds the Teams side for the composition root: the bot at `POST /api/messages`, and the channel that carries
 * knowledge-worker effects to Teams through the rate-limited sender, on durable conversation references.
 */
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { OpenDatabase } from './adapters/store/open-database.js';
import {
  createSqlActiveSessionStore,
  createSqlCardActivityStore,
  createSqlConversationReferenceStore,
} from './adapters/store/sql-teams-stores.js';
import { createBotAdapter, createBotRouter } from './adapters/teams/bot-endpoint.js';
import { ConnectorBot } from './adapters/teams/connector-bot.js';
import type { ConversationReferenceStore } from './adapters/teams/conversation-reference-store.js';
import { isLocalMode, LOCAL_MODE_WARNING } from './adapters/teams/local-mode.js';
import { createRateLimitedSender, type SenderStats } from './adapters/teams/rate-limited-sender.js';
import { TeamsMessenger } from './adapters/teams/teams-messenger.js';
import type { TeamsOptions } from './adapters/teams/teams-options.js';
import type { InteractionCommands } from './ports/interaction-commands.js';
import type { ParticipantChannel } from './ports/participant-channel.js';

/** What {@link wireTeams} needs. */
export interface TeamsWiringDeps {
  readonly database: OpenDatabase;
  readonly commands: InteractionCommands;
  readonly logger: Logger;
  /** Filled with knowledge workers Teams cannot reach, and why. */
  readonly unreachable: Map<string, string>;
  /** Told when each Teams send settles (for metrics). */
  readonly onSendSettled?: ((durationMs: number, outcome: 'sent' | 'failed') => void) | undefined;
}

/** The bot router, the knowledge-worker channel and the sender's counters. */
export function wireTeams(
  options: TeamsOptions,
  deps: TeamsWiringDeps,
): { router: Router; channel: ParticipantChannel; sendStats: SenderStats } {
  const logger = deps.logger.child({ part: 'teams' });
  const references = reachableOnInstall(createSqlConversationReferenceStore(deps.database), deps.unreachable);
  const cards = createSqlCardActivityStore(deps.database);
  const sessions = createSqlActiveSessionStore(deps.database);
  const adapter = createBotAdapter(options, logger);
  const sender = createRateLimitedSender(options.send, deps.onSendSettled ? { onSettled: deps.onSendSettled } : {});
  const bot = new ConnectorBot({ commands: deps.commands, references, sessions, options, logger });
  const messenger = new TeamsMessenger({
    adapter,
    botAppId: options.botAppId,
    references,
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
        deps.unreachable.set(effect.to.id, `${outcome.reason}: ${outcome.detail}`);
        logger.warn(
          { effectId: id, knowledgeWorker: effect.to.id, reason: outcome.reason },
          'knowledge worker not reachable in Teams',
        );
      } else if (outcome.status === 'done' && effect.type === 'SendPreview') {
        deps.unreachable.delete(effect.to.id);
      }
    },
  };
  const localMode = isLocalMode(options);
  if (localMode) logger.warn({ localMode }, LOCAL_MODE_WARNING);
  return { router: createBotRouter({ adapter, bot, logger, localMode }), channel, sendStats: sender.stats };
}

/**
 * A knowledge worker whose conversation reference is stored (they installed the app, or wrote to the bot) can be
 * reached again: routing offers them work again after an earlier send found the app missing.
 */
function reachableOnInstall(
  store: ConversationReferenceStore,
  unreachable: Map<string, string>,
): ConversationReferenceStore {
  return {
    get: (userId) => store.get(userId),
    delete: (userId) => store.delete(userId),
    async put(ref) {
      await store.put(ref);
      unreachable.delete(ref.userId);
    },
  };
}
