/**
 * The subscription manager: shards tracked users over subscriber accounts (≤ 650 users per subscription, one
 * presence subscription per account and app), creates rich subscriptions, renews them well before their 60-minute
 * expiry, recreates one that is gone (PATCH 404), and answers `reauthorizationRequired` by reauthorizing.
 * Users of a lost or failing shard are reported unhealthy, so the poller polls them at the fast rate.
 *
 * One process holds every shard ({@link SubscriptionManager.assign}). Replicas each hold some
 * ({@link SubscriptionManager.hold}, {@link SubscriptionManager.release}): a replica that takes a shard over adopts
 * the subscription its previous holder stored (renewing it, so a subscription that is gone is recreated), and any
 * replica accepts notifications of any stored subscription (its clientState is read from the store).
 */

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../ports/clock.js';
import type { SubscriptionRecord, SubscriptionStore } from '../../ports/presence/subscription-store.js';
import type { TokenSource } from './app-token.js';
import type { GraphClient, QuotaDraw } from './graph-client.js';
import { GraphApiError } from './graph-errors.js';
import type { LifecycleItem } from './notification-endpoint.js';

/** Schema of {@link SubscriptionManagerOptions}. */
export const subscriptionManagerOptionsSchema = z.object({
  /** Subscriber accounts (UPNs), signed in beforehand with the device code flow. */
  accounts: z.array(z.string().min(1)),
  /** Public HTTPS URL of the notification route. */
  notificationUrl: z.url(),
  /** Public HTTPS URL of the lifecycle route. */
  lifecycleNotificationUrl: z.url(),
  /** Base64 DER X.509 certificate (public key) Graph encrypts resource data with. */
  encryptionCertificate: z.string().min(1),
  /** Our label of that certificate (≤ 128 chars). */
  encryptionCertificateId: z.string().min(1).max(128),
  /** Requested lifetime, ms; Graph allows at most 60 minutes for presence. Default 60 minutes. */
  lifetimeMs: z.number().int().positive().max(3_600_000).default(3_600_000),
  /** Renew when less than this remains, ms. Default 20 minutes. */
  renewBeforeMs: z.number().int().positive().default(1_200_000),
  /** Users per subscription; Graph allows at most 650. Default 650. */
  usersPerSubscription: z.number().int().min(1).max(650).default(650),
});

/** Options of the subscription manager. */
export type SubscriptionManagerOptions = z.input<typeof subscriptionManagerOptionsSchema>;

/** What the manager needs. */
export interface SubscriptionManagerDeps {
  readonly client: GraphClient;
  /** Delegated token source per subscriber account (see `DelegatedTokens.tokenSource`). */
  readonly tokensFor: (account: string) => TokenSource;
  readonly store: SubscriptionStore;
  readonly clock: Clock;
  /**
   * Called with users to poll at once: those of a shard that lost its subscription, and those of a subscription Graph
   * says missed notifications (`missed`) or paused delivery (`reauthorizationRequired`: nothing is sent until it is
   * reauthorized).
   */
  readonly pollNow?: (userIds: readonly string[]) => void;
  /** Warns of too few subscriber accounts and of failing subscriptions (account and error name; never a token). */
  readonly logger: Logger;
  /** The presence quota's budget these calls draw from (shared with the poller and presence writes). */
  readonly quota?: QuotaDraw | undefined;
}

interface Shard {
  readonly account: string;
  readonly userIds: readonly string[];
  record: SubscriptionRecord | undefined;
  healthy: boolean;
  held: boolean;
}

/** How the held subscriptions stand (for `/metrics`). */
export interface SubscriptionHealth {
  /** Live, and their notifications are accepted. */
  readonly healthy: number;
  /** Live, but every notification has been refused lately (validation tokens that do not verify). */
  readonly refused: number;
  /** Missing, expired or failing: their users are polled fast. */
  readonly failing: number;
}

/** Collections in a row whose validation tokens are refused before a subscription counts as refused. */
export const REFUSED_IN_A_ROW = 3;

/** How long an unknown subscription id is remembered as unknown (forged ids do not each cost a read). */
const UNKNOWN_FOR_MS = 10_000;

