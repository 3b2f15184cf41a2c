/**
 * The subscription manager: shards tracked users over subscriber accounts (≤ 650 users per subscription, one
 * presence subscription per account and app), creates rich subscriptions, renews them well before their 60-minute
 * expiry, recreates one that is gone (PATCH 404), and answers `reauthorizationRequired` by reauthorizing.
 * Users of a lost or failing shard are reported unhealthy, so the poller polls them at the fast rate.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { SubscriptionRecord, SubscriptionStore } from '../../ports/presence/subscription-store.js';
import type { TokenSource } from './app-token.js';
import type { GraphClient } from './graph-client.js';
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
  readonly clock: () => number;
  /** Called with the users of a shard that lost its subscription (poll them now). */
  readonly onShardLost?: (userIds: readonly string[]) => void;
  readonly warn: (message: string, detail: Record<string, unknown>) => void;
}

interface Shard {
  readonly account: string;
  readonly userIds: readonly string[];
  record: SubscriptionRecord | undefined;
  healthy: boolean;
}

/** Keeps presence subscriptions alive for the tracked users. */
export class SubscriptionManager {
  readonly #o: z.output<typeof subscriptionManagerOptionsSchema>;
  readonly #d: SubscriptionManagerDeps;
  #shards: Shard[] = [];
  readonly #shardOf = new Map<string, Shard>();
  readonly #byId = new Map<string, Shard>();

  constructor(options: SubscriptionManagerOptions, deps: SubscriptionManagerDeps) {
    this.#o = subscriptionManagerOptionsSchema.parse(options);
    this.#d = deps;
  }

  /** Whether a user is covered by a live subscription (the poller polls them slowly then). */
  isSubscribed(userId: string): boolean {
    const s = this.#shardOf.get(userId);
    if (!s?.healthy || !s.record) return false;
    return s.record.expiresAt > this.#d.clock();
  }

  /** The clientState of a subscription we hold (for the notification endpoint). */
  clientStateOf(subscriptionId: string): string | undefined {
    return this.#byId.get(subscriptionId)?.record?.clientState;
  }

  /** Current subscription records. */
  subscriptions(): SubscriptionRecord[] {
    return this.#shards.flatMap((s) => (s.record ? [s.record] : []));
  }

  /**
   * Shards `userIds` over the accounts (users beyond accounts × 650 stay unsubscribed and are polled fast), reuses
   * stored subscriptions that still match, and creates or renews the rest.
   */
  async assign(userIds: readonly string[]): Promise<void> {
    const sorted = [...userIds].sort();
    const stored = await this.#d.store.list();
    const shards: Shard[] = [];
    for (let i = 0; i < this.#o.accounts.length && i * this.#o.usersPerSubscription < sorted.length; i++) {
      const account = this.#o.accounts[i] ?? '';
      const ids = sorted.slice(i * this.#o.usersPerSubscription, (i + 1) * this.#o.usersPerSubscription);
      const prev = stored.find((r) => r.account === account);
      const same = prev && prev.userIds.length === ids.length && prev.userIds.every((u, k) => u === ids[k]);
      if (prev && !same) await this.#delete(account, prev);
      shards.push({ account, userIds: ids, record: same ? prev : undefined, healthy: !!same });
    }
    if (sorted.length > shards.length * this.#o.usersPerSubscription) {
      this.#d.warn('not enough subscriber accounts: some users are polled only', {
        users: sorted.length,
        covered: shards.length * this.#o.usersPerSubscription,
      });
    }
    this.#shards = shards;
    this.#index();
    await this.maintain();
  }

  #index(): void {
    this.#shardOf.clear();
    this.#byId.clear();
    for (const s of this.#shards) {
      for (const u of s.userIds) this.#shardOf.set(u, s);
      if (s.record) this.#byId.set(s.record.id, s);
    }
  }

  /** Creates missing subscriptions and renews those expiring within `renewBeforeMs`. Call it every minute or so. */
  async maintain(): Promise<void> {
    await Promise.all(
      this.#shards.map(async (s) => {
        try {
          if (!s.record || s.record.expiresAt <= this.#d.clock()) await this.#create(s);
          else if (s.record.expiresAt - this.#d.clock() < this.#o.renewBeforeMs) await this.#renew(s);
        } catch (err) {
          this.#lost(s, err);
        }
      }),
    );
    this.#index();
  }

  /** Answers a lifecycle notification: `reauthorizationRequired` → reauthorize (recreate if gone). */
  async handleLifecycle(item: LifecycleItem): Promise<void> {
    const s = this.#byId.get(item.subscriptionId);
    if (!s?.record) return;
    try {
      if (item.lifecycleEvent === 'reauthorizationRequired') {
        await this.#d.client.request(
          'POST',
          `/subscriptions/${s.record.id}/reauthorize`,
          {},
          this.#d.tokensFor(s.account),
        );
      } else {
        await this.#renew(s);
      }
    } catch (err) {
      if (err instanceof GraphApiError && err.status === 404) await this.#recreate(s);
      else this.#lost(s, err);
    }
    this.#index();
  }

  async #create(s: Shard): Promise<void> {
    const clientState = randomBytes(24).toString('base64url');
    const expiresAt = this.#d.clock() + this.#o.lifetimeMs - 60_000;
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
    );
    s.record = {
      id: created.id,
      account: s.account,
      userIds: s.userIds,
      clientState,
      expiresAt: Date.parse(created.expirationDateTime) || expiresAt,
    };
    s.healthy = true;
    await this.#d.store.put(s.record);
  }

  async #renew(s: Shard): Promise<void> {
    if (!s.record) return this.#create(s);
    const expiresAt = this.#d.clock() + this.#o.lifetimeMs - 60_000;
    try {
      await this.#d.client.request(
        'PATCH',
        `/subscriptions/${s.record.id}`,
        { expirationDateTime: new Date(expiresAt).toISOString() },
        this.#d.tokensFor(s.account),
      );
    } catch (err) {
      if (err instanceof GraphApiError && err.status === 404) return this.#recreate(s);
      throw err;
    }
    s.record = { ...s.record, expiresAt };
    s.healthy = true;
    await this.#d.store.put(s.record);
  }

  /** The subscription is gone: its users are polled at once to fill the gap, then it is created again. */
  async #recreate(s: Shard): Promise<void> {
    const old = s.record;
    s.record = undefined;
    s.healthy = false;
    if (old) await this.#d.store.delete(old.id);
    this.#d.onShardLost?.(s.userIds);
    await this.#create(s);
  }

  #lost(s: Shard, err: unknown): void {
    const wasHealthy = s.healthy;
    s.healthy = false;
    this.#d.warn('presence subscription failing; its users are polled', {
      account: s.account,
      error: (err as Error).name,
    });
    if (wasHealthy) this.#d.onShardLost?.(s.userIds);
  }

  async #delete(account: string, r: SubscriptionRecord): Promise<void> {
    await this.#d.store.delete(r.id);
    try {
      await this.#d.client.request('DELETE', `/subscriptions/${r.id}`, undefined, this.#d.tokensFor(account));
    } catch (err) {
      if (!(err instanceof GraphApiError && err.status === 404))
        this.#d.warn('could not delete a presence subscription', { account, error: (err as Error).name });
    }
  }
}
