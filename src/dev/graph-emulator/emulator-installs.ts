/**
 * The emulator's Teams app installations in users' personal scope, as Graph documents them
 * (learn.microsoft.com/graph/api/userteamwork-post-installedapps and the proactive installation guide):
 * - `POST /users/{id}/teamwork/installedApps` with `teamsApp@odata.bind` → 201 without a body; 409 when the app is
 *   already installed for the user;
 * - `GET /users/{id}/teamwork/installedApps[?$expand=teamsApp&$filter=teamsApp/id eq '{id}']` → the installations
 *   (an empty collection when the filter matches none);
 * - `GET /users/{id}/teamwork/installedApps/{installationId}/chat` → the 1:1 chat between the user and the app's
 *   bot (`chatType: oneOnOne`), whose id the bot sends proactive messages to.
 * All need TeamsAppInstallation.ReadWriteSelfForUser.All (403 when the app lacks it).
 */
import { type DirectoryRequest, type EmulatorReply, graphError, notFound } from './emulator-reply.js';

/** One installation of an app for a user. */
export interface EmulatedInstallation {
  /** The installation id (opaque). */
  readonly id: string;
  /** The app's id in the org catalog (`teamsApp/id`). */
  readonly teamsAppId: string;
  readonly displayName: string;
  /** The id of the 1:1 chat between the user and the app's bot. */
  readonly chatId: string;
}

/** What the installations need from the rest of the directory. */
export interface InstallsHost {
  /** The user's id, found by id or UPN; undefined when there is no such user. */
  userIdOf(idOrUpn: string): string | undefined;
  /** The 403 when TeamsAppInstallation.ReadWriteSelfForUser.All is withdrawn. */
  refusal(permission: 'TeamsAppInstallation.ReadWriteSelfForUser.All'): EmulatorReply | undefined;
  readonly tenantId: string;
}

const BIND = /^https:\/\/graph\.microsoft\.com\/(?:v1\.0|beta)\/appCatalogs\/teamsApps\/([^/?#]+)$/;

/** Installations per user. */
export class EmulatorInstalls {
  readonly #byUser = new Map<string, EmulatedInstallation[]>();

  constructor(private readonly host: InstallsHost) {}

  /** Records the app as installed for a user (as an app setup policy would); returns the installation. */
  install(userId: string, teamsAppId: string, displayName = 'UC Connector'): EmulatedInstallation {
    const list = this.#byUser.get(userId) ?? [];
    const existing = list.find((i) => i.teamsAppId === teamsAppId);
    if (existing) return existing;
    const made: EmulatedInstallation = {
      id: Buffer.from(`${userId}##${teamsAppId}`).toString('base64'),
      teamsAppId,
      displayName,
      chatId: `19:${userId}_${teamsAppId}@unq.gbl.spaces`,
    };
    list.push(made);
    this.#byUser.set(userId, list);
    return made;
  }

  /** The installations of a user. */
  of(userId: string): readonly EmulatedInstallation[] {
    return this.#byUser.get(userId) ?? [];
  }

  /** Routes the installation calls; undefined when the path is not one of them. */
  handle(req: DirectoryRequest): EmulatorReply | undefined {
    const chat = /^\/users\/([^/]+)\/teamwork\/installedApps\/([^/]+)\/chat$/.exec(req.path);
    if (chat && req.method === 'GET')
      return this.#chat(decodeURIComponent(chat[1] ?? ''), decodeURIComponent(chat[2] ?? ''));
    const apps = /^\/users\/([^/]+)\/teamwork\/installedApps$/.exec(req.path);
    if (!apps) return undefined;
    const user = decodeURIComponent(apps[1] ?? '');
    if (req.method === 'GET') return this.#list(user, req.query);
    if (req.method === 'POST') return this.#post(user, req.body);
    return undefined;
  }

  #userOrRefusal(idOrUpn: string): string | EmulatorReply {
    const denied = this.host.refusal('TeamsAppInstallation.ReadWriteSelfForUser.All');
    if (denied) return denied;
    return this.host.userIdOf(idOrUpn) ?? notFound(idOrUpn);
  }

  #post(idOrUpn: string, body: Record<string, unknown>): EmulatorReply {
    const user = this.#userOrRefusal(idOrUpn);
    if (typeof user !== 'string') return user;
    const bind = body['teamsApp@odata.bind'];
    const appId = typeof bind === 'string' ? BIND.exec(bind)?.[1] : undefined;
    if (!appId) return graphError(400, 'BadRequest', "The request body must bind 'teamsApp' (teamsApp@odata.bind).");
    if (this.of(user).some((i) => i.teamsAppId === appId))
      return graphError(409, 'Conflict', 'The app is already installed for this user.');
    this.install(user, appId);
    return { status: 201 };
  }

  #list(idOrUpn: string, query: URLSearchParams): EmulatorReply {
    const user = this.#userOrRefusal(idOrUpn);
    if (typeof user !== 'string') return user;
    const filter = query.get('$filter');
    let wanted: string | undefined;
    if (filter) {
      const m = /^teamsApp\/id eq '([^']+)'$/.exec(filter.trim());
      if (!m) return graphError(400, 'BadRequest', `Invalid filter clause: ${filter}`);
      wanted = m[1];
    }
    const expand = (query.get('$expand') ?? '').split(',').map((s) => s.trim());
    const value = this.of(user)
      .filter((i) => wanted === undefined || i.teamsAppId === wanted)
      .map((i) => ({
        id: i.id,
        ...(expand.includes('teamsApp') && {
          teamsApp: {
            id: i.teamsAppId,
            externalId: null,
            displayName: i.displayName,
            distributionMethod: 'organization',
          },
        }),
        teamsAppDefinition: { teamsAppId: i.teamsAppId, displayName: i.displayName, version: '1.0.0' },
      }));
    return {
      status: 200,
      body: {
        '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${user}')/teamwork/installedApps`,
        value,
      },
    };
  }

  #chat(idOrUpn: string, installationId: string): EmulatorReply {
    const user = this.#userOrRefusal(idOrUpn);
    if (typeof user !== 'string') return user;
    const inst = this.of(user).find((i) => i.id === installationId);
    if (!inst) return notFound(installationId);
    return {
      status: 200,
      body: {
        '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${user}')/teamwork/installedApps('${installationId}')/chat/$entity`,
        id: inst.chatId,
        topic: null,
        chatType: 'oneOnOne',
        tenantId: this.host.tenantId,
        webUrl: `https://teams.microsoft.com/l/chat/${encodeURIComponent(inst.chatId)}/0?tenantId=${this.host.tenantId}`,
      },
    };
  }
}
