/**
 * Builds the presence engine from its settings: the Graph client (app token, one throttle), the poller, and, when
 * subscriber accounts are configured, the subscriptions, the notification endpoint and the processor. Every state
 * change is recorded (time in state, for reporting) and published to the agent side, in order.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Router } from 'express';
import { createRemoteJWKSet } from 'jose';
import type { Logger } from 'pino';
import { createAppTokenSource } from './adapters/graph/app-token.js';
import { DecryptionProcesses } from './adapters/graph/decryption-process.js';
import { DelegatedTokens } from './adapters/graph/delegated-tokens.js';
import { GraphClient } from './adapters/graph/graph-client.js';
import { createNotificationRouter } from './adapters/graph/notification-endpoint.js';
import { NotificationProcessor, type ProcessorStats } from './adapters/graph/notification-processor.js';
import type { PresenceOptions } from './adapters/graph/presence-options.js';
import { PresencePoller } from './adapters/graph/presence-poller.js';
import { SubscriptionManager } from './adapters/graph/subscription-manager.js';
import type { OpenDatabase } from './adapters/store/open-database.js';
import {
  SqlPresenceHistoryStore,
  SqlSubscriptionStore,
  SqlTokenCacheStore,
} from './adapters/store/sql-presence-stores.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from './domain/presence/mapping-rules.js';
import { planShards } from './domain/presence/presence-shards.js';
import { PresenceTracker } from './domain/presence/presence-tracker.js';
import { toRoutingState } from './domain/presence/routing-state.js';
import { parseRulesFile } from './domain/presence/rules-file.js';
import { historyRecordFor, type StateChange } from './domain/presence/state-change.js';
import type { AgentState, AgentStateView } from './domain/routing/agent-state.js';
import type { Clock } from './ports/clock.js';
import { MemoryNotificationInbox } from './ports/presence/notification-inbox.js';
import type { PresenceCoordination } from './ports/presence/presence-coordination.js';
import { PresenceShardHolder } from './services/presence-shard-holder.js';
import { ShardPublication } from './services/shard-publication.js';

/** Where the notification endpoint is mounted; Graph posts to `<base>/api/graph/notifications` and `/lifecycle`. */
export const graphNotificationsMount = '/api/graph';

/** What the presence engine needs from the rest of the connector. */
export interface PresenceWiringDeps {
  readonly database: OpenDatabase;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The knowledge workers to track (the directory's ids). */
  readonly userIds: readonly string[];
  /** Publishes a knowledge worker's new state to agents (events and webhooks). */
  readonly publish: (knowledgeWorkerId: string, state: AgentState, at: number) => Promise<void>;
  /** With replicas on one database: shard leases and presence shared among them; null or absent alone. */
  readonly coordination?: PresenceCoordination | null | undefined;
}

/** The wired presence engine. */
export interface PresenceEngine {
  /** Routing's view: the mapped state of a knowledge worker now (per routing point's rules). */
  readonly stateOf: AgentStateView;
  readonly tracker: PresenceTracker;
  readonly client: GraphClient;
  readonly history: SqlPresenceHistoryStore;
  /** The notification endpoint, to mount at {@link graphNotificationsMount}; null without subscriptions. */
  readonly router: Router | null;
  readonly subscriptions: SubscriptionManager | null;
  readonly delegated: DelegatedTokens | null;
  readonly poller: PresencePoller;
  /** The shards this process holds (every one alone). */
  readonly shards: PresenceShardHolder;
  /** The notification processor's counters; undefined without subscriptions. */
  notificationStats(): ProcessorStats | undefined;
  /** Notifications accepted and not yet processed. */
  inboxSize(): number;
  /** Records the connector's own load: a knowledge worker at their session limit is Busy for routing. */
  setLoad(knowledgeWorkerId: string, activeSessions: number): void;
  /** Starts tracking more knowledge workers (new members of an Entra group); subscriptions are reassigned. */
  track(knowledgeWorkerIds: Iterable<string>): void;
  /** Starts polling, subscriptions and notification processing, and watches the rules file. */
  start(): void;
  /** Stops everything; resolves when in-flight work has finished and every change is recorded. */
  stop(): Promise<void>;
}

/** Reads a PEM certificate as the base64 DER Graph wants in `encryptionCertificate`. */
function certificateBase64(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/-----[^-]+-----/g, '')
    .replace(/\s+/g, '');
}

