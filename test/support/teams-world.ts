/**
 * The real connector (`createApp` with a configuration) with its Teams side as production builds it, on SQLite, with
 * the Bot Connector emulator as Teams and a clock the test moves. Activities are posted to `/api/messages` over HTTP;
 * what Teams received is read at the emulator. Effects run through the outbox, which is drained after every step,
 * so a step's cards and messages have arrived when it returns.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSqlConversationReferenceStore } from '../../src/adapters/store/sql-teams-stores.js';
import { type ConnectorApp, createApp } from '../../src/app.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import type { Command } from '../../src/domain/interaction/commands.js';
import type { PersonRef } from '../../src/domain/interaction/types.js';
import { createLogger } from '../../src/logger.js';
import type { CommandResult } from '../../src/ports/interaction-commands.js';
import { RecordingChannel } from '../../src/ports/participant-channel.js';
import type { ConversationReferenceStore } from '../../src/ports/teams/conversation-reference-store.js';
import { type TestDatabase, testDatabases } from './databases.js';
import { TestClock, testConfig } from './test-app.js';

/** The tenant of the Teams fixtures. */
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const KATE: PersonRef = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' };
export const JIM: PersonRef = { id: 'kw-jim', name: 'Jim Miller', kind: 'knowledge-worker' };
export const ANN: PersonRef = { id: 'kw-ann', name: 'Ann Lee', kind: 'knowledge-worker' };
export const EVE: PersonRef = { id: 'kw-eve', name: 'Eve Stone', kind: 'knowledge-worker' };

/** What a test may change. */
export interface TeamsWorldOptions {
  /** The tenants served (default the fixtures' tenant). */
  readonly allowedTenants?: readonly string[];
  /** The database (default SQLite); `close` cleans it up. */
  readonly database?: TestDatabase;
  /** The knowledge workers' YAML list entries (default Jim, Ann and Eve, all Ready). */
  readonly knowledgeWorkers?: string;
  /** More configuration, appended (an `escalation` section, say). */
  readonly extraYaml?: string;
}

/** A consultation as routing offered it: one invitation per knowledge worker. */
export interface Consultation {
  readonly interactionId: string;
  readonly invitations: readonly { readonly invitationId: string; readonly to: string }[];
}

/** The running world. */
export interface TeamsWorld {
  readonly app: ConnectorApp;
  readonly emulator: BotConnectorEmulator;
  readonly clock: TestClock;
  /** The conversation references the connector stored. */
  readonly references: ConversationReferenceStore;
  /** What agents were sent (the agent side is recorded, not served). */
  readonly agents: RecordingChannel;
  /** Posts an activity (or raw text) to `/api/messages`, then lets the outbox run. */
  post(activity: unknown): Promise<{ status: number; body: unknown }>;
  /** Runs an engine command (what the agent API does for agents, and the time-out scheduler), then the outbox. */
  command(command: Command): Promise<CommandResult>;
  /** The user installs the app. */
  install(user: PersonRef): Promise<void>;
  /** Kate asks for a TV expert; routing offers it to `targets` (Jim alone, or Jim and Ann at once). */
  consult(targets: readonly PersonRef[], text?: string): Promise<Consultation>;
  /** Moves the clock and fires the time-outs that came due. */
  advance(ms: number): Promise<void>;
  /** A fixture activity sent by `user`. */
  activity(name: string, user: PersonRef, patch?: Record<string, unknown>): Record<string, unknown>;
  /** The invoke a click on a card button sends. */
  click(user: PersonRef, verb: string, data: Record<string, unknown>): Record<string, unknown>;
  /** A message the user types. */
  say(user: PersonRef, text: string): Record<string, unknown>;
  /** The activities (as they stand) in a user's conversation at the emulator. */
  chat(user: PersonRef): Record<string, unknown>[];
  /** How many effects the engine has committed (none: no command changed anything). */
  effectCount(): Promise<number>;
  close(): Promise<void>;
}

const routing = `
routing:
  routingPoints:
    - id: tv-jim
      name: TV experts
      members: { kind: static, ids: [kw-jim] }
      strategy: { kind: round-robin }
      previewTimeoutMs: 60000
      maxOffers: 1
    - id: tv-all
      name: TV experts
      members: { kind: static, ids: [kw-jim, kw-ann] }
      strategy: { kind: broadcast, size: 2 }
      previewTimeoutMs: 60000
      maxOffers: 2
queues:
  - { id: inbound-chat, name: Inbound Chat, members: [agent-kate] }
`;

