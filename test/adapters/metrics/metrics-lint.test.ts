/**
 * `GET /metrics` passes Prometheus's own linter, `promtool check metrics`, with every part of the connector running:
 * presence against the Graph emulator (polling and encrypted change notifications), Teams through the Bot Connector
 * emulator (a preview sent), the agent API, queues and routing points, and Node's default metrics.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { type ConnectorApp, createApp } from '../../../src/app.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import {
  LOCAL_TENANT_ID,
  type LocalPresence,
  signInLocalSubscriber,
  startLocalPresence,
} from '../../../src/dev/local-presence.js';
import { createLogger } from '../../../src/logger.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { parsePrometheus } from '../../support/prometheus.js';
import { checkMetrics, promtoolSkipReason } from '../../support/promtool.js';
import { loadTestConfig } from '../../support/test-app.js';

const skip = promtoolSkipReason();
if (skip) console.warn(`metrics lint tests skipped: ${skip}`);

const megan = { id: '6e7b768e-07e2-4810-8459-485f84f8f204', name: 'Megan Bowen' };
const alex = { id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', name: 'Alex Wilber' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Polls `read` until `done` holds (or 15 s pass), and returns the last value read (the caller asserts on it). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

/** The connector with presence (polling and subscriptions) and Teams, listening on a real port. */
async function startEverything(): Promise<{ app: ConnectorApp; graph: LocalPresence; bot: BotConnectorEmulator }> {
  let handler: ConnectorApp['http'] | undefined;
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const graph = await startLocalPresence({ connectorBaseUrl: base, fastIntervalMs: 200 });
  cleanups.push(() => graph.close());
  const bot = await startBotConnectorEmulator();
  cleanups.push(() => bot.close());
  const database = testDatabases()[0];
  if (!database) throw new Error('no test database');
  cleanups.push(() => database.cleanup());
  const yaml = `
directory:
  knowledgeWorkers:
    - { id: "${megan.id}", name: ${megan.name} }
    - { id: "${alex.id}", name: ${alex.name} }
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: static, ids: ["${megan.id}", "${alex.id}"] }
      strategy: { kind: round-robin }
queues:
  - { id: inbound-chat, name: Inbound Chat, members: [agent-kate] }
teams:
  allowedTenants: ["${LOCAL_TENANT_ID}"]
  defaultServiceUrl: ${bot.serviceUrl}
${graph.yaml}`;
  const config = loadTestConfig({ DATABASE_URL: await database.create(), ...graph.env }, yaml);
  const app = await createApp(config, { logger: createLogger('silent') });
  cleanups.push(() => app.stop());
  handler = app.http;
  const delegated = app.presence?.delegated;
  if (!delegated) throw new Error('the presence engine should have subscriber accounts');
  await signInLocalSubscriber(graph.emulator, (account, onCode) => delegated.signIn(account, onCode));
  app.start();
  return { app, graph, bot };
}

describe.skipIf(skip !== null)('promtool check metrics', () => {
  test('the linter itself reports a gauge named like a counter (the check can fail)', async () => {
    const verdict = await checkMetrics('# HELP x_total A gauge.\n# TYPE x_total gauge\nx_total 1\n');
    expect(verdict.exitCode).not.toBe(0);
    expect(verdict.problems).toEqual([expect.stringContaining('x_total non-counter metrics should not have "_total"')]);
  });

  test('/metrics of the connector with presence, notifications and Teams running has no problems', async () => {
    const { app, graph, bot } = await startEverything();
    const kate = await app.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'Kate' });

    // Megan installs the app in Teams, is Ready in Graph, and gets a preview through the Bot Connector.
    const installed = await request(app.http)
      .post('/api/messages')
      .send({
        type: 'installationUpdate',
        action: 'add',
        id: 'install-1',
        channelId: 'msteams',
        serviceUrl: bot.serviceUrl,
        from: { id: `29:${megan.id}`, name: megan.name, aadObjectId: megan.id },
        recipient: { id: '28:bot', name: 'Connector' },
        conversation: { conversationType: 'personal', tenantId: LOCAL_TENANT_ID, id: `a:${megan.id}` },
        channelData: { tenant: { id: LOCAL_TENANT_ID } },
      });
    expect(installed.status).toBeLessThan(300);
    const stateOf = async (id: string) => {
      const res = await request(app.http)
        .get('/api/v1/directory?kind=knowledge-worker')
        .set('authorization', `Bearer ${kate.key}`);
      return (res.body.entries as { id: string; state: { kind: string } }[]).find((e) => e.id === id)?.state.kind;
    };
    expect(
      await until(
        () => stateOf(megan.id),
        (s) => s === 'Ready',
      ),
    ).toBe('Ready');
    await request(app.http)
      .post('/api/v1/interactions')
      .set('authorization', `Bearer ${kate.key}`)
      .send({ target: { kind: 'knowledge-worker', id: megan.id }, text: 'Can you check an invoice?' })
      .expect(201);
    await app.outbox.drain();
    expect(bot.activitiesOf(`a:${megan.id}`).length).toBeGreaterThan(1);

    // A presence change reaches the connector as an encrypted change notification.
    const subscribed = () => Promise.resolve(app.presence?.subscriptions?.isSubscribed(alex.id) ?? false);
    expect(await until(subscribed, Boolean)).toBe(true);
    await graph.emulator.setPresence(alex.id, 'Away', 'Away');
    const scrape = async () => (await request(app.http).get('/metrics').expect(200)).text;
    const text = await until(
      scrape,
      (t) => (parsePrometheus(t).get('ucc_presence_notifications_total{outcome="applied"}') ?? 0) > 0,
    );

    // Every part's series are in the scrape that is linted.
    const m = parsePrometheus(text);
    expect(m.get('ucc_presence_notifications_total{outcome="applied"}')).toBeGreaterThan(0);
    expect(m.get('ucc_graph_calls_total')).toBeGreaterThan(0);
    expect(m.get('ucc_teams_send_duration_seconds_count{outcome="sent"}')).toBeGreaterThan(0);
    expect(m.get('ucc_previews_total{outcome="sent"}')).toBe(1);
    expect(m.has('ucc_presence_inbox_depth')).toBe(true);
    expect(m.has('ucc_presence_notification_backlog')).toBe(true);
    expect(m.has('ucc_presence_notification_backlog_oldest_age_seconds')).toBe(true);
    expect(m.has('ucc_presence_notifications_shed_total')).toBe(true);
    expect(m.has('ucc_presence_oldest_confirmation_age_seconds')).toBe(true);
    expect(m.has('ucc_queue_depth{kind="queue",id="inbound-chat"}')).toBe(true);
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(await checkMetrics(text)).toEqual({ exitCode: 0, problems: [] });
    // The default gauges named like counters are not served; their by-type twins are.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      expect(text).not.toMatch(new RegExp(`^(# TYPE )?${name}\\b`, 'm'));
    }
    expect([...m.keys()].some((k) => k.startsWith('nodejs_active_handles{type='))).toBe(true);
  }, 60_000);
});
