/**
 * The presence feature: the presence tracker and its shards, fed by the poller and, when subscriber accounts are
 * configured, by change notifications (subscriptions, the notification endpoint at `/api/graph`, the processor and
 * its decryption processes). Every state change is recorded (time in state, for reporting) and published to the
 * subscribers of {@link Presence.onStateChange}, in order. The rules file is reloaded when it changes.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet } from 'jose';
import { DecryptionProcesses } from '../adapters/graph/decryption-process.js';
import { DelegatedTokens } from '../adapters/graph/delegated-tokens.js';
import type { GraphClient } from '../adapters/graph/graph-client.js';
import { type BacklogState, NotificationBacklog } from '../adapters/graph/notification-backlog.js';
import { createNotificationRouter, graphNotificationsMount } from '../adapters/graph/notification-endpoint.js';
import { NotificationProcessor, type ProcessorStats } from '../adapters/graph/notification-processor.js';
import type { LoadedPresenceOptions } from '../adapters/graph/presence-options.js';
import { PresencePoller } from '../adapters/graph/presence-poller.js';
import { quotaPriority } from '../adapters/graph/quota-budget.js';
import { SubscriptionManager } from '../adapters/graph/subscription-manager.js';
import {
  SqlPresenceHistoryStore,
  SqlSubscriptionStore,
  SqlTokenCacheStore,
} from '../adapters/store/sql-presence-stores.js';
import { watchRulesFile } from '../config/presence-rules-watch.js';
import { planShards } from '../domain/presence/presence-shards.js';
import { PresenceTracker } from '../domain/presence/presence-tracker.js';
import { toRoutingState } from '../domain/presence/routing-state.js';
import type { AgentStateView } from '../domain/routing/agent-state.js';
import { MemoryNotificationInbox } from '../ports/presence/notification-inbox.js';
import { PresenceRecorder, type StateChangeListener } from '../services/presence-recorder.js';
import { PresenceShardHolder } from '../services/presence-shard-holder.js';
import { ShardPublication } from '../services/shard-publication.js';
import type { Feature, Infrastructure } from './feature.js';
import type { GraphAccess } from './graph.js';
import type { ScaleOut } from './scale-out.js';

/** The built presence feature. */
export interface Presence extends Feature {
  /** Routing's view: the mapped state of a knowledge worker now (per routing point's rules). */
  readonly stateOf: AgentStateView;
  readonly tracker: PresenceTracker;
  readonly client: GraphClient;
  readonly history: SqlPresenceHistoryStore;
  readonly subscriptions: SubscriptionManager | null;
  readonly delegated: DelegatedTokens | null;
  readonly poller: PresencePoller;
  /** The shards this process holds (every one alone). */
  readonly shards: PresenceShardHolder;
  /** Subscribes to every recorded state change (the agent side publishes them). */
  onStateChange(listener: StateChangeListener): void;
  /** The notification processor's counters; undefined without subscriptions. */
  notificationStats(): ProcessorStats | undefined;
  /** Notification collections accepted and waiting to be processed. */
  inboxSize(): number;
  /** The notification backlog (items waiting or in flight, the oldest one's age) and what was shed to polling. */
  notificationBacklog(): BacklogState | undefined;
  /** Records the connector's own load: a knowledge worker at their session limit is Busy for routing. */
  setLoad(knowledgeWorkerId: string, activeSessions: number): void;
  /** Starts tracking more knowledge workers (new members of an Entra group). */
  track(knowledgeWorkerIds: Iterable<string>): void;
  /** Starts polling, subscriptions and notification processing, and watches the rules file. */
  start(): void;
  /** Stops everything; resolves when in-flight work has finished and every change is recorded. */
  stop(): Promise<void>;
}

/** What the presence feature is built from besides its settings. */
export interface PresenceParts {
  readonly graph: GraphAccess;
  /** The knowledge workers to track (the directory's ids). */
  readonly userIds: readonly string[];
  readonly scaleOut: ScaleOut | null;
}