const defaultKnowledgeWorkers = `    - { id: kw-jim, name: Jim Miller, staticState: Ready }
    - { id: kw-ann, name: Ann Lee, staticState: Ready }
    - { id: kw-eve, name: Eve Stone, staticState: Ready }`;

const fixtureDir = new URL('../fixtures/teams/', import.meta.url);

/** Starts the world: the emulator, the connector on a fresh SQLite database, its HTTP server. */
export async function startTeamsWorld(options: TeamsWorldOptions = {}): Promise<TeamsWorld> {
  const emulator = await startBotConnectorEmulator();
  const database = options.database ?? testDatabases()[0];
  if (!database) throw new Error('no test database');
  const tenants = (options.allowedTenants ?? [TENANT]).map((t) => `"${t}"`).join(', ');
  const yaml = `
directory:
  knowledgeWorkers:
${options.knowledgeWorkers ?? defaultKnowledgeWorkers}
  agents:
    - { id: agent-kate, name: Kate Lewis }
${routing}
teams:
  allowedTenants: [${tenants}]
  send: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 4 }
${options.extraYaml ?? ''}
`;
  const clock = new TestClock(Date.parse('2025-05-12T09:15:00Z'));
  const agents = new RecordingChannel();
  const app = await createApp(testConfig(yaml, await database.create()), {
    clock,
    logger: createLogger('silent'),
    channels: { agent: agents, customer: agents },
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.http.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  let counter = 0;

  const activity = (name: string, user: PersonRef, patch: Record<string, unknown> = {}) => {
    const a = JSON.parse(readFileSync(new URL(`${name}.json`, fixtureDir), 'utf8')) as Record<string, unknown>;
    a.serviceUrl = emulator.serviceUrl;
    a.from = { id: `29:${user.id}`, name: user.name, aadObjectId: user.id };
    a.conversation = { ...(a.conversation as object), id: `a:${user.id}` };
    return { ...a, ...patch };
  };
  const world: TeamsWorld = {
    app,
    emulator,
    clock,
    references: createSqlConversationReferenceStore(app.database),
    agents,
    async post(body) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      await app.outbox.drain();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    },
    async command(command) {
      const result = await app.commands.execute(command);
      await app.outbox.drain();
      return result;
    },
    async install(user) {
      const res = await world.post(activity('installation-update-add', user));
      if (res.status >= 300) throw new Error(`install failed: ${res.status}`);
    },
    async consult(targets, text = 'Hi, can you help with a broken TV?') {
      const interactionId = `ix-${++counter}`;
      const id = targets.length === 1 && targets[0]?.id === JIM.id ? 'tv-jim' : 'tv-all';
      const started = await world.command({
        type: 'StartIm',
        interactionId,
        initiator: KATE,
        target: { kind: 'routing-point', id, name: 'TV experts' },
        text,
        attachedData: { CallType: 'Inbound', Priority: 'High', Reason: 'Broken TV', Segment: 'Gold', Secret: 'x' },
      });
      if (!started.ok) throw new Error(started.refusal.message);
      const ix = await app.store.get(interactionId);
      const invitations = (ix?.invitations ?? []).map((i) => ({ invitationId: i.id, to: i.target.id }));
      const offered = invitations.map((i) => i.to).sort();
      const expected = targets.map((t) => t.id).sort();
      if (JSON.stringify(offered) !== JSON.stringify(expected)) throw new Error(`offered to ${offered.join(', ')}`);
      return { interactionId, invitations };
    },
    async advance(ms) {
      clock.advance(ms);
      await app.timeouts.fireDue();
      await app.outbox.drain();
    },
    activity,
    click: (user, verb, data) =>
      activity('invoke-adaptive-card-action', user, {
        value: { action: { type: 'Action.Execute', title: verb, verb, data }, trigger: 'manual' },
      }),
    say: (user, text) => activity('message', user, { text }),
    chat: (user) => emulator.activitiesOf(`a:${user.id}`),
    async effectCount() {
      const row = await app.database.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.stop();
      await emulator.close();
      await database.cleanup();
    },
  };
  return world;
}