function readRules(path: string | undefined) {
  if (!path) return { ok: true as const, rules: compileMappingRules(DEFAULT_MAPPING_RULES) };
  const parsed = parseRulesFile(readFileSync(path, 'utf8'));
  return parsed.ok ? { ok: true as const, rules: parsed.rules } : parsed;
}

/** Builds the presence engine (nothing runs until {@link PresenceEngine.start}). Throws on an invalid rules file. */
export function wirePresence(options: PresenceOptions, deps: PresenceWiringDeps): PresenceEngine {
  const { clock, database } = deps;
  const log = deps.logger.child({ part: 'presence' });
  const now = () => clock.now();
  const initialRules = readRules(options.rulesFile);
  if (!initialRules.ok)
    throw new Error(
      `presence.rulesFile ${options.rulesFile} line ${initialRules.line}: ${initialRules.message}. Fix the rule at that line.`,
    );
  const tracker = new PresenceTracker({
    rules: initialRules.rules,
    staleAfterMs: options.staleAfterMs,
    defaultSessionLimit: options.defaultSessionLimit,
  });
  for (const id of deps.userIds) tracker.track(id, now());

  const history = new SqlPresenceHistoryStore(database);
  // Changes are recorded and published strictly in the order they happened.
  let chain: Promise<void> = Promise.resolve();
  const record = (changes: readonly StateChange[]) => {
    if (changes.length === 0) return;
    chain = chain
      .then(async () => {
        await history.record(
          changes.map(historyRecordFor),
          changes.map((c) => ({ userId: c.userId, state: c.to, since: c.at })),
        );
        for (const c of changes) await deps.publish(c.userId, toRoutingState(c.to), c.at);
      })
      .catch((err: unknown) => log.error({ err }, 'could not record or publish presence changes'));
  };
  const coordination = deps.coordination ?? null;
  let subscriptions: SubscriptionManager | null = null;
  let poller: PresencePoller | undefined;
  const holder = new PresenceShardHolder({
    shards: planShards(deps.userIds, options.usersPerShard),
    tracker,
    clock,
    coordination,
    publication: coordination
      ? new ShardPublication({ snapshotsOf: (ids) => history.snapshotsOf(ids), tracker })
      : null,
    subscriptions: {
      plan: (ids) => subscriptions?.plan(ids),
      get shardCount() {
        return subscriptions?.shardCount ?? 0;
      },
      hold: async (n) => subscriptions?.hold(n),
      release: (n) => subscriptions?.release(n),
      handleLifecycle: async (item) => (await subscriptions?.handleLifecycle(item)) ?? false,
    },
    markDue: (ids) => {
      for (const id of ids) poller?.markDue(id);
    },
    publish: record,
    logger: log,
  });
  const onChanges = holder.onChanges;

  const tokens = createAppTokenSource({
    tenantId: options.tenantId,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    authorityBaseUrl: options.authorityBaseUrl,
  });
  const client = new GraphClient({ graphBaseUrl: options.graphBaseUrl, quotaShare: options.quotaShare }, { tokens });

  const presencePoller = new PresencePoller(
    { fastIntervalMs: options.poll.fastIntervalMs, slowIntervalMs: options.poll.slowIntervalMs },
    {
      client,
      tracker,
      clock,
      onChanges,
      onObserved: holder.onObserved,
      users: () => holder.users(),
      isSubscribed: (u) => subscriptions?.isSubscribed(u) ?? false,
      onError: (err) => log.warn({ err: String(err) }, 'a presence poll call failed; those users go stale if it lasts'),
    },
  );
  poller = presencePoller;

  let router: Router | null = null;
  let processor: NotificationProcessor | null = null;
  let delegated: DelegatedTokens | null = null;
  let decryption: DecryptionProcesses | null = null;
  let inboxSize = () => 0;
  const s = options.subscriptions;
  if (s) {
    delegated = new DelegatedTokens(
      {
        tenantId: options.tenantId,
        clientId: options.clientId,
        authorityBaseUrl: options.authorityBaseUrl,
        cacheKeyBase64: s.tokenCacheKey,
      },
      new SqlTokenCacheStore(database, clock),
    );
    const signedIn = delegated;
    const inbox = new MemoryNotificationInbox();
    inboxSize = () => inbox.size();
    const privateKeys = new Map<string, KeyObject>([
      [s.certificateId, createPrivateKey(readFileSync(s.privateKeyFile, 'utf8'))],
    ]);
    const processes =
      s.decryptionProcesses > 0
        ? new DecryptionProcesses(privateKeys, { size: s.decryptionProcesses }, { logger: log })
        : null;
    decryption = processes;
    const base = `${s.notificationBaseUrl}${graphNotificationsMount}`;
    const manager = new SubscriptionManager(
      {
        accounts: s.accounts,
        notificationUrl: `${base}/notifications`,
        lifecycleNotificationUrl: `${base}/lifecycle`,
        encryptionCertificate: certificateBase64(s.certificateFile),
        encryptionCertificateId: s.certificateId,
        renewBeforeMs: s.renewBeforeMs,
        usersPerSubscription: options.usersPerShard,
      },
      {
        client,
        tokensFor: (account) => signedIn.tokenSource(account),
        store: new SqlSubscriptionStore(database),
        clock,
        onShardLost: (ids) => {
          for (const id of ids) presencePoller.markDue(id);
        },
        logger: log,
      },
    );
    subscriptions = manager;
    router = createNotificationRouter(
      {},
      {
        inbox,
        clientStateOf: (id) => manager.clientStateOf(id),
        onLifecycle: (item) => {
          holder
            .lifecycle(item)
            .catch((err: unknown) => log.warn({ err: String(err) }, 'lifecycle notification failed'));
        },
        clock,
        logger: log,
      },
    );
    processor = new NotificationProcessor(
      { appId: options.clientId, tenantId: options.tenantId, privateKeys },
      {
        inbox,
        tracker,
        jwks: createRemoteJWKSet(new URL(options.jwksUrl)),
        clock,
        onChanges,
        onObserved: holder.onObserved,
        onBasic: (ids) => {
          for (const id of ids) presencePoller.markDue(id);
        },
        logger: log,
        decrypt: processes ? (items) => processes.decrypt(items) : undefined,
      },
    );
  }

  let maintenance: NodeJS.Timeout | undefined;
  let started = false;
  const watchRules = () => {
    const path = options.rulesFile;
    if (!path) return;
    watchFile(path, { interval: 1000 }, () => {
      let next: ReturnType<typeof readRules>;
      try {
        next = readRules(path);
      } catch (err) {
        log.error({ err: String(err), path }, 'the presence rules file cannot be read; the current rules stay');
        return;
      }
      if (!next.ok) {
        log.error(
          { path, line: next.line },
          `presence rules not reloaded: line ${next.line}: ${next.message}; the current rules stay`,
        );
        return;
      }
      const changes = tracker.setRules(next.rules, now());
      log.info({ path, changes: changes.length }, 'presence rules reloaded');
      onChanges(changes);
    });
  };

  return {
    stateOf: (id, routingPointId) => toRoutingState(tracker.stateFor(id, now(), routingPointId)),
    tracker,
    client,
    history,
    router,
    subscriptions,
    delegated,
    poller: presencePoller,
    shards: holder,
    notificationStats: () => processor?.stats,
    inboxSize: () => inboxSize(),
    setLoad(id, activeSessions) {
      const change = tracker.setLoad(id, activeSessions, now());
      if (change) onChanges([change]);
    },
    track(users) {
      const ids = [...users];
      const before = tracker.size;
      for (const id of ids) tracker.track(id, now());
      if (tracker.size === before) return;
      log.info({ users: tracker.size }, 'presence tracks more knowledge workers');
      // Users tracked after the shards were planned form the late joiners' shard: polled by its holder (alone, this
      // process) until the next start plans them in like everyone else.
      holder.addLateJoiners(ids);
      // Alone, this process holds every subscription: re-cut them over every tracked user.
      const manager = subscriptions;
      if (started && !coordination && manager)
        manager
          .assign([...tracker.userIds()])
          .catch((err: unknown) => log.warn({ err: String(err) }, 'presence subscriptions could not be reassigned'));
    },
    start() {
      started = true;
      // Shards first (alone: all of them, subscriptions created or renewed), then the poll loop over their users.
      holder.start();
      presencePoller.start();
      watchRules();
      if (subscriptions && processor) {
        const manager = subscriptions;
        processor.start();
        const maintain = () =>
          manager.maintain().catch((err: unknown) => log.warn({ err: String(err) }, 'subscription maintenance failed'));
        maintenance = setInterval(maintain, options.subscriptions?.maintainEveryMs ?? 60_000);
        maintenance.unref();
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
      if (maintenance) clearInterval(maintenance);
      if (options.rulesFile) unwatchFile(options.rulesFile);
      await holder.stop();
      await presencePoller.stop();
      await processor?.stop();
      await decryption?.close();
      await chain;
    },
  };
}
