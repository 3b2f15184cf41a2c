/**
 * The emulator's Entra groups, as Graph documents `GET /groups/{id}/members` (direct members) and
 * `GET /groups/{id}/transitiveMembers` (a flat list of all nested members): a `directoryObject` collection whose
 * items carry `@odata.type` (`#microsoft.graph.user`, `#microsoft.graph.group`) and `id`, with `$select` honoured
 * for users, pages of 100 by default (`$top` 1–999, else 400) and `@odata.nextLink` (an absolute URL carrying an
 * opaque `$skiptoken`) while more remain. Needs GroupMember.Read.All (403 without it). Without User.Read.All, users
 * come with limited information (only `@odata.type` and `id`; other properties null), as Graph returns them.
 */
import type { DirectoryUser } from './emulator-directory.js';
import { type DirectoryRequest, type EmulatorReply, graphError, notFound, selectOf } from './emulator-reply.js';

/** One group: its direct user members and nested groups. */
interface EmulatedGroup {
  readonly displayName: string;
  readonly userIds: readonly string[];
  readonly groupIds: readonly string[];
}

/** What the groups need from the rest of the directory. */
export interface GroupsHost {
  user(id: string): DirectoryUser | undefined;
  refusal(permission: 'GroupMember.Read.All'): EmulatorReply | undefined;
  /** Whether the app holds User.Read.All (else users come with limited information). */
  mayReadUsers(): boolean;
}

/** The properties Graph returns for a user when no `$select` is given. */
const DEFAULT_USER_PROPERTIES = ['businessPhones', 'displayName', 'mail', 'mobilePhone', 'userPrincipalName', 'id'];

/** Entra groups and their paging. */
export class EmulatorGroups {
  readonly #groups = new Map<string, EmulatedGroup>();
  /**
   * Scripting: the most items Graph puts on one page whatever `$top` asks (Graph may return fewer than `$top`).
   * Default 999.
   */
  maxPageSize = 999;

  constructor(private readonly host: GroupsHost) {}

  /** Creates or replaces a group: its direct user members and nested groups. */
  set(
    groupId: string,
    userIds: readonly string[],
    nestedGroupIds: readonly string[] = [],
    displayName = groupId,
  ): void {
    this.#groups.set(groupId, { displayName, userIds: [...userIds], groupIds: [...nestedGroupIds] });
  }

  /** Routes the member calls; undefined when the path is not one of them. */
  handle(req: DirectoryRequest): EmulatorReply | undefined {
    const m = /^\/groups\/([^/]+)\/(members|transitiveMembers)$/.exec(req.path);
    if (!m || req.method !== 'GET') return undefined;
    const denied = this.host.refusal('GroupMember.Read.All');
    if (denied) return denied;
    const groupId = decodeURIComponent(m[1] ?? '');
    const group = this.#groups.get(groupId);
    if (!group) return notFound(groupId);
    const top = req.query.get('$top');
    const size = top === null ? 100 : Number(top);
    if (!Number.isInteger(size) || size < 1 || size > 999)
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
      );
    const items = m[2] === 'members' ? this.#direct(group) : this.#transitive(groupId);
    const token = req.query.get('$skiptoken');
    const offset = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) return graphError(400, 'Request_BadRequest', 'Invalid $skiptoken.');
    const pageSize = Math.min(size, this.maxPageSize);
    const page = items.slice(offset, offset + pageSize);
    const select = selectOf(req.query);
    const body: Record<string, unknown> = {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#directoryObjects',
      value: page.map((item) => this.#shape(item, select)),
    };
    if (offset + pageSize < items.length) {
      const next = new URLSearchParams(req.query);
      next.set('$skiptoken', Buffer.from(String(offset + pageSize), 'utf8').toString('base64url'));
      const query = [...next].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      body['@odata.nextLink'] = `${req.graphBaseUrl}${req.path}?${query}`;
    }
    return { status: 200, body };
  }

  #direct(group: EmulatedGroup): { kind: 'user' | 'group'; id: string }[] {
    return [
      ...group.userIds.map((id) => ({ kind: 'user' as const, id })),
      ...group.groupIds.map((id) => ({ kind: 'group' as const, id })),
    ];
  }

  /** Every nested member once (users and groups), cycle-safe, in discovery order. */
  #transitive(groupId: string): { kind: 'user' | 'group'; id: string }[] {
    const out: { kind: 'user' | 'group'; id: string }[] = [];
    const seenUsers = new Set<string>();
    const seenGroups = new Set<string>([groupId]);
    const visit = (id: string) => {
      const g = this.#groups.get(id);
      if (!g) return;
      for (const u of g.userIds) {
        if (seenUsers.has(u)) continue;
        seenUsers.add(u);
        out.push({ kind: 'user', id: u });
      }
      for (const child of g.groupIds) {
        if (seenGroups.has(child)) continue;
        seenGroups.add(child);
        out.push({ kind: 'group', id: child });
        visit(child);
      }
    };
    visit(groupId);
    return out;
  }

  #shape(item: { kind: 'user' | 'group'; id: string }, select: readonly string[]): Record<string, unknown> {
    if (item.kind === 'group') {
      return {
        '@odata.type': '#microsoft.graph.group',
        id: item.id,
        displayName: this.#groups.get(item.id)?.displayName ?? null,
      };
    }
    const wanted = select.length > 0 ? select : DEFAULT_USER_PROPERTIES;
    const user = this.host.user(item.id);
    const full: Record<string, unknown> = {
      id: item.id,
      displayName: user?.displayName ?? null,
      userPrincipalName: user?.userPrincipalName ?? null,
      mail: user?.mail ?? null,
      businessPhones: [...(user?.businessPhones ?? [])],
      mobilePhone: user?.mobilePhone ?? null,
    };
    const limited = !this.host.mayReadUsers();
    const shaped: Record<string, unknown> = { '@odata.type': '#microsoft.graph.user' };
    for (const key of wanted) {
      if (key === 'id') shaped.id = item.id;
      else if (key in full) shaped[key] = limited ? null : full[key];
    }
    shaped.id = item.id;
    return shaped;
  }
}
