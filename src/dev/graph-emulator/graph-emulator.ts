/**
 * The Graph presence emulator: a small HTTP server speaking the endpoints the presence engine uses —
 * identity platform (client credentials, device code, refresh, metadata, JWKS), `POST
 * /v1.0/communications/getPresencesByUserId`, `/v1.0/subscriptions` (create, PATCH renew, DELETE, reauthorize), the
 * directory (`/users/{id}`, installing the app for a user and its chat under `/users/{id}/teamwork/installedApps`,
 * `/groups/{id}/members` and `/transitiveMembers` with paging, see {@link EmulatorDirectory}) — and sending encrypted
 * change notifications and lifecycle notifications. It enforces the documented limits (650 ids,
 * 1,500 calls / 30 s with 429 + fractional Retry-After, 60-minute subscriptions) and can be scripted: presence
 * changes, duplicates, reordering, drops, throttling storms and outages. Used by local mode, tests and benchmarks.
 *
 * @example
 * ```ts
 * const emu = await startGraphEmulator({ port: 0 });
 * emu.seedUsers(sampleDirectory.map((u) => u.id));
 * await emu.setPresence(id, 'Busy', 'InACall'); // notifies subscribers
 * await emu.close();
 * ```
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorDirectory } from './emulator-directory.js';
import { EmulatorIdentity, type Principal } from './emulator-identity.js';
import { EmulatorPresence, type StatusMessage } from './emulator-presence.js';
import { EmulatorSubscriptions } from './emulator-subscriptions.js';
import { SlidingQuota } from './sliding-quota.js';

/** Options of {@link startGraphEmulator}. */
export interface GraphEmulatorOptions {
  /** Port to listen on; 0 (default) for an ephemeral port. Always on 127.0.0.1. */
  readonly port?: number;
  /** Emulated tenant id. Default `00000000-0000-0000-0000-00000000e1e1`. */
  readonly tenantId?: string;
  /**
   * The tenant's domains: like the tenant id, they name the tenant in identity platform paths, and its OpenID
   * metadata then gives the id in `issuer`. Default `contoso.onmicrosoft.com`.
   */
  readonly domains?: readonly string[];
  /**
   * Presence quota, kept as Graph documents it: at most `quotaCalls` presence calls (default 1,500) in any rolling
   * `quotaWindowMs` (default 30,000 ms) — a sliding window, not fixed buckets; a call over it gets 429 with the
   * fractional seconds until a slot frees as `Retry-After`, and is not counted.
   */
  readonly quotaCalls?: number;
  readonly quotaWindowMs?: number;
  /** How long a presence call takes to answer, ms (Graph's own latency; default 0). Benchmarks use it. */
  readonly presenceLatencyMs?: number;
  /** The emulator's clock (subscription expiry, quota). Default `Date.now`. */
  readonly now?: () => number;
}

/** A user's aggregated presence as last published (polls read it; a change notifies). */
interface Presence {
  availability: string;
  activity: string;
  status: string | undefined;
  seq: number;
}

/** The presence actions an application may call on `/users/{id}/presence/…` (or `/communications/presences/{id}/…`). */
const PRESENCE_ACTION =
  /^\/(?:users\/([^/]+)\/presence|communications\/presences\/([^/]+))(?:\/(setPresence|clearPresence|setUserPreferredPresence|clearUserPreferredPresence|setStatusMessage))?$/;

/** Counters the emulator keeps. */
export interface EmulatorCounters {
  /** Presence calls answered within the quota: reads and writes (they share the 1,500 / 30 s). */
  presenceCalls: number;
  /** Of those, writes (setPresence, clearPresence, setUserPreferredPresence, setStatusMessage…). */
  presenceWrites: number;
  throttled: number;
  notificationsSent: number;
  notificationsDropped: number;
}

/** A notification collection captured while deliveries are held (for reordering). */
interface HeldDelivery {
  readonly url: string;
  readonly payload: unknown;
}

