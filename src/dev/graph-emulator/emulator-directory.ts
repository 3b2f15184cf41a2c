/**
 * The emulator's directory: `GET /users/{id}` (with `$select`), `GET /users/{id}/teamwork/installedApps` and
 * `GET /groups/{id}/members`, in Graph's documented shapes, plus the application permissions the emulated app
 * holds. A permission withdrawn with {@link EmulatorDirectory.denyPermission} makes the calls that need it answer
 * 403 as Graph does when admin consent is missing.
 */

/** The application permissions the emulator checks, and the calls each one allows. */
export type EmulatedPermission =
  | 'Presence.Read.All'
  | 'User.Read.All'
  | 'TeamsAppInstallation.ReadWriteSelfForUser.All'
  | 'GroupMember.Read.All';

/** A directory user as Graph returns it. */
export interface DirectoryUser {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly businessPhones?: readonly string[];
  readonly mobilePhone?: string | null;
}

/** One reply of the emulator. */
export interface EmulatorReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const notFound = (id: string): EmulatorReply => ({
  status: 404,
  body: {
    error: {
      code: 'Request_ResourceNotFound',
      message: `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    },
  },
});

/** The directory side of the emulator. */
export class EmulatorDirectory {
  readonly #users = new Map<string, DirectoryUser>();
  readonly #installed = new Map<string, { id: string; teamsAppId: string; displayName: string }[]>();
  readonly #groups = new Map<string, string[]>();
  readonly #denied = new Set<EmulatedPermission>();

  /** Adds or replaces users (display name and UPN default to the id). */
  addUsers(users: Iterable<Partial<DirectoryUser> & { readonly id: string }>): void {
    for (const u of users) {
      this.#users.set(u.id, {
        displayName: u.id,
        userPrincipalName: `${u.id}@emulator.example`,
        businessPhones: [],
        mobilePhone: null,
        ...this.#users.get(u.id),
        ...u,
      });
    }
  }

  /** Whether a user exists. */
  hasUser(id: string): boolean {
    return this.#users.has(id);
  }

  /** Records the Teams app as installed in a user's personal scope. */
  installApp(userId: string, teamsAppId: string, displayName = 'UC Connector'): void {
    const list = this.#installed.get(userId) ?? [];
    const id = Buffer.from(`${userId}##${teamsAppId}`).toString('base64');
    if (!list.some((i) => i.id === id)) list.push({ id, teamsAppId, displayName });
    this.#installed.set(userId, list);
  }

  /** Creates or replaces an Entra group and its members. */
  setGroup(groupId: string, memberIds: readonly string[]): void {
    this.#groups.set(groupId, [...memberIds]);
  }

  /** Scripting: the app loses (true) or regains (false) an application permission. */
  denyPermission(permission: EmulatedPermission, denied = true): void {
    if (denied) this.#denied.add(permission);
    else this.#denied.delete(permission);
  }

  /** The 403 Graph answers when the app lacks `permission`, or undefined when it holds it. */
  refusal(permission: EmulatedPermission): EmulatorReply | undefined {
    if (!this.#denied.has(permission)) return undefined;
    const directory = permission === 'User.Read.All' || permission === 'GroupMember.Read.All';
    return {
      status: 403,
      body: {
        error: directory
          ? { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' }
          : {
              code: 'Forbidden',
              message: `Missing role permissions on the request. API requires one of '${permission}'. Roles on the request ''.`,
            },
      },
    };
  }

  /** Routes the directory's GET calls; undefined when the path is not one of them. */
  handle(method: string, path: string, query: URLSearchParams): EmulatorReply | undefined {
    if (method !== 'GET') return undefined;
    const user = /^\/users\/([^/]+)$/.exec(path);
    if (user) return this.#user(decodeURIComponent(user[1] ?? ''), query);
    const apps = /^\/users\/([^/]+)\/teamwork\/installedApps$/.exec(path);
    if (apps) return this.#installedApps(decodeURIComponent(apps[1] ?? ''));
    const members = /^\/groups\/([^/]+)\/members$/.exec(path);
    if (members) return this.#members(decodeURIComponent(members[1] ?? ''));
    return undefined;
  }

  #find(idOrUpn: string): DirectoryUser | undefined {
    return (
      this.#users.get(idOrUpn) ??
      [...this.#users.values()].find((u) => u.userPrincipalName.toLowerCase() === idOrUpn.toLowerCase())
    );
  }

  #user(idOrUpn: string, query: URLSearchParams): EmulatorReply {
    const denied = this.refusal('User.Read.All');
    if (denied) return denied;
    const u = this.#find(idOrUpn);
    if (!u) return notFound(idOrUpn);
    const select =
      query
        .get('$select')
        ?.split(',')
        .map((s) => s.trim()) ?? [];
    const full: Record<string, unknown> = { ...u, businessPhones: [...(u.businessPhones ?? [])] };
    const picked =
      select.length > 0 ? Object.fromEntries(select.filter((k) => k in full).map((k) => [k, full[k]])) : full;
    const context = `https://graph.microsoft.com/v1.0/$metadata#users${select.length > 0 ? `(${select.join(',')})` : ''}/$entity`;
    return { status: 200, body: { '@odata.context': context, ...picked } };
  }

  #installedApps(idOrUpn: string): EmulatorReply {
    const denied = this.refusal('TeamsAppInstallation.ReadWriteSelfForUser.All');
    if (denied) return denied;
    const u = this.#find(idOrUpn);
    if (!u) return notFound(idOrUpn);
    const value = (this.#installed.get(u.id) ?? []).map((i) => ({
      id: i.id,
      teamsAppDefinition: { teamsAppId: i.teamsAppId, displayName: i.displayName, version: '1.0.0' },
    }));
    return {
      status: 200,
      body: {
        '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${u.id}')/teamwork/installedApps`,
        value,
      },
    };
  }

  #members(groupId: string): EmulatorReply {
    const denied = this.refusal('GroupMember.Read.All');
    if (denied) return denied;
    const ids = this.#groups.get(groupId);
    if (!ids) return notFound(groupId);
    return {
      status: 200,
      body: {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#directoryObjects',
        value: ids.map((id) => ({ '@odata.type': '#microsoft.graph.user', id })),
      },
    };
  }
}
