/**
 * Reaching a knowledge worker who never opened the bot: install the Teams app for them through Microsoft Graph
 * (`POST /users/{id}/teamwork/installedApps`, permission TeamsAppInstallation.ReadWriteSelfForUser.All; 409 means
 * it is installed already), find the installation (`GET …/installedApps?$expand=teamsApp&$filter=teamsApp/id eq
 * '{catalog id}'`), fetch the 1:1 chat with the bot (`GET …/installedApps/{installation id}/chat`) and build a
 * conversation reference from the chat's id, so the bot can write first without waiting for Teams' own
 * `conversationUpdate`. Calls go through the one throttled Graph client, with few retries: routing waits for it.
 */

import { type Clock, systemClock } from '../../ports/clock.js';
import type { StoredConversationReference } from '../../ports/teams/conversation-reference-store.js';
import { GraphApiError, GraphAuthError, GraphNetworkError } from '../graph/graph-errors.js';

/** One Graph call (the throttled GraphClient's `request`): resolves with the JSON body or throws a Graph error. */
export type GraphRequest = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => Promise<T>;

/** The outcome of an install: a reference to use, or why the user cannot be reached. */
export type InstallResult =
  | { readonly ok: true; readonly reference: StoredConversationReference }
  | { readonly ok: false; readonly detail: string };

/** Installs the app for a user and returns their conversation reference. */
export interface ProactiveInstaller {
  install(userId: string): Promise<InstallResult>;
}

/** Options of {@link createGraphInstaller}. */
export interface GraphInstallerOptions {
  /** The app's id in the org catalog (GET /appCatalogs/teamsApps?$filter=externalId eq '{manifestId}'). */
  readonly teamsCatalogAppId: string;
  readonly tenantId: string;
  /** The bot's app id, for the reference's `bot` field. */
  readonly botAppId: string;
  /** The Bot Connector service URL for the tenant's region. */
  readonly serviceUrl: string;
  /** Time for the stored reference (default the system clock). */
  readonly clock?: Clock;
}

/** What a failed call says, for admins (status and Graph's error code; never a token). */
function describe(step: string, error: unknown): string {
  if (error instanceof GraphApiError) return `${step}: Graph answered ${error.status} ${error.code}`;
  if (error instanceof GraphNetworkError) return `${step}: Microsoft Graph could not be reached`;
  if (error instanceof GraphAuthError) return `${step}: no Graph token (${error.reason})`;
  throw error;
}

/** A {@link ProactiveInstaller} over Graph. 409 (already installed) counts as installed. */
export function createGraphInstaller(graph: GraphRequest, options: GraphInstallerOptions): ProactiveInstaller {
  return {
    async install(userId) {
      const user = encodeURIComponent(userId);
      const appId = options.teamsCatalogAppId;
      try {
        await graph('POST', `/users/${user}/teamwork/installedApps`, {
          'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${appId}`,
        });
      } catch (error) {
        if (!(error instanceof GraphApiError && error.status === 409))
          return { ok: false, detail: describe('installing the app', error) };
      }
      let chatId: string | undefined;
      try {
        const filter = encodeURIComponent(`teamsApp/id eq '${appId}'`);
        const list = await graph<{ value?: { id?: string }[] }>(
          'GET',
          `/users/${user}/teamwork/installedApps?$expand=teamsApp&$filter=${filter}`,
        );
        const installId = list?.value?.[0]?.id;
        if (!installId) return { ok: false, detail: 'the installation was not found after installing the app' };
        const chat = await graph<{ id?: string }>(
          'GET',
          `/users/${user}/teamwork/installedApps/${encodeURIComponent(installId)}/chat`,
        );
        chatId = chat?.id;
      } catch (error) {
        return { ok: false, detail: describe('finding the chat with the bot', error) };
      }
      if (!chatId) return { ok: false, detail: 'Graph returned the chat with the bot without an id' };
      return {
        ok: true,
        reference: {
          userId,
          tenantId: options.tenantId,
          serviceUrl: options.serviceUrl,
          conversationId: chatId,
          updatedAt: (options.clock ?? systemClock).now(),
          reference: {
            channelId: 'msteams',
            serviceUrl: options.serviceUrl,
            conversation: {
              id: chatId,
              conversationType: 'personal',
              tenantId: options.tenantId,
              isGroup: false,
              name: '',
            },
            bot: { id: `28:${options.botAppId}`, name: '' },
            user: { id: '', name: '', aadObjectId: userId },
          },
        },
      };
    },
  };
}