/** A running emulator with its scripting API. */
export class GraphEmulator {
  readonly identity: EmulatorIdentity;
  readonly subscriptions: EmulatorSubscriptions;
  /** Users, installed apps, groups and the app's application permissions (403 when one is denied). */
  readonly directory: EmulatorDirectory;
  readonly counters: EmulatorCounters = {
    presenceCalls: 0,
    presenceWrites: 0,
    throttled: 0,
    notificationsSent: 0,
    notificationsDropped: 0,
  };
  readonly #domains: ReadonlySet<string>;
  readonly #presence = new Map<string, Presence>();
  /** Every user's presence sessions (the Teams client's, applications', user-preferred) and status message. */
  readonly sessions: EmulatorPresence;
  readonly #quota: SlidingQuota;
  readonly #now: () => number;
  readonly #latencyMs: number;
  /** How often each user's presence was answered by `getPresencesByUserId`. */
  readonly #polls = new Map<string, number>();
  #seq = 0;
  #outage = false;
  #stormLeft = 0;
  #stormRetryAfterS = 0;
  #drop = false;
  #duplicate = false;
  #held: HeldDelivery[] | undefined;
  /** Every Graph call the emulator answered: method, path, status, at (bounded to the last 10,000). */
  readonly log: { method: string; path: string; status: number; at: number }[] = [];

