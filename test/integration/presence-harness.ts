/**
 * Builds the whole presence engine against a Graph emulator on ephemeral ports, for the integration tests.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createRemoteJWKSet } from 'jose';
import { createAppTokenSource } from '../../src/adapters/graph/app-token.js';
import { DelegatedTokens } from '../../src/adapters/graph/delegated-tokens.js';
import { GraphClient } from '../../src/adapters/graph/graph-client.js';
import { createNotificationRouter } from '../../src/adapters/graph/notification-endpoint.js';
import { NotificationProcessor } from '../../src/adapters/graph/notification-processor.js';
import { PresencePoller } from '../../src/adapters/graph/presence-poller.js';
import { type QuotaBudget, quotaPriority } from '../../src/adapters/graph/quota-budget.js';
import { SubscriptionManager } from '../../src/adapters/graph/subscription-manager.js';
import { type GraphEmulator, startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.js';
import { sampleDirectory } from '../../src/dev/graph-emulator/sample-directory.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../../src/domain/presence/presence-tracker.js';
import type { StateChange } from '../../src/domain/presence/state-change.js';
import type { Clock } from '../../src/ports/clock.js';
import { MemoryNotificationInbox } from '../../src/ports/presence/notification-inbox.js';
import { MemorySubscriptionStore } from '../../src/ports/presence/subscription-store.js';
import { MemoryTokenCacheStore } from '../../src/ports/presence/token-cache-store.js';
import { captureLogs } from '../support/log-capture.js';

const fixtures = new URL('../fixtures/graph/', import.meta.url);
/** The test certificate (base64 DER) and its private key. */
export const certificateBase64 = readFileSync(new URL('notification-cert.pem', fixtures), 'utf8')
  .replace(/-----[^-]+-----/g, '')
  .replace(/\s+/g, '');
export const privateKey = createPrivateKey(readFileSync(new URL('notification-key.pem', fixtures), 'utf8'));

export const TENANT = '00000000-0000-0000-0000-00000000e1e1';
export const APP_ID = '11111111-2222-3333-4444-555555555555';
export const users = sampleDirectory.map((u) => u.id);

/** A started engine and its emulator. */
export async function startHarness(opts: { maxRetries?: number; staleAfterMs?: number; budget?: QuotaBudget } = {}) {
  const emu: GraphEmulator = await startGraphEmulator({ tenantId: TENANT });
  for (const u of sampleDirectory) emu.seedUsers([u.id], u.availability, u.activity);
  const clockOffset = { ms: 0 };
  const clock: Clock = { now: () => Date.now() + clockOffset.ms };
  const tracker = new PresenceTracker({
    rules: compileMappingRules(DEFAULT_MAPPING_RULES),
    staleAfterMs: opts.staleAfterMs ?? 60_000,
  });
  for (const u of users) tracker.track(u, clock.now());
  const changes: StateChange[] = [];
  const logs = captureLogs('warn');
  const logger = logs.logger;
  const onChanges = (c: readonly StateChange[]) => void changes.push(...c);
  const slept: number[] = [];
  const sleep = (ms: number) => {
    slept.push(ms);
    return new Promise<void>((r) => setTimeout(r, ms));
  };
  const tokens = createAppTokenSource({
    tenantId: TENANT,
    clientId: APP_ID,
    clientSecret: 'secret',
    authorityBaseUrl: emu.baseUrl,
  });
  const client = new GraphClient(
    { graphBaseUrl: emu.graphBaseUrl, maxRetries: opts.maxRetries ?? 8, backoffBaseMs: 20 },
    { tokens, sleep },
  );
  const delegated = new DelegatedTokens(
    {
      tenantId: TENANT,
      clientId: APP_ID,
      authorityBaseUrl: emu.baseUrl,
      cacheKeyBase64: Buffer.alloc(32, 7).toString('base64'),
    },
    new MemoryTokenCacheStore(),
  );
  const inbox = new MemoryNotificationInbox();
  let poller: PresencePoller | undefined;
  const app = express();
  let manager: SubscriptionManager | undefined;
  app.use(
    '/graph',
    createNotificationRouter(
      {},
      {
        inbox,
        clientStateOf: (id) => manager?.clientStateOf(id),
        onLifecycle: (item) => void manager?.handleLifecycle(item),
        clock,
        logger,
      },
    ),
  );
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  manager = new SubscriptionManager(
    {
      accounts: ['svc1@contoso.example'],
      notificationUrl: `${base}/graph/notifications`,
      lifecycleNotificationUrl: `${base}/graph/lifecycle`,
      encryptionCertificate: certificateBase64,
      encryptionCertificateId: 'cert-1',
      renewBeforeMs: 3_600_000,
    },
    {
      client,
      tokensFor: (a) => delegated.tokenSource(a),
      store: new MemorySubscriptionStore(),
      clock,
      pollNow: (ids) => {
        for (const id of ids) poller?.markDue(id);
      },
      logger,
      quota: opts.budget && {
        budget: opts.budget,
        caller: 'presence-subscriptions',
        priority: quotaPriority.interactive,
      },
    },
  );
  const processor = new NotificationProcessor(
    { appId: APP_ID, tenantId: TENANT, privateKeys: new Map([['cert-1', privateKey]]) },
    { inbox, tracker, jwks: createRemoteJWKSet(new URL(emu.jwksUrl)), clock, onChanges, logger },
  );
  const subscriptionManager = manager;
  poller = new PresencePoller(
    { fastIntervalMs: 10_000, slowIntervalMs: 600_000 },
    {
      client,
      tracker,
      clock,
      onChanges,
      isSubscribed: (u) => subscriptionManager.isSubscribed(u),
      onError: () => {},
      budget: opts.budget,
    },
  );
  processor.start();
  return {
    emu,
    tracker,
    client,
    delegated,
    manager: subscriptionManager,
    processor,
    poller,
    inbox,
    changes,
    /** The messages logged at warn level (refused notifications, failing subscriptions). */
    get warnings() {
      return logs.messages();
    },
    slept,
    clock,
    clockOffset,
    base,
    async signIn(account = 'svc1@contoso.example') {
      return delegated.signIn(account, (code) => emu.identity.approveDeviceCode(code, account));
    },
    async close() {
      await processor.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await emu.close();
    },
  };
}

/** The harness type. */
export type Harness = Awaited<ReturnType<typeof startHarness>>;
