/**
 * Keeps the members of the Entra groups that feed routing points in sync through Graph (application permission
 * GroupMember.Read.All; User.Read.All for the members' names): at start and every `intervalMs`, each group's
 * members are read with `GET /groups/{id}/transitiveMembers?$select=…&$top=999` (nested groups flattened, users
 * only), page after page through `@odata.nextLink`, through the one throttled Graph client. A changed membership is
 * stored and handed to `onChange` (routing rebuilds its index without a restart). When a sync fails the last good
 * membership stays, in memory and in the database, so a restart during a Graph outage keeps routing; the failure is
 * logged once per failing spell and stored for the admin's self-test.
 *
 * Replicas on one database share the work: each group is synced by the one replica holding its lease
 * (`groups/<id>`, taken for a little more than two intervals and renewed by every sync); the others read what it
 * stored, so N replicas make the group reads of one. When the holder stops or dies, another takes the lease over at
 * its next sync after the lease ran out.
 */
import type { Logger } from 'pino';
import type { EntraUser } from '../../domain/routing/group-directory.js';
import type { Clock } from '../../ports/clock.js';
import type { GroupMembershipStore, GroupSnapshot } from '../../ports/group-membership-store.js';
import type { Leases } from '../../ports/leases.js';
import type { GraphClient } from './graph-client.js';
import { GraphApiError, GraphAuthError, GraphNetworkError } from './graph-errors.js';

/** The user properties read with the members. */
const SELECT = 'id,displayName,userPrincipalName,mail,businessPhones,mobilePhone';
/** Graph's largest page for directory objects. */
const PAGE_SIZE = 999;
/** A bound on pages per group (999 × 1,000 members), against a nextLink that never ends. */
const MAX_PAGES = 1_000;

/** Options of {@link GroupSync}. */
export interface GroupSyncOptions {
  /** The groups to keep in sync. */
  readonly groupIds: readonly string[];
  /** How often to sync again after the start (ms). */
  readonly intervalMs: number;
  /** The Graph base URL the client calls: `@odata.nextLink`s must start with it (the token goes nowhere else). */
  readonly graphBaseUrl: string;
}

/** What {@link GroupSync} uses. */
export interface GroupSyncDeps {
  readonly client: Pick<GraphClient, 'request'>;
  readonly store: GroupMembershipStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told after a group's membership changed (or was first read), with every group's current members. */
  readonly onChange: () => void;
  /** With replicas: the leases that let one replica sync each group, and this replica's id. */
  readonly leases?: { readonly store: Leases; readonly owner: string } | undefined;
  /** With replicas: told after this replica stored a changed membership (the others then call `adoptStored`). */
  readonly onStored?: (() => void) | undefined;
}

/** The lease of one group's sync. */
const leaseOf = (groupId: string) => `groups/${groupId}`;

interface GraphMembersPage {
  readonly value?: readonly Record<string, unknown>[];
  readonly '@odata.nextLink'?: string;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** A Graph member as an {@link EntraUser}, or null for anything but a user (groups, devices, contacts). */
function userOf(item: Record<string, unknown>): EntraUser | null {
  if (item['@odata.type'] !== '#microsoft.graph.user' || typeof item.id !== 'string') return null;
  return {
    id: item.id,
    displayName: text(item.displayName),
    userPrincipalName: text(item.userPrincipalName),
    mail: text(item.mail),
    businessPhones: Array.isArray(item.businessPhones) ? item.businessPhones.filter((p) => typeof p === 'string') : [],
    mobilePhone: text(item.mobilePhone),
  };
}

/** A secret-free sentence for a failed sync. */
function describeFailure(error: unknown): string {
  if (error instanceof GraphApiError) return `Graph answered ${error.status} ${error.code}`;
  if (error instanceof GraphNetworkError) return 'Microsoft Graph could not be reached';
  if (error instanceof GraphAuthError) return `no Graph token (${error.reason})`;
  return error instanceof Error ? error.message : String(error);
}

/** The sync of every Entra group routing points draw members from. */
export class GroupSync {
  readonly #groups = new Map<string, GroupSnapshot>();
  readonly #failing = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly options: GroupSyncOptions,
    private readonly deps: GroupSyncDeps,
  ) {}

  /** Reads the last good memberships from the database (before the first sync, and across restarts). */
  async load(): Promise<void> {
    const wanted = new Set(this.options.groupIds);
    for (const s of await this.deps.store.list()) if (wanted.has(s.groupId)) this.#groups.set(s.groupId, s);
  }

  /** The members of a group (Entra object ids, in Graph's order); undefined when never synced. */
  membersOf(groupId: string): readonly string[] | undefined {
    const s = this.#groups.get(groupId);
    return s && s.syncedAt !== null ? s.members.map((m) => m.id) : undefined;
  }