  constructor(
    readonly server: Server,
    options: GraphEmulatorOptions,
  ) {
    this.#now = options.now ?? Date.now;
    this.identity = new EmulatorIdentity(options.tenantId ?? '00000000-0000-0000-0000-00000000e1e1');
    this.#domains = new Set((options.domains ?? ['contoso.onmicrosoft.com']).map((d) => d.toLowerCase()));
    this.directory = new EmulatorDirectory(this.identity.tenantId);
    this.subscriptions = new EmulatorSubscriptions(this.identity, this.#now);
    this.sessions = new EmulatorPresence(this.#now);
    this.#quota = new SlidingQuota(options.quotaCalls ?? 1500, options.quotaWindowMs ?? 30_000);
    this.#latencyMs = options.presenceLatencyMs ?? 0;
  }

  /** How many times `getPresencesByUserId` answered this user's presence (200 only). */
  pollsOf(id: string): number {
    return this.#polls.get(id) ?? 0;
  }

  /** `http://127.0.0.1:PORT`: the identity platform base URL (authority base). */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  /** The Graph base URL (`…/v1.0`). */
  get graphBaseUrl(): string {
    return `${this.baseUrl}/v1.0`;
  }
  /** Where the validation-token JWKS is served. */
  get jwksUrl(): string {
    return `${this.baseUrl}/common/discovery/v2.0/keys`;
  }

  /**
   * Creates users (in the directory too) whose Teams client shows the given presence (default Available/Available),
   * without notifying.
   */
  seedUsers(ids: Iterable<string>, availability = 'Available', activity = 'Available'): void {
    for (const id of ids) {
      this.sessions.setClient(id, availability, activity);
      this.#presence.delete(id);
      this.#refresh(id);
      if (!this.directory.hasUser(id)) this.directory.addUsers([{ id }]);
    }
  }

  /** Current emulated (aggregated) presence of a user, with their status message when one is set. */
  presenceOf(id: string) {
    this.#refresh(id);
    const p = this.#presence.get(id);
    if (!p) return undefined;
    const status = this.sessions.aggregate(id)?.statusMessage;
    return {
      id,
      availability: p.availability,
      activity: p.activity,
      sequenceNumber: seqString(p.seq),
      ...(status ? { statusMessage: statusView(status) } : {}),
    };
  }

  /**
   * Scripting: the user's Teams client changes presence (what they choose or do in Teams); the aggregate (with the
   * applications' sessions and any user-preferred presence) notifies the subscriptions covering them when it changes.
   */
  async setPresence(id: string, availability: string, activity: string): Promise<void> {
    await this.setPresences([{ id, availability, activity }]);
  }

  /** Changes many Teams clients' presences; one notification collection per subscription (Graph batches too). */
  async setPresences(changes: readonly { id: string; availability: string; activity: string }[]): Promise<void> {
    for (const c of changes) this.sessions.setClient(c.id, c.availability, c.activity);
    await this.#notifyChanged(changes.map((c) => c.id));
  }

  /**
   * Re-reads every user's aggregate (sessions expire, Available application sessions fade) and notifies the changes.
   * Reads of a user's presence do this for that user by themselves.
   */
  async sweepExpirations(): Promise<void> {
    await this.#notifyChanged([...this.#presence.keys()]);
  }

  /** Recomputes a user's aggregate; true when it changed (a new sequence number). */
  #refresh(id: string): boolean {
    const next = this.sessions.aggregate(id);
    if (!next) return false;
    const status = next.statusMessage?.message.content;
    const prev = this.#presence.get(id);
    if (prev && prev.availability === next.availability && prev.activity === next.activity && prev.status === status)
      return false;
    this.#presence.set(id, { availability: next.availability, activity: next.activity, status, seq: ++this.#seq });
    return true;
  }

  /** Notifies the subscriptions covering the users whose aggregate changed. */
  async #notifyChanged(ids: readonly string[]): Promise<void> {
    const perSub = new Map<string, unknown[]>();
    for (const id of ids) {
      if (!this.#refresh(id)) continue;
      const presence = this.presenceOf(id);
      if (!presence) continue;
      for (const s of this.subscriptions.covering(id)) {
        if (s.needsReauthorization) continue;
        const list = perSub.get(s.id) ?? [];
        list.push(this.subscriptions.item(s, presence));
        perSub.set(s.id, list);
      }
    }
    await Promise.all(
      [...perSub].map(async ([subId, items]) => {
        const s = this.subscriptions.byId.get(subId);
        if (!s) return;
        const payload: Record<string, unknown> = { value: items };
        if (s.publicKey) payload.validationTokens = [await this.identity.validationToken(s.appId, this.#now())];
        await this.deliver(s.notificationUrl, payload);
      }),
    );
  }

  /** Sends (or drops, holds, duplicates, as scripted) one notification collection. */
  async deliver(url: string, payload: unknown): Promise<void> {
    if (this.#drop) {
      this.counters.notificationsDropped++;
      return;
    }
    if (this.#held) {
      this.#held.push({ url, payload });
      return;
    }
    const times = this.#duplicate ? 2 : 1;
    for (let i = 0; i < times; i++) {
      this.counters.notificationsSent++;
      await this.subscriptions.post(url, payload);
    }
  }

  /** Scripting: drop every notification until called with false (missed notifications). */
  dropNotifications(on: boolean): void {
    this.#drop = on;
  }
  /** Scripting: deliver every notification twice (Graph retries). */
  duplicateNotifications(on: boolean): void {
    this.#duplicate = on;
  }
  /** Scripting: hold notifications until {@link releaseNotifications}. */
  holdNotifications(): void {
    this.#held = [];
  }
  /** Scripting: deliver held notifications, newest first when `reverse` (out of order). */
  async releaseNotifications(reverse = false): Promise<void> {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const h of reverse ? held.reverse() : held) await this.deliver(h.url, h.payload);
  }
  /** Scripting: Graph answers 503 to every Graph call while on. */
  setOutage(on: boolean): void {
    this.#outage = on;
  }
  /** Scripting: the next `calls` Graph calls get 429 with `Retry-After: retryAfterSeconds` (fractional allowed). */
  throttleNext(calls: number, retryAfterSeconds: number): void {
    this.#stormLeft = calls;
    this.#stormRetryAfterS = retryAfterSeconds;
  }
  /** Scripting: delete a subscription silently (as Graph does when it is not renewed or lost). */
  dropSubscription(id: string): boolean {
    return this.subscriptions.byId.delete(id);
  }
  /** Scripting: send a lifecycle notification (e.g. `reauthorizationRequired`). */
  sendLifecycle(subscriptionId: string, lifecycleEvent = 'reauthorizationRequired'): Promise<number> {
    return this.subscriptions.lifecycle(subscriptionId, lifecycleEvent);
  }

  /** Stops the server. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** Routes one request. */
  async handle(
    req: IncomingMessage,
    body: string,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' && /\/discovery\/(v2\.0\/)?keys$/.test(path))
      return { status: 200, body: await this.identity.jwks() };
    const idp = /^\/([^/]+)\/(oauth2\/v2\.0\/(token|devicecode)|v2\.0\/\.well-known\/openid-configuration)$/.exec(path);
    if (idp) {
      const form = new URLSearchParams(body);
      if (idp[3] === 'token') return this.identity.token(form, this.baseUrl);
      if (idp[3] === 'devicecode')
        return { status: 200, body: this.identity.deviceCode(form.get('client_id') ?? '', this.baseUrl) };
      const tenant = idp[1] ?? '';
      const known =
        tenant.toLowerCase() === this.identity.tenantId.toLowerCase() || this.#domains.has(tenant.toLowerCase());
      // The identity platform also serves the multi-tenant names; anything else is an unknown tenant.
      if (!known && !['common', 'organizations', 'consumers'].includes(tenant))
        return {
          status: 400,
          body: {
            error: 'invalid_tenant',
            error_description: `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
          },
        };
      const base = `${this.baseUrl}/${tenant}`;
      return {
        status: 200,
        body: {
          issuer: `${this.baseUrl}/${known ? this.identity.tenantId : '{tenantid}'}/v2.0`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
        },
      };
    }
    if (!path.startsWith('/v1.0/'))
      return { status: 404, body: { error: { code: 'NotFound', message: 'No such route.' } } };
    const reply = await this.#graph(method, path.slice(5), url.searchParams, body, req.headers.authorization);
    this.log.push({ method, path: path.slice(5), status: reply.status, at: this.#now() });
    if (this.log.length > 10_000) this.log.splice(0, 1000);
    return reply;
  }

  async #graph(method: string, path: string, query: URLSearchParams, raw: string, auth: string | undefined) {
    if (this.#outage)
      return { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'Emulated outage.' } } };
    if (this.#stormLeft > 0) {
      this.#stormLeft--;
      this.counters.throttled++;
      return too(this.#stormRetryAfterS);
    }
    const principal = this.identity.principal(auth);
    if (!principal)
      return {
        status: 401,
        body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } },
      };
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return { status: 400, body: { error: { code: 'BadRequest', message: 'Invalid JSON.' } } };
    }
    const action = PRESENCE_ACTION.exec(path);
    if (action)
      return this.#presenceCall(method, decodeURIComponent(action[1] ?? action[2] ?? ''), action[3], body, principal);
    const directoryReply = this.directory.handle({
      method,
      path,
      query,
      body,
      graphBaseUrl: this.graphBaseUrl,
    });
    if (directoryReply) return directoryReply;
    if (method === 'POST' && path === '/communications/getPresencesByUserId') {
      const denied = principal.kind === 'app' ? this.directory.refusal('Presence.Read.All') : undefined;
      if (denied) return denied;
      const throttled = this.#takeQuota();
      if (throttled) return throttled;
      const ids = Array.isArray(body.ids) ? (body.ids as unknown[]).map(String) : [];
      if (ids.length === 0 || ids.length > 650)
        return {
          status: 400,
          body: { error: { code: 'BadRequest', message: 'Between 1 and 650 ids are supported per request.' } },
        };
      await this.#notifyChanged(ids);
      if (this.#latencyMs > 0) await new Promise((r) => setTimeout(r, this.#latencyMs));
      for (const id of ids) this.#polls.set(id, (this.#polls.get(id) ?? 0) + 1);
      const value = ids.map(
        (id) =>
          this.presenceOf(id) ?? {
            id,
            availability: 'PresenceUnknown',
            activity: 'PresenceUnknown',
            sequenceNumber: '0',
          },
      );
      return { status: 200, body: { value } };
    }
    const sub = /^\/subscriptions(?:\/([^/]+))?(\/reauthorize)?$/.exec(path);
    if (sub) {
      const [, id, reauth] = sub;
      if (method === 'POST' && !id) return this.subscriptions.create(principal, body);
      if (method === 'PATCH' && id) return this.subscriptions.renew(principal, id, body);
      if (method === 'DELETE' && id) return this.subscriptions.remove(principal, id);
      if (method === 'POST' && id && reauth) return this.subscriptions.reauthorize(principal, id);
    }
    return { status: 404, body: { error: { code: 'NotFound', message: 'No such route.' } } };
  }

  /** One presence-quota slot: undefined when taken, else the 429 to answer (nothing recorded). */
  #takeQuota() {
    const wait = this.#quota.take(this.#now());
    if (wait > 0) {
      this.counters.throttled++;
      return too(wait / 1000);
    }
    this.counters.presenceCalls++;
    return undefined;
  }

  /** A user's presence read, or one of the presence actions; all count against the presence quota. */
  async #presenceCall(
    method: string,
    userId: string,
    verb: string | undefined,
    body: Record<string, unknown>,
    principal: Principal,
  ) {
    if (verb === undefined ? method !== 'GET' : method !== 'POST')
      return { status: 405, body: { error: { code: 'MethodNotAllowed', message: 'Method not allowed.' } } };
    const needs = verb === undefined ? 'Presence.Read.All' : 'Presence.ReadWrite.All';
    const denied = principal.kind === 'app' ? this.directory.refusal(needs) : undefined;
    if (denied) return denied;
    const throttled = this.#takeQuota();
    if (throttled) return throttled;
    if (verb === undefined) {
      const p = this.presenceOf(userId);
      return p
        ? { status: 200, body: p }
        : { status: 404, body: { error: { code: 'NotFound', message: 'No such user.' } } };
    }
    this.counters.presenceWrites++;
    const reply =
      verb === 'setPresence'
        ? this.sessions.setPresence(userId, principal.clientId, body)
        : verb === 'clearPresence'
          ? this.sessions.clearPresence(userId, principal.clientId, body)
          : verb === 'setUserPreferredPresence'
            ? this.sessions.setPreferred(userId, body)
            : verb === 'clearUserPreferredPresence'
              ? this.sessions.clearPreferred(userId)
              : this.sessions.setStatusMessage(userId, body);
    if (reply.status < 300) await this.#notifyChanged([userId]);
    return reply;
  }
}

function statusView(s: StatusMessage) {
  // Graph leaves out expiryDateTime and publishedDateTime when one reads another user's presence.
  return { message: { content: s.message.content, contentType: s.message.contentType } };
}

function too(retryAfterSeconds: number) {
  return {
    status: 429,
    headers: { 'retry-after': String(Math.round(retryAfterSeconds * 1000) / 1000) },
    body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
  };
}

function seqString(n: number): string {
  return String(n).padStart(12, '0');
}

/** Starts an emulator on 127.0.0.1. */
export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const server = createServer();
  const emulator = new GraphEmulator(server, options);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      emulator
        .handle(req, Buffer.concat(chunks).toString('utf8'))
        .then((reply) => {
          const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
          res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
          res.end(text);
        })
        .catch((err: unknown) => {
          console.error('graph emulator: request failed', err);
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"error":{"code":"InternalServerError","message":"Emulator failure."}}');
        });
    });
  });
  // Graph's signing keys exist before anyone subscribes: generate the emulator's now, not on the first notification.
  await emulator.identity.jwks();
  // A port in use rejects (EADDRINUSE) instead of crashing the process.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return emulator;
}