/** Keeps presence subscriptions alive for the tracked users. */
export class SubscriptionManager {
  readonly #o: z.output<typeof subscriptionManagerOptionsSchema>;
  readonly #d: SubscriptionManagerDeps;
  #shards: Shard[] = [];
  readonly #shardOf = new Map<string, Shard>();
  readonly #byId = new Map<string, Shard>();
  /** Collections refused in a row, per subscription id (reset by one accepted). */
  readonly #refusedInARow = new Map<string, number>();
  /** Subscriptions held by other replicas, as read from the store: clientState and expiry. */
  readonly #others = new Map<string, { clientState: string; expiresAt: number } | { unknownUntil: number }>();

  constructor(options: SubscriptionManagerOptions, deps: SubscriptionManagerDeps) {
    this.#o = subscriptionManagerOptionsSchema.parse(options);
    this.#d = deps;
  }

  /** Whether a user is covered by a live subscription (the poller polls them slowly then). */
  isSubscribed(userId: string): boolean {
    const s = this.#shardOf.get(userId);
    if (!s?.healthy || !s.record || s.record.refusedSince != null) return false;
    return s.record.expiresAt > this.#d.clock.now();
  }

  /**
   * Takes note of what became of a collection of notifications of these subscriptions: accepted (its validation
   * tokens verified) or refused. After {@link REFUSED_IN_A_ROW} refused collections in a row and none accepted, a
   * subscription counts as refused: it is recorded (the doctor and every replica see it), logged, and its users are
   * polled (at once, and fast while it lasts). One accepted collection makes it healthy again.
   */
  noteVerdict(subscriptionIds: readonly string[], accepted: boolean): void {
    for (const id of new Set(subscriptionIds)) {
      const shard = this.#byId.get(id);
      if (accepted) {
        this.#refusedInARow.delete(id);
        if (shard?.record?.refusedSince == null) continue;
        shard.record = { ...shard.record, refusedSince: null };
        this.#persistRefused(id, null);
        this.#d.logger.info({ account: shard.account }, 'presence subscription notifications accepted again');
        continue;
      }
      const n = (this.#refusedInARow.get(id) ?? 0) + 1;
      if (this.#refusedInARow.size > 10_000) this.#refusedInARow.clear();
      this.#refusedInARow.set(id, n);
      if (n !== REFUSED_IN_A_ROW) continue;
      const since = this.#d.clock.now();
      this.#persistRefused(id, since);
      if (!shard?.record || shard.record.refusedSince != null) continue;
      shard.record = { ...shard.record, refusedSince: since };
      this.#d.logger.warn(
        { account: shard.account, users: shard.userIds.length },
        'every notification of this presence subscription is refused (validation tokens do not verify: check presence.tenantId, presence.clientId and the clock); its users are polled',
      );
      this.#d.pollNow?.(shard.userIds);
    }
  }

  /** How the held subscriptions stand. */
  health(): SubscriptionHealth {
    let healthy = 0;
    let refused = 0;
    let failing = 0;
    const now = this.#d.clock.now();
    for (const s of this.#shards) {
      if (!s.held) continue;
      if (!s.healthy || !s.record || s.record.expiresAt <= now) failing++;
      else if (s.record.refusedSince != null) refused++;
      else healthy++;
    }
    return { healthy, refused, failing };
  }

  #persistRefused(id: string, since: number | null): void {
    this.#d.store
      .markRefused(id, since)
      .catch((err: unknown) => this.#d.logger.warn({ err: String(err) }, 'could not record a subscription’s refusals'));
  }

  /**
   * The clientState of a subscription (for the notification endpoint): one held here, else one another replica
   * stored (read once, kept until it expires); undefined when no one holds it.
   */
  clientStateOf(subscriptionId: string): string | undefined | Promise<string | undefined> {
    const held = this.#byId.get(subscriptionId)?.record?.clientState;
    if (held !== undefined) return held;
    const now = this.#d.clock.now();
    const known = this.#others.get(subscriptionId);
    if (known && 'clientState' in known && known.expiresAt > now) return known.clientState;
    if (known && 'unknownUntil' in known && known.unknownUntil > now) return undefined;
    return this.#d.store.get(subscriptionId).then((r) => {
      if (this.#others.size > 10_000) this.#others.clear();
      const now = this.#d.clock.now();
      const live = r && r.expiresAt > now;
      this.#others.set(
        subscriptionId,
        live ? { clientState: r.clientState, expiresAt: r.expiresAt } : { unknownUntil: now + UNKNOWN_FOR_MS },
      );
      return live ? r.clientState : undefined;
    });
  }

  /** Whether this replica holds the subscription (and so answers its lifecycle notifications). */
  holds(subscriptionId: string): boolean {
    return this.#byId.has(subscriptionId);
  }

  /** Current subscription records. */
  subscriptions(): SubscriptionRecord[] {
    return this.#shards.flatMap((s) => (s.record ? [s.record] : []));
  }

  /**
   * Shards `userIds` over the accounts (users beyond accounts × 650 stay unsubscribed and are polled fast), reuses
   * stored subscriptions that still match, and creates or renews the rest: this process holds every shard.
   */
  async assign(userIds: readonly string[]): Promise<void> {
    this.plan(userIds);
    await Promise.all(this.#shards.map((_, n) => this.hold(n)));
  }

  /**
   * Shards `userIds` over the accounts, in sorted order (the same on every replica), holding none of them yet.
   * Shard n covers sorted users n × `usersPerSubscription` onwards, with account n.
   */
  plan(userIds: readonly string[]): void {
    const sorted = [...new Set(userIds)].sort();
    const size = this.#o.usersPerSubscription;
    const shards: Shard[] = [];
    for (let i = 0; i < this.#o.accounts.length && i * size < sorted.length; i++)
      shards.push({
        account: this.#o.accounts[i] ?? '',
        userIds: sorted.slice(i * size, (i + 1) * size),
        record: undefined,
        healthy: false,
        held: false,
      });
    if (sorted.length > shards.length * size) {
      this.#d.logger.warn(
        { users: sorted.length, covered: shards.length * size },
        'not enough subscriber accounts: some users are polled only',
      );
    }
    this.#shards = shards;
    this.#index();
  }

  /** The number of subscription shards planned (one per account in use). */
  get shardCount(): number {
    return this.#shards.length;
  }

  /**
   * Takes shard `n` on: adopts the subscription stored for its account when it covers the same users (renewing it:
   * one that is gone is recreated), replaces one that covers others, or creates one.
   */
  async hold(n: number): Promise<void> {
    const s = this.#shards[n];
    if (!s || s.held) return;
    s.held = true;
    try {
      const stored = (await this.#d.store.list()).find((r) => r.account === s.account);
      const same =
        stored && stored.userIds.length === s.userIds.length && stored.userIds.every((u, k) => u === s.userIds[k]);
      const live = same && stored.expiresAt > this.#d.clock.now();
      if (stored && !live) await this.#delete(s.account, stored);
      if (!s.held) return;
      s.record = live ? stored : undefined;
      s.healthy = s.record !== undefined;
      this.#index();
      if (s.record) await this.#renew(s);
      else await this.#create(s);
    } catch (err) {
      this.#lost(s, err);
    }
    this.#index();
  }

  /** Stops keeping shard `n` (another replica took it over): its subscription stays in Graph for the next holder. */
  release(n: number): void {
    const s = this.#shards[n];
    if (!s) return;
    s.held = false;
    s.record = undefined;
    s.healthy = false;
    this.#index();
  }

  #index(): void {
    this.#shardOf.clear();
    this.#byId.clear();
    for (const s of this.#shards) {
      if (!s.held) continue;
      for (const u of s.userIds) this.#shardOf.set(u, s);
      if (s.record) this.#byId.set(s.record.id, s);
    }
  }

  #maintenance: NodeJS.Timeout | undefined;

  /** Runs {@link maintain} every `everyMs` until {@link stopMaintenance}; a failed round is logged. */
  startMaintenance(everyMs: number): void {
    this.stopMaintenance();
    this.#maintenance = setInterval(() => {
      this.maintain().catch((err: unknown) =>
        this.#d.logger.warn({ err: String(err) }, 'subscription maintenance failed'),
      );
    }, everyMs);
    this.#maintenance.unref();
  }

  /** Stops the periodic maintenance. */
  stopMaintenance(): void {
    if (this.#maintenance) clearInterval(this.#maintenance);
    this.#maintenance = undefined;
  }

  /**
   * Creates the held shards' missing subscriptions and renews those expiring within `renewBeforeMs`. Call it every
   * minute or so (or let {@link startMaintenance} do it).
   */
  async maintain(): Promise<void> {
    await Promise.all(
      this.#shards.map(async (s) => {
        if (!s.held) return;
        try {
          if (!s.record || s.record.expiresAt <= this.#d.clock.now()) await this.#create(s);
          else if (s.record.expiresAt - this.#d.clock.now() < this.#o.renewBeforeMs) await this.#renew(s);
        } catch (err) {
          this.#lost(s, err);
        }
      }),
    );
    this.#index();
  }

  /**
   * Answers a lifecycle notification of a held subscription: `reauthorizationRequired` → reauthorize, anything else
   * → renew (recreate if gone). After `missed`, and after `reauthorizationRequired` (delivery was paused), the
   * subscription's users are polled at once. Returns false when this replica does not hold the subscription.
   */
  async handleLifecycle(item: Pick<LifecycleItem, 'subscriptionId' | 'lifecycleEvent'>): Promise<boolean> {
    const s = this.#byId.get(item.subscriptionId);
    if (!s?.record) return false;
    if (item.lifecycleEvent === 'missed' || item.lifecycleEvent === 'reauthorizationRequired')
      this.#d.pollNow?.(s.userIds);
    try {
      if (item.lifecycleEvent === 'reauthorizationRequired') {
        await this.#d.client.request(
          'POST',
          `/subscriptions/${s.record.id}/reauthorize`,
          {},
          this.#d.tokensFor(s.account),
          { quota: this.#d.quota },
        );
      } else {
        await this.#renew(s);
      }
    } catch (err) {
      if (err instanceof GraphApiError && err.status === 404) await this.#recreate(s).catch((e) => this.#lost(s, e));
      else this.#lost(s, err);
    }
    this.#index();
    return true;
  }

  async #create(s: Shard): Promise<void> {
    const clientState = randomBytes(24).toString('base64url');
    const expiresAt = this.#d.clock.now() + this.#o.lifetimeMs - 60_000;
    const filter = s.userIds.map((u) => `'${u}'`).join(',');
    const created = await this.#d.client.request<{ id: string; expirationDateTime: string }>(
      'POST',
      '/subscriptions',
      {
        changeType: 'updated',
        resource: `/communications/presences?$filter=id in (${filter})`,
        notificationUrl: this.#o.notificationUrl,
        lifecycleNotificationUrl: this.#o.lifecycleNotificationUrl,
        clientState,
        expirationDateTime: new Date(expiresAt).toISOString(),
        includeResourceData: true,
        encryptionCertificate: this.#o.encryptionCertificate,
        encryptionCertificateId: this.#o.encryptionCertificateId,
      },
      this.#d.tokensFor(s.account),
      { quota: this.#d.quota },
    );
    const record = {
      id: created.id,
      account: s.account,
      userIds: s.userIds,
      clientState,
      expiresAt: Date.parse(created.expirationDateTime) || expiresAt,
    };
    // Stored even when the shard was handed over meanwhile: its next holder adopts it.
    await this.#d.store.put(record);
    if (!s.held) return;
    s.record = record;
    s.healthy = true;
  }

  async #renew(s: Shard): Promise<void> {
    const current = s.record;
    if (!current) return this.#create(s);
    const expiresAt = this.#d.clock.now() + this.#o.lifetimeMs - 60_000;
    try {
      await this.#d.client.request(
        'PATCH',
        `/subscriptions/${current.id}`,
        { expirationDateTime: new Date(expiresAt).toISOString() },
        this.#d.tokensFor(s.account),
        { quota: this.#d.quota },
      );
    } catch (err) {
      if (err instanceof GraphApiError && err.status === 404) return this.#recreate(s);
      throw err;
    }
    const record = { ...current, expiresAt };
    await this.#d.store.put(record);
    if (!s.held) return;
    s.record = record;
    s.healthy = true;
  }

  /** The subscription is gone: its users are polled at once to fill the gap, then it is created again. */
  async #recreate(s: Shard): Promise<void> {
    const old = s.record;
    s.record = undefined;
    s.healthy = false;
    if (old) await this.#d.store.delete(old.id);
    this.#d.pollNow?.(s.userIds);
    await this.#create(s);
  }

  #lost(s: Shard, err: unknown): void {
    const wasHealthy = s.healthy;
    s.healthy = false;
    this.#d.logger.warn(
      { account: s.account, error: (err as Error).name },
      'presence subscription failing; its users are polled',
    );
    if (wasHealthy) this.#d.pollNow?.(s.userIds);
  }

  async #delete(account: string, r: SubscriptionRecord): Promise<void> {
    await this.#d.store.delete(r.id);
    try {
      await this.#d.client.request('DELETE', `/subscriptions/${r.id}`, undefined, this.#d.tokensFor(account), {
        quota: this.#d.quota,
      });
    } catch (err) {
      if (!(err instanceof GraphApiError && err.status === 404))
        this.#d.logger.warn({ account, error: (err as Error).name }, 'could not delete a presence subscription');
    }
  }
}