  /** Every group's last good members. */
  members(): (readonly EntraUser[])[] {
    return this.options.groupIds.map((id) => this.#groups.get(id)?.members ?? []);
  }

  /** Syncs every group once (a sync already running is joined, not doubled). */
  syncOnce(): Promise<void> {
    this.#running ??= this.#syncAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Syncs now, then every `intervalMs`. */
  start(): void {
    void this.syncOnce();
    this.#timer = setInterval(() => void this.syncOnce(), this.options.intervalMs);
    this.#timer.unref();
  }

  /** Stops syncing; resolves when a sync under way has finished. The groups' leases are given back. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    const leases = this.deps.leases;
    if (leases)
      for (const groupId of this.options.groupIds)
        await leases.store.release(leaseOf(groupId), leases.owner).catch(() => undefined);
  }

  async #syncAll(): Promise<void> {
    let changed = false;
    let stored: Map<string, GroupSnapshot> | undefined;
    for (const groupId of this.options.groupIds) {
      try {
        if (await this.#mine(groupId)) {
          if (await this.#syncGroup(groupId)) changed = true;
          continue;
        }
        // Another replica syncs this group: take what it stored.
        stored ??= new Map((await this.deps.store.list()).map((g) => [g.groupId, g]));
        if (this.#adopt(stored.get(groupId))) changed = true;
      } catch (error) {
        this.deps.logger.error({ groupId, err: describeFailure(error) }, 'Entra group members could not be stored');
      }
    }
    if (changed) this.deps.onChange();
  }

  /**
   * Takes the memberships another replica stored (it told that it synced): read from the database, no Graph call.
   * Rejects when the database fails.
   */
  async adoptStored(): Promise<void> {
    const wanted = new Set(this.options.groupIds);
    let changed = false;
    for (const snapshot of await this.deps.store.list())
      if (wanted.has(snapshot.groupId) && this.#adopt(snapshot)) changed = true;
    if (changed) this.deps.onChange();
  }

  /** Whether this replica syncs the group: alone, always; with replicas, while it holds the group's lease. */
  async #mine(groupId: string): Promise<boolean> {
    const leases = this.deps.leases;
    if (!leases) return true;
    return leases.store.acquire(leaseOf(groupId), leases.owner, 2 * this.options.intervalMs + 30_000);
  }

  /** Takes a group's snapshot stored by the replica syncing it; resolves whether its members changed. */
  #adopt(snapshot: GroupSnapshot | undefined): boolean {
    if (!snapshot) return false;
    const old = this.#groups.get(snapshot.groupId);
    this.#groups.set(snapshot.groupId, snapshot);
    if (snapshot.syncedAt === null) return false;
    return old?.syncedAt == null || JSON.stringify(old.members) !== JSON.stringify(snapshot.members);
  }

  /** Syncs one group; resolves with whether its membership changed. Rejects only when the database fails. */
  async #syncGroup(groupId: string): Promise<boolean> {
    const at = this.deps.clock.now();
    let members: EntraUser[];
    try {
      members = await this.#read(groupId);
    } catch (error) {
      const reason = describeFailure(error);
      const old = this.#groups.get(groupId);
      this.#groups.set(groupId, {
        groupId,
        members: old?.members ?? [],
        syncedAt: old?.syncedAt ?? null,
        attemptedAt: at,
        error: reason,
      });
      await this.deps.store.saveFailure(groupId, reason, at).catch(() => undefined);
      if (!this.#failing.has(groupId)) {
        this.#failing.add(groupId);
        this.deps.logger.error(
          { groupId, reason, members: old?.members.length ?? 0 },
          'Entra group sync failed; routing keeps the last good members',
        );
      }
      return false;
    }
    if (this.#failing.delete(groupId)) this.deps.logger.info({ groupId }, 'Entra group sync works again');
    const old = this.#groups.get(groupId);
    const changed = old?.syncedAt == null || JSON.stringify(old.members) !== JSON.stringify(members);
    this.#groups.set(groupId, { groupId, members, syncedAt: at, attemptedAt: at, error: null });
    await this.deps.store.saveMembers(groupId, members, at);
    if (changed) {
      this.deps.logger.info({ groupId, members: members.length }, 'Entra group members synced');
      this.deps.onStored?.();
    }
    return changed;
  }

  /** Every user in the group, following `@odata.nextLink`. */
  async #read(groupId: string): Promise<EntraUser[]> {
    const base = this.options.graphBaseUrl.replace(/\/+$/, '');
    let path: string | undefined =
      `/groups/${encodeURIComponent(groupId)}/transitiveMembers?$select=${SELECT}&$top=${PAGE_SIZE}`;
    const users: EntraUser[] = [];
    const seen = new Set<string>();
    for (let page = 0; path !== undefined; page++) {
      if (page >= MAX_PAGES) throw new Error(`more than ${MAX_PAGES} pages of members`);
      const body: GraphMembersPage = await this.deps.client.request<GraphMembersPage>('GET', path);
      for (const item of body?.value ?? []) {
        const user = userOf(item);
        if (user && !seen.has(user.id)) {
          seen.add(user.id);
          users.push(user);
        }
      }
      const next = body?.['@odata.nextLink'];
      if (next !== undefined && !next.startsWith(`${base}/`))
        throw new Error('Graph sent a next page link outside the configured Graph base URL');
      path = next?.slice(base.length);
    }
    return users;
  }
}