/** Builds the presence feature (nothing runs until `start`) from its settings with the files they name read. */
export function createPresence(options: LoadedPresenceOptions, infra: Infrastructure, parts: PresenceParts): Presence {
  const { clock, database } = infra;
  const log = infra.logger.child({ part: 'presence' });
  const now = () => clock.now();
  const tracker = new PresenceTracker({
    rules: options.rules,
    staleAfterMs: options.staleAfterMs,
    defaultSessionLimit: options.defaultSessionLimit,
    // What the connector writes for experts in a session is its own, not their status (docs/presence.md).
    sessionPresence: options.write?.experts,
  });
  for (const id of parts.userIds) tracker.track(id, now());

  const history = new SqlPresenceHistoryStore(database);
  const recorder = new PresenceRecorder(history, log);
  const coordination = parts.scaleOut?.coordinatePresence() ?? null;
  const client = parts.graph.client;

  const s = options.subscriptions;
  const delegated = s
    ? new DelegatedTokens(
        {
          tenantId: options.tenantId,
          clientId: options.clientId,
          authorityBaseUrl: options.authorityBaseUrl,
          cacheKeyBase64: s.tokenCacheKey,
        },
        new SqlTokenCacheStore(database, clock),
      )
    : null;
  const base = s ? `${s.notificationBaseUrl}${graphNotificationsMount}` : '';
  const subscriptions =
    s && delegated
      ? new SubscriptionManager(
          {
            accounts: s.accounts,
            notificationUrl: `${base}/notifications`,
            lifecycleNotificationUrl: `${base}/lifecycle`,
            encryptionCertificate: s.certificateBase64,
            encryptionCertificateId: s.certificateId,
            renewBeforeMs: s.renewBeforeMs,
            usersPerSubscription: options.usersPerShard,
          },
          {
            client,
            tokensFor: (account) => delegated.tokenSource(account),
            store: new SqlSubscriptionStore(database),
            clock,
            pollNow: (ids) => {
              for (const id of ids) poller.markDue(id);
            },
            logger: log,
            quota: {
              budget: parts.graph.presenceQuota,
              caller: 'presence-subscriptions',
              priority: quotaPriority.interactive,
            },
          },
        )
      : null;

  const holder = new PresenceShardHolder({
    shards: planShards(parts.userIds, options.usersPerShard),
    tracker,
    clock,
    coordination,
    publication: coordination
      ? new ShardPublication({ snapshotsOf: (ids) => history.snapshotsOf(ids), tracker })
      : null,
    subscriptions,
    markDue: (ids) => {
      for (const id of ids) poller.markDue(id);
    },
    publish: (changes) => recorder.record(changes),
    logger: log,
  });

  const poller = new PresencePoller(
    { fastIntervalMs: options.poll.fastIntervalMs, slowIntervalMs: options.poll.slowIntervalMs },
    {
      client,
      tracker,
      clock,
      onChanges: holder.onChanges,
      onObserved: holder.onObserved,
      users: () => holder.users(),
      isSubscribed: (u) => subscriptions?.isSubscribed(u) ?? false,
      budget: parts.graph.presenceQuota,
      onError: (err) => log.warn({ err: String(err) }, 'a presence poll call failed; those users go stale if it lasts'),
    },
  );

  // Change notifications: the endpoint queues them in the inbox (or sheds the backlog to polling beyond
  // `maxBacklog`); the processor decrypts (in child processes) and applies them in arrival order.
  const inbox = new MemoryNotificationInbox();
  let processor: NotificationProcessor | null = null;
  let backlog: NotificationBacklog | null = null;
  let decryption: DecryptionProcesses | null = null;
  const mounts: { path: string; router: ReturnType<typeof createNotificationRouter> }[] = [];
  if (s && subscriptions) {
    const manager = subscriptions;
    const privateKeys = new Map<string, KeyObject>([[s.certificateId, createPrivateKey(s.privateKeyPem)]]);
    decryption =
      s.decryptionProcesses > 0
        ? new DecryptionProcesses(privateKeys, { size: s.decryptionProcesses }, { logger: log })
        : null;
    const processes = decryption;
    backlog = new NotificationBacklog(
      { maxItems: s.maxBacklog },
      {
        inbox,
        inFlight: () => processor?.inFlight() ?? { items: 0, oldestReceivedAt: undefined },
        pollNow: (ids, subscriptionIds) => {
          // Users of shards held here are polled here; a subscription held by another replica is handed to it as
          // Graph's `missed` would be (its holder polls its users at once).
          for (const id of ids) poller.markDue(id);
          for (const subscriptionId of subscriptionIds)
            if (!manager.holds(subscriptionId))
              holder
                .lifecycle({ subscriptionId, lifecycleEvent: 'missed' })
                .catch((err: unknown) => log.warn({ err: String(err) }, 'could not hand shed notifications on'));
        },
        clock,
        logger: log,
      },
    );
    mounts.push({
      path: graphNotificationsMount,
      router: createNotificationRouter(
        {},
        {
          inbox: backlog,
          clientStateOf: (id) => manager.clientStateOf(id),
          onLifecycle: (item) => {
            holder
              .lifecycle(item)
              .catch((err: unknown) => log.warn({ err: String(err) }, 'lifecycle notification failed'));
          },
          clock,
          logger: log,
        },
      ),
    });
    processor = new NotificationProcessor(
      { appId: options.clientId, tenantId: parts.graph.tenantId, privateKeys },
      {
        inbox,
        tracker,
        jwks: createRemoteJWKSet(new URL(options.jwksUrl)),
        clock,
        onChanges: holder.onChanges,
        onObserved: holder.onObserved,
        onVerdict: (ids, accepted) => manager.noteVerdict(ids, accepted),
        onBasic: (ids) => {
          for (const id of ids) poller.markDue(id);
        },
        logger: log,
        decrypt: processes ? (items) => processes.decrypt(items) : undefined,
      },
    );
  }

  let stopWatching: (() => void) | null = null;
  return {
    name: 'presence',
    mounts,
    stateOf: (id, routingPointId) => toRoutingState(tracker.stateFor(id, now(), routingPointId)),
    tracker,
    client,
    history,
    subscriptions,
    delegated,
    poller,
    shards: holder,
    onStateChange: (listener) => recorder.onStateChange(listener),
    notificationStats: () => processor?.stats,
    inboxSize: () => inbox.size(),
    notificationBacklog: () => backlog?.state(),
    setLoad: (id, activeSessions) => holder.setLoad(id, activeSessions),
    track: (ids) => holder.track(ids),
    start() {
      // Shards first (alone: all of them, subscriptions created or renewed), then the poll loop over their users.
      holder.start();
      poller.start();
      if (options.rulesFile)
        stopWatching = watchRulesFile({
          path: options.rulesFile,
          onRules: (rules) => holder.setRules(rules),
          logger: log,
        });
      if (subscriptions && processor) {
        processor.start();
        subscriptions.startMaintenance(options.subscriptions?.maintainEveryMs ?? 60_000);
      }
      log.info(
        {
          users: tracker.size,
          notifications: subscriptions !== null,
          fastIntervalMs: options.poll.fastIntervalMs,
          sharedWithReplicas: coordination !== null,
        },
        'presence engine started',
      );
    },
    async stop() {
      subscriptions?.stopMaintenance();
      stopWatching?.();
      await holder.stop();
      await poller.stop();
      parts.graph.presenceQuota.close();
      await processor?.stop();
      await decryption?.close();
      await recorder.settled();
    },
  };
}
