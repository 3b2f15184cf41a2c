/**
 * A connector for the reach tests: the Graph emulator (local presence: Megan Available, Alex in a call), the Bot
 * Connector emulator as Teams, the real connector on a real database with a settable clock, its agent API with
 * Kate's and a platform key, and helpers to drive a consultation through the API. `restart()` builds a new
 * connector on the same database, as a restart does.
 */
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { type AppDependencies, type ConnectorApp, createApp } from '../../src/app.js';
import type { LoadedConfig } from '../../src/config/config-files.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import type { GraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.js';
import { LOCAL_TENANT_ID, type LocalPresence, startLocalPresence } from '../../src/dev/local-presence.js';
import { createLogger } from '../../src/logger.js';
import request, { type Test } from './api-request.js';
import { readEvents } from './event-readers.js';
import { loadTestConfig, TestClock } from './test-app.js';

export const megan = { id: '6e7b768e-07e2-4810-8459-485f84f8f204', name: 'Megan Bowen' };
export const alex = { id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', name: 'Alex Wilber' };
export const TENANT = LOCAL_TENANT_ID;
/** The Teams app's id in the emulated org catalog. */
export const CATALOG_APP = 'c47a1095-0000-4000-8000-00000000ca7a';

/** What a test may change. */
export interface ReachWorldOptions {
  /** The routing section (default: `experts`, round-robin over Megan). */
  readonly routing?: string;
  /** The teams section's extra keys (default: proactive install on). */
  readonly teams?: string;
  /** Dependencies of the connector (e.g. a recording knowledge-worker channel). */
  readonly deps?: AppDependencies;
  /** Prepares the Graph emulator before the connector starts (users, groups). */
  readonly beforeStart?: (graph: GraphEmulator) => void;
  /** Presence writes (`presence.write`): true for the defaults, or the section's keys (see `startLocalPresence`). */
  readonly presenceWrite?: boolean | string;
  /** The `directory.agents` entries as YAML list items (default: Kate alone). */
  readonly agents?: string;
}

/** The running world. */
export interface ReachWorld {
  readonly graph: GraphEmulator;
  readonly bot: BotConnectorEmulator;
  readonly clock: TestClock;
  readonly config: LoadedConfig;
  app: ConnectorApp;
  keys: { kate: string; platform: string };
  readonly logs: string[];
  /** A call to the agent API with a key. */
  api(key: string): {
    get: (path: string) => Test;
    post: (path: string, body?: object) => Test;
  };
  /** Kate takes a customer chat from her queue; returns its id. */
  kateTakesAChat(id: string): Promise<string>;
  /** The events of Kate's stream. */
  kateEvents(): Promise<{ type: string; interactionId: string | null; data: Record<string, unknown> }[]>;
  /** The directory entry of a knowledge worker. */
  entryOf(id: string): Promise<Record<string, unknown> | undefined>;
  /** Waits (polling the API) until a knowledge worker is Ready. */
  untilReady(id: string): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

const defaultRouting = `
routing:
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: static, ids: ["${megan.id}"] }
      strategy: { kind: round-robin }
      maxOffers: 2
`;

/** Starts the world on `databaseUrl`. */
export async function startReachWorld(databaseUrl: string, options: ReachWorldOptions = {}): Promise<ReachWorld> {
  const local: LocalPresence = await startLocalPresence({ fastIntervalMs: 100, write: options.presenceWrite });
  const bot = await startBotConnectorEmulator();
  options.beforeStart?.(local.emulator);
  const yaml = `
directory:
  knowledgeWorkers:
    - { id: "${megan.id}", name: ${megan.name} }
    - { id: "${alex.id}", name: ${alex.name} }
  agents:
${options.agents ?? '    - { id: agent-kate, name: Kate Lewis }'}
${options.routing ?? defaultRouting}
queues:
  - { id: inbound-chat, name: Inbound Chat, members: [agent-kate] }
agentApi:
  # The clock stands still in these tests: a key's rate bucket would never refill.
  rateLimit: { requestsPerMinute: 1000000, burst: 100000 }
teams:
  allowedTenants: ["${TENANT}"]
  defaultServiceUrl: ${bot.serviceUrl}
${options.teams ?? `  teamsCatalogAppId: ${CATALOG_APP}`}
${local.yaml}`;
  const config = loadTestConfig({ DATABASE_URL: databaseUrl, ...local.env }, yaml);
  const clock = new TestClock(Date.now());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const build = async () => {
    const app = await createApp(config, { clock, logger: createLogger('debug', sink), ...options.deps });
    const kate = await app.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'Kate' });
    const platform = await app.agentSide.keys.create({ contactCenter: 'default', agentId: null, label: 'Platform' });
    app.start();
    return { app, keys: { kate: kate.key, platform: platform.key } };
  };
  const built = await build();
  const world: ReachWorld = {
    graph: local.emulator,
    bot,
    clock,
    config,
    app: built.app,
    keys: built.keys,
    logs,
    api: (key) => ({
      get: (path) => request(world.app.http).get(`/api/v1${path}`).set('authorization', `Bearer ${key}`),
      post: (path, body) =>
        request(world.app.http)
          .post(`/api/v1${path}`)
          .set('authorization', `Bearer ${key}`)
          .send(body ?? {}),
    }),
    async kateTakesAChat(id) {
      const platform = world.api(world.keys.platform);
      await platform
        .post('/chats', { id, customer: { name: 'Avril Mai' }, queueId: 'inbound-chat', text: 'My invoice is wrong.' })
        .expect(201);
      await platform.post(`/chats/${id}/route`, { queueId: 'inbound-chat' }).expect(200);
      await world.app.outbox.drain();
      const offered = (await world.kateEvents()).filter(
        (e) => e.type === 'invitation.offered' && e.interactionId === id,
      );
      const invitationId = offered.at(-1)?.data.invitationId as string;
      await world.api(world.keys.kate).post(`/interactions/${id}/invitations/${invitationId}/accept`).expect(200);
      return id;
    },
    async kateEvents() {
      return readEvents(world.app.http, world.keys.kate);
    },
    async entryOf(id) {
      const res = await world.api(world.keys.kate).get('/directory?kind=knowledge-worker').expect(200);
      return (res.body.entries as { id: string }[]).find((e) => e.id === id);
    },
    async untilReady(id) {
      const until = Date.now() + 15_000;
      let state: unknown;
      while (Date.now() < until) {
        state = (await world.entryOf(id))?.state;
        if ((state as { kind?: string } | undefined)?.kind === 'Ready') return;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(state).toEqual({ kind: 'Ready' });
    },
    async restart() {
      await world.app.stop();
      const again = await build();
      world.app = again.app;
      world.keys = again.keys;
    },
    async close() {
      await world.app.stop();
      await bot.close();
      await local.close();
    },
  };
  return world;
}
