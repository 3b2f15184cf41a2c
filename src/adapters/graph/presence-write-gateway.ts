/**
 * The Graph {@link PresenceWriteGateway}: the connector's own application presence session for a person
 * (`POST /users/{id}/presence/setPresence` and `clearPresence`, `sessionId` = the app registration's id,
 * `expirationDuration` as an ISO 8601 duration) and their status message (`setStatusMessage`), app-only
 * (`Presence.ReadWrite.All`), through the one Graph client, drawing from the presence quota's budget that polls and
 * subscription calls share, ahead of polls. The client does not retry these calls: the writer retries with the value
 * current then.
 */
import type { PresenceWriteGateway } from '../../ports/presence/presence-write-gateway.js';
import type { GraphClient, RequestOptions } from './graph-client.js';
import { GraphApiError } from './graph-errors.js';
import { type QuotaBudget, quotaPriority } from './quota-budget.js';

/** Queue priority of presence writes in the Graph client when no budget is given (polls and other reads: 0). */
export const WRITE_PRIORITY = 2;

const path = (userId: string, action: string) => `/users/${encodeURIComponent(userId)}/presence/${action}`;

/**
 * Builds the gateway for the application `appId` (its presence session's id). With `quota` (the connector's presence
 * budget) every write draws from it as `presence-writes`, ahead of polls, so reads and writes never exceed the quota
 * together.
 */
export function createGraphPresenceWriteGateway(
  client: GraphClient,
  appId: string,
  quota?: QuotaBudget,
): PresenceWriteGateway {
  const options: RequestOptions = quota
    ? { maxRetries: 0, quota: { budget: quota, caller: 'presence-writes', priority: quotaPriority.interactive } }
    : { maxRetries: 0, priority: WRITE_PRIORITY };
  return {
    async setPresence(userId, availability, activity, expirationMinutes) {
      await client.request(
        'POST',
        path(userId, 'setPresence'),
        { sessionId: appId, availability, activity, expirationDuration: `PT${expirationMinutes}M` },
        undefined,
        options,
      );
    },
    async clearPresence(userId) {
      try {
        await client.request('POST', path(userId, 'clearPresence'), { sessionId: appId }, undefined, options);
      } catch (err) {
        // The session is gone already (expired, or cleared before a crash): what clearing wanted.
        if (err instanceof GraphApiError && err.status === 404) return;
        throw err;
      }
    },
    async setStatusMessage(userId, message, expiresAt) {
      const statusMessage =
        message === null
          ? { message: { content: '', contentType: 'text' } }
          : {
              message: { content: message, contentType: 'text' },
              // dateTimeTimeZone: a wall-clock time without offset, and its zone.
              expiryDateTime: { dateTime: new Date(expiresAt).toISOString().replace(/Z$/, ''), timeZone: 'UTC' },
            };
      await client.request('POST', path(userId, 'setStatusMessage'), { statusMessage }, undefined, options);
    },
  };
}
