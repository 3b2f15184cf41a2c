/**
 * The emulator's directory: `GET /users/{id}` (with `$select`), the app's installations for users
 * ({@link EmulatorInstalls}) and group members ({@link EmulatorGroups}), in Graph's documented shapes, plus the
 * application permissions the emulated app holds. A permission withdrawn with {@link EmulatorDirectory.denyPermission}
 * makes the calls that need it answer 403 as Graph does when admin consent is missing.
 */
import { EmulatorGroups } from './emulator-groups.js';
import { EmulatorInstalls } from './emulator-installs.js';
import { type DirectoryRequest, type EmulatorReply, notFound, selectOf } from './emulator-reply.js';

export type { EmulatorReply } from './emulator-reply.js';

/** The application permissions the emulator checks, and the calls each one allows. */
export type EmulatedPermission =
  | 'Presence.Read.All'
  | 'Presence.ReadWrite.All'
  | 'User.Read.All'
  | 'TeamsAppInstallation.ReadWriteSelfForUser.All'
  | 'GroupMember.Read.All';

/** A directory user as Graph returns it. */
export interface DirectoryUser {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly mail?: string | null;
  readonly businessPhones?: readonly string[];
  readonly mobilePhone?: string | null;
}

/** The directory side of the emulator. */
export class EmulatorDirectory {
  readonly #users = new Map<string, DirectoryUser>();
  readonly #denied = new Set<EmulatedPermission>();
  /** The app's installations in users' personal scope, and the 1:1 chats with its bot. */
  readonly installs: EmulatorInstalls;
  /** Entra groups, their members and paging. */
  readonly groups: EmulatorGroups;

  constructor(tenantId = '00000000-0000-0000-0000-00000000e1e1') {
    this.installs = new EmulatorInstalls({
      tenantId,
      userIdOf: (idOrUpn) => this.#find(idOrUpn)?.id,
      refusal: (permission) => this.refusal(permission),
    });
    this.groups = new EmulatorGroups({
      user: (id) => this.#users.get(id),
      refusal: (permission) => this.refusal(permission),
      mayReadUsers: () => !this.#denied.has('User.Read.All'),
    });
  }

  /** Adds or replaces users (display name and UPN default to the id). */
  addUsers(users: Iterable<Partial<DirectoryUser> & { readonly id: string }>): void {
    for (const u of users) {
      this.#users.set(u.id, {
        displayName: u.id,
        userPrincipalName: `${u.id}@emulator.example`,
        mail: null,
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

  /** Records the Teams app as installed in a user's personal scope (as an app setup policy would). */
  installApp(userId: string, teamsAppId: string, displayName = 'UC Connector'): void {
    this.installs.install(userId, teamsAppId, displayName);
  }

  /** Creates or replaces an Entra group: its direct user members and nested groups. */
  setGroup(groupId: string, memberIds: readonly string[], nestedGroupIds: readonly string[] = []): void {
    this.groups.set(groupId, memberIds, nestedGroupIds);
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

  /** Routes the directory's calls; undefined when the path is not one of them. */
  handle(req: DirectoryRequest): EmulatorReply | undefined {
    const user = /^\/users\/([^/]+)$/.exec(req.path);
    if (user && req.method === 'GET') return this.#user(decodeURIComponent(user[1] ?? ''), req.query);
    return this.installs.handle(req) ?? this.groups.handle(req);
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
    const select = selectOf(query);
    const full: Record<string, unknown> = { ...u, businessPhones: [...(u.businessPhones ?? [])] };
    const picked =
      select.length > 0 ? Object.fromEntries(select.filter((k) => k in full).map((k) => [k, full[k]])) : full;
    const context = `https://graph.microsoft.com/v1.0/$metadata#users${select.length > 0 ? `(${select.join(',')})` : ''}/$entity`;
    return { status: 200, body: { '@odata.context': context, ...picked } };
  }
}
