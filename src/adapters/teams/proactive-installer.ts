/**
 * Reaching a knowledge worker who never opened the bot: install the Teams app for them through Microsoft Graph
 * (`POST /users/{id}/teamwork/installedApps`, permission TeamsAppInstallation.ReadWriteSelfForUser.All), then
 * fetch the 1:1 chat with the bot and build a conversation reference from it.
 */
import type { StoredConversationReference } from './conversation-reference-store.js';

/** One Graph call: the graph adapter implements it (with its throttling wrapper and token). */
export type GraphCall = (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
) => Promise<{ readonly status: number; readonly body: unknown }>;

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
  readonly now?: () => number;
}

/** A {@link ProactiveInstaller} over Graph. 409 (already installed) counts as installed. */
export function createGraphInstaller(graph: GraphCall, options: GraphInstallerOptions): ProactiveInstaller {
  return {
    async install(userId) {
      const user = encodeURIComponent(userId);
      const appId = options.teamsCatalogAppId;
      const post = await graph('POST', `/users/${user}/teamwork/installedApps`, {
        'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${appId}`,
      });
      if (post.status !== 201 && post.status !== 409) {
        return { ok: false, detail: `Installing the app for the user failed (Graph ${post.status}).` };
      }
      const filter = encodeURIComponent(`teamsApp/id eq '${appId}'`);
      const list = await graph('GET', `/users/${user}/teamwork/installedApps?$expand=teamsApp&$filter=${filter}`);
      const installId = (list.body as { value?: { id?: string }[] } | undefined)?.value?.[0]?.id;
      if (list.status !== 200 || !installId) {
        return { ok: false, detail: `The app installation was not found (Graph ${list.status}).` };
      }
      const chat = await graph('GET', `/users/${user}/teamwork/installedApps/${encodeURIComponent(installId)}/chat`);
      const chatId = (chat.body as { id?: string } | undefined)?.id;
      if (chat.status !== 200 || !chatId) {
        return { ok: false, detail: `The chat with the bot was not found (Graph ${chat.status}).` };
      }
      return {
        ok: true,
        reference: {
          userId,
          tenantId: options.tenantId,
          serviceUrl: options.serviceUrl,
          conversationId: chatId,
          updatedAt: (options.now ?? Date.now)(),
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
