/**
 * `GET /metrics` after real activity: previews issued and answered through the connector, backlogs and queue
 * depths from the database, Teams sends through the Bot Connector emulator (with a 429), Graph calls through the
 * real client (with a 429 and its Retry-After), notification lag and presence staleness, and the optional token.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import nock from 'nock';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { createAppTokenSource } from '../../../src/adapters/graph/app-token.js';
import { GraphClient } from '../../../src/adapters/graph/graph-client.js';
import { NotificationBacklog } from '../../../src/adapters/graph/notification-backlog.js';
import { NotificationProcessor } from '../../../src/adapters/graph/notification-processor.js';
import { createConnectorMetrics } from '../../../src/adapters/metrics/connector-metrics.js';
import { presenceStaleness } from '../../../src/adapters/metrics/metric-sources.js';
import { createMetricsRouter } from '../../../src/adapters/metrics/metrics-router.js';
import { createApp } from '../../../src/app.js';
import { startBotConnectorEmulator } from '../../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../../../src/domain/presence/presence-tracker.js';
import { createLogger } from '../../../src/logger.js';
import { RecordingChannel } from '../../../src/ports/participant-channel.js';
import { MemoryNotificationInbox } from '../../../src/ports/presence/notification-inbox.js';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { parsePrometheus } from '../../support/prometheus.js';
import { sampleDirectory, startTestApp, TestClock, testConfig } from '../../support/test-app.js';

const scrape = async (http: express.Express, headers: Record<string, string> = {}) => {
  const res = await request(http).get('/metrics').set(headers).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(res.text);
};

describe.each(testDatabases())('/metrics of the connector on $name', (database) => {
  let t: ApiTestApp | undefined;
  afterAll(() => database.cleanup());
  afterEach(async () => {
    await t?.app.stop();
    t = undefined;
  });

  test('previews, backlogs and queue depths after chats are handed in, routed, declined and accepted', async () => {
    const clock = new TestClock();
    t = await startApiApp(await database.create(), clock);
    const { app, keys, experts } = t;
    const post = (path: string, body: object) =>
      request(app.http)
        .post(`/api/v1${path}`)
        .set(bearer(keys.platform))
        .send(body)
        .expect((r) => {
          expect(r.status).toBeLessThan(300);
        });
    await post('/chats', { id: 'c1', customer: { name: 'Pat' }, queueId: 'inbound-chat', text: 'Hello' });
    await post('/chats', { id: 'c2', customer: { name: 'Sam' }, queueId: 'inbound-chat', text: 'Hi' });
    await post('/chats/c1/route', { routingPointId: 'billing' });

    let m = await scrape(app.http);
    expect(m.get('ucc_queue_depth{kind="queue",id="inbound-chat"}')).toBe(1);
    expect(m.get('ucc_queue_depth{kind="routing-point",id="billing"}')).toBe(1);
    // The route request waits in the outbox until the worker runs.
    expect(m.get('ucc_outbox_backlog{status="pending"}')).toBe(1);
    expect(m.get('ucc_outbox_backlog{status="failed"}')).toBe(0);
    expect(m.get('ucc_previews_total{outcome="sent"}')).toBe(0);

    await app.outbox.drain();
    const first = experts.to('kw-ann').find((e) => e.type === 'SendPreview');
    if (first?.type !== 'SendPreview') throw new Error('no preview to Ann');
    m = await scrape(app.http);
    expect(m.get('ucc_previews_total{outcome="sent"}')).toBe(1);
    expect(m.get('ucc_previews_pending')).toBe(1);
    expect(m.get('ucc_outbox_backlog{status="pending"}')).toBe(0);

    await app.commands.execute({ type: 'Reject', interactionId: 'c1', invitationId: first.invitationId, by: 'kw-ann' });
    await app.outbox.drain();
    const second = experts.to('kw-leo').find((e) => e.type === 'SendPreview');
    if (second?.type !== 'SendPreview') throw new Error('no preview to Leo');
    await app.commands.execute({
      type: 'Accept',
      interactionId: 'c1',
      invitationId: second.invitationId,
      by: 'kw-leo',
    });
    await app.outbox.drain();

    m = await scrape(app.http);
    expect(m.get('ucc_previews_total{outcome="sent"}')).toBe(2);
    expect(m.get('ucc_previews_total{outcome="declined"}')).toBe(1);
    expect(m.get('ucc_previews_total{outcome="accepted"}')).toBe(1);
    expect(m.get('ucc_previews_total{outcome="expired"}')).toBe(0);
    expect(m.get('ucc_previews_pending')).toBe(0);
    expect(m.get('ucc_queue_depth{kind="routing-point",id="billing"}')).toBe(0);
    expect(m.get('ucc_queue_depth{kind="queue",id="inbound-chat"}')).toBe(1);
    expect(m.get('ucc_webhook_backlog')).toBe(0);
    // Node's default metrics: the event loop lag among them.
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(m.has('process_resident_memory_bytes')).toBe(true);
    // Parts not running here have no series.
    expect([...m.keys()].some((k) => k.startsWith('ucc_graph_'))).toBe(false);
  });

  test('a preview that times out counts as expired', async () => {
    const clock = new TestClock();
    t = await startApiApp(await database.create(), clock);
    const { app } = t;
    await app.commands.execute({
      type: 'StartIm',
      interactionId: 'im-1',
      initiator: { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' },
      target: { kind: 'person', person: { id: 'kw-ann', name: 'Ann Billing', kind: 'knowledge-worker' } },
      text: 'Quick question',
    });
    await app.outbox.drain();
    clock.advance(60_000);
    await app.timeouts.fireDue();
    const m = await scrape(app.http);
    expect(m.get('ucc_previews_total{outcome="sent"}')).toBe(1);
    expect(m.get('ucc_previews_total{outcome="expired"}')).toBe(1);
  });
});

describe('/metrics of the parts', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  test('Teams sends through the Bot Connector emulator: count, a 429, and their durations', async () => {
    const emulator = await startBotConnectorEmulator();
    const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const yaml = `${sampleDirectory}\nteams:\n  allowedTenants: ["${tenant}"]\n  send: { baseDelayMs: 1 }\n`;
    const app = await createApp(testConfig(yaml, url), {
      clock: new TestClock(Date.now()),
      logger: createLogger('silent'),
      channels: { agent: new RecordingChannel() },
    });
    try {
      const server = app.http.listen(0);
      servers.push(server);
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const install = {
        type: 'installationUpdate',
        action: 'add',
        id: 'install-1',
        channelId: 'msteams',
        serviceUrl: emulator.serviceUrl,
        from: { id: '29:kw-ann', name: 'Ann Billing', aadObjectId: 'kw-ann' },
        recipient: { id: '28:bot', name: 'Connector' },
        conversation: { conversationType: 'personal', tenantId: tenant, id: 'a:kw-ann' },
        channelData: { tenant: { id: tenant } },
      };
      const installed = await fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(install),
      });
      expect(installed.status).toBeLessThan(300);
      // The Bot Framework SDK retries up to three 429s itself; the fourth reaches the connector's sender, which retries.
      emulator.inject({ status: 429, retryAfterSeconds: 0, count: 4 });
      await app.commands.execute({
        type: 'StartIm',
        interactionId: 'im-teams',
        initiator: { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' },
        target: { kind: 'routing-point', id: 'billing', name: 'Billing Experts' },
        text: 'Refund question',
      });
      await app.outbox.drain();
      expect(emulator.activitiesOf('a:kw-ann').length).toBeGreaterThan(0);
      expect(emulator.requests.filter((r) => r.status === 429)).toHaveLength(4);
      const m = await scrape(app.http);
      const sends = m.get('ucc_teams_sends_total') ?? 0;
      expect(sends).toBeGreaterThanOrEqual(1);
      expect(m.get('ucc_teams_throttled_total')).toBe(1);
      expect(m.get('ucc_teams_send_failures_total')).toBe(0);
      expect(m.get('ucc_teams_send_duration_seconds_count{outcome="sent"}')).toBe(sends);
      expect(m.get('ucc_previews_total{outcome="sent"}')).toBe(1);
    } finally {
      await app.stop();
      await emulator.close();
    }
  });

  test('Graph calls with a 429 and its Retry-After; notification lag; presence staleness; inbox depth; the backlog, its age and what was shed', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const tenant = 'contoso.onmicrosoft.com';
    nock('https://login.microsoftonline.com')
      .post(`/${tenant}/oauth2/v2.0/token`)
      .query(true)
      .reply(200, { token_type: 'Bearer', expires_in: 3600, access_token: 'tok' });
    nock('https://graph.microsoft.com')
      .post('/v1.0/communications/getPresencesByUserId')
      .reply(429, { error: { code: 'TooManyRequests' } }, { 'Retry-After': '1.5' })
      .post('/v1.0/communications/getPresencesByUserId')
      .reply(200, { value: [] });
    const graph = new GraphClient(
      {},
      {
        tokens: createAppTokenSource({ tenantId: tenant, clientId: 'app', clientSecret: 'secret' }),
        sleep: async () => {},
      },
    );
    await graph.request('POST', '/communications/getPresencesByUserId', { ids: ['u1'] });

    let now = Date.UTC(2026, 0, 15, 9, 0, 0);
    const tracker = new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 60_000 });
    for (const u of ['u1', 'u2', 'u3']) tracker.track(u, now);
    tracker.apply(
      { userId: 'u1', availability: 'Available', activity: 'Available', observedAt: now, source: 'poll' },
      now,
    );
    tracker.apply(
      { userId: 'u2', availability: 'Busy', activity: 'InACall', observedAt: now - 90_000, source: 'poll' },
      now,
    );
    const inbox = new MemoryNotificationInbox();
    await inbox.enqueue({ items: [], validationTokens: [], receivedAt: now });
    const processor = new NotificationProcessor(
      { appId: 'app', tenantId: tenant, privateKeys: new Map() },
      {
        inbox,
        tracker,
        jwks: async () => {
          throw new Error('no keys needed for basic notifications');
        },
        clock: { now: () => now },
        onChanges: () => {},
        logger: createLogger('silent'),
      },
    );
    now += 2_500;
    await processor.process({ items: [{ resourceData: { id: 'u3' } }], validationTokens: [], receivedAt: now - 2_500 });

    // A backlog beyond 100 items was shed to polling once (150 items); 10 items received 4 s ago wait.
    const backlog = new NotificationBacklog(
      { maxItems: 100 },
      {
        inbox: new MemoryNotificationInbox(),
        inFlight: () => ({ items: 0, oldestReceivedAt: undefined }),
        pollNow: () => {},
        clock: { now: () => now },
        logger: createLogger('silent'),
      },
    );
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ resourceData: { id: `u${i}` } }));
    await backlog.enqueue({ items: items(150), validationTokens: [], receivedAt: now - 5_000 });
    await backlog.enqueue({ items: items(10), validationTokens: [], receivedAt: now - 4_000 });

    const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
    const t = await startTestApp(testConfig(sampleDirectory, url), new TestClock(now), {
      metricSources: {
        graph: () => graph.stats,
        notifications: () => processor.stats,
        presence: () => presenceStaleness(tracker, now),
        notificationInbox: () => inbox.size(),
        notificationBacklog: () => backlog.state(),
      },
    });
    try {
      const m = await scrape(t.app.http);
      expect(m.get('ucc_graph_calls_total')).toBe(2);
      expect(m.get('ucc_graph_throttled_total')).toBe(1);
      expect(m.get('ucc_graph_retry_after_waits_total')).toBe(1);
      expect(m.get('ucc_graph_retry_after_wait_seconds_total')).toBe(1.5);
      expect(m.get('ucc_graph_errors_total{kind="server"}')).toBe(0);
      expect(m.get('ucc_presence_notification_batches_total')).toBe(1);
      expect(m.get('ucc_presence_notification_lag_seconds')).toBe(2.5);
      expect(m.get('ucc_presence_notification_lag_seconds_total')).toBe(2.5);
      // u1 confirmed 2.5 s ago; u2 90 s ago (stale, Unknown); u3 never.
      expect(m.get('ucc_presence_users{freshness="tracked"}')).toBe(3);
      expect(m.get('ucc_presence_users{freshness="unknown"}')).toBe(2);
      expect(m.get('ucc_presence_oldest_confirmation_age_seconds')).toBe(92.5);
      expect(m.get('ucc_presence_inbox_depth')).toBe(1);
      expect(m.get('ucc_presence_notification_backlog')).toBe(10);
      expect(m.get('ucc_presence_notification_backlog_oldest_age_seconds')).toBe(4);
      expect(m.get('ucc_presence_notifications_shed_total')).toBe(150);
      expect(m.get('ucc_presence_notification_backlog_sheddings_total')).toBe(1);
    } finally {
      await t.app.stop();
    }
  });

  test('with a token configured, scrapes without it are refused', async () => {
    const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
    const config = { ...testConfig(sampleDirectory, url), metrics: { token: 'a-long-metrics-token-123' } };
    const t = await startTestApp(config, new TestClock());
    try {
      const refused = await request(t.app.http).get('/metrics').expect(401);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.headers['www-authenticate']).toContain('Bearer');
      await request(t.app.http).get('/metrics').set(bearer('wrong-token-wrong-token')).expect(401);
      const m = await scrape(t.app.http, bearer('a-long-metrics-token-123'));
      expect(m.get('ucc_previews_total{outcome="sent"}')).toBe(0);
      expect(t.logs.join('')).not.toContain('a-long-metrics-token-123');
    } finally {
      await t.app.stop();
    }
  });

  test('a scrape with nothing wired but the database still answers (router used on its own)', async () => {
    const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
    const t = await startTestApp(testConfig(sampleDirectory, url), new TestClock());
    try {
      const metrics = createConnectorMetrics({
        db: t.app.database.db,
        clock: new TestClock(),
        sources: {},
        mediations: () => [{ kind: 'queue', id: 'q' }],
        defaultMetrics: false,
      });
      const http = express().use(createMetricsRouter(metrics.registry, null));
      const m = await scrape(http);
      expect(m.get('ucc_queue_depth{kind="queue",id="q"}')).toBe(0);
      expect(m.has('nodejs_eventloop_lag_seconds')).toBe(false);
    } finally {
      await t.app.stop();
    }
  });
});
