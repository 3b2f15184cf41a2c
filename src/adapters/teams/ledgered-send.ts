/**
 * One send to Teams deduplicated by outbox effect id through the send ledger: recorded before it leaves, not sent
 * again once answered, sent again once at most while in doubt (started, never answered: a crash), then given up; a
 * send Teams refused is forgotten, so its retry is a fresh send.
 */
import type { Logger } from 'pino';
import type { SendLedger } from '../../ports/teams/send-ledger.js';
import { BotConnectorError, BotConnectorNetworkError, statusOf } from './send-errors.js';

/** Starts of one send never answered, at most: an in-doubt send is repeated once, then given up as sent. */
export const MAX_UNANSWERED_STARTS = 2;

/** The send of one effect: its outbox id and the knowledge worker it goes to. */
export interface SendKey {
  readonly effectId: string;
  readonly userId: string;
}

/**
 * Runs `post` (which resolves with the activity id, or with an outcome other than sent) at most as the ledger allows;
 * resolves with the activity id recorded (`''` when a send in doubt is given up) or `post`'s outcome.
 */
export async function ledgeredSend<O extends object>(
  ledger: SendLedger,
  key: SendKey,
  post: () => Promise<{ id: string } | O>,
  logger?: Logger,
): Promise<{ id: string } | O> {
  const before = await ledger.begin(key.effectId, key.userId);
  if (before.status === 'sent') return { id: before.activityId };
  if (before.status === 'in-doubt') {
    const repeat = before.unanswered < MAX_UNANSWERED_STARTS;
    logger?.warn(
      { effectId: key.effectId, knowledgeWorker: key.userId, unanswered: before.unanswered, repeat },
      repeat ? 'send in doubt after a crash: sending it again' : 'send in doubt again: given up as sent',
    );
    if (!repeat) return { id: '' };
  }
  let sent: { id: string } | O;
  try {
    sent = await post();
  } catch (err) {
    // Teams answered (an error status) or the connection was refused: nothing was delivered. Otherwise in doubt.
    if (wasAnswered(err)) await ledger.forget(key.effectId);
    throw err;
  }
  if ('id' in sent && typeof sent.id === 'string') await ledger.sent(key.effectId, sent.id);
  else await ledger.forget(key.effectId);
  return sent;
}

/** Whether a failed send was answered by the Bot Connector (or never connected): then it surely did not arrive. */
function wasAnswered(err: unknown): boolean {
  if (err instanceof BotConnectorError || statusOf(err) !== undefined) return true;
  const cause = err instanceof BotConnectorNetworkError ? err.cause : err;
  return (cause as { code?: unknown } | null)?.code === 'ECONNREFUSED';
}
