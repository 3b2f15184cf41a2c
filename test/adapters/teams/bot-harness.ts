/**
 * Test harness for the Teams adapter: the real bot (CloudAdapter in local mode) over HTTP on an ephemeral port,
 * the Bot Connector emulator as Teams' side, the real interaction engine behind InteractionCommands, and the
 * Messenger executing its effects. Fakes only at the network edge.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { InMemoryActiveSessionStore } from '../../../src/adapters/teams/active-session-store.js';
import { createBotAdapter, createBotRouter } from '../../../src/adapters/teams/bot-endpoint.js';
import { InMemoryCardActivityStore } from '../../../src/adapters/teams/card-activity-store.js';
import { ConnectorBot } from '../../../src/adapters/teams/connector-bot.js';
import { InMemoryConversationReferenceStore } from '../../../src/adapters/teams/conversation-reference-store.js';
import { createRateLimitedSender } from '../../../src/adapters/teams/rate-limited-sender.js';
import { type MessengerOutcome, TeamsMessenger } from '../../../src/adapters/teams/teams-messenger.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { InMemoryInteractionCommands } from '../../../src/dev/in-memory-interaction-commands.js';
import type { Effect, SendPreview } from '../../../src/domain/interaction/effects.js';
import type { PersonRef } from '../../../src/domain/interaction/types.js';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const KATE: PersonRef = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' };
export const JIM: PersonRef = { id: 'kw-jim', name: 'Jim Miller', kind: 'knowledge-worker' };
export const ANN: PersonRef = { id: 'kw-ann', name: 'Ann Lee', kind: 'knowledge-worker' };
export const EVE: PersonRef = { id: 'kw-eve', name: 'Eve Stone', kind: 'knowledge-worker' };

const fixtureDir = new URL('../../fixtures/teams/', import.meta.url);

/** A fixture activity, addressed to the emulator and sent by `user`. */
export function fixture(name: string, serviceUrl: string, user: PersonRef, patch: Record<string, unknown> = {}) {
  const a = JSON.parse(readFileSync(new URL(`${name}.json`, fixtureDir), 'utf8')) as Record<string, unknown>;
  a.serviceUrl = serviceUrl;
  a.from = { id: `29:${user.id}`, name: user.name, aadObjectId: user.id };
  a.conversation = { ...(a.conversation as object), id: `a:${user.id}` };
  return { ...a, ...patch };
}

/** A running bot with everything around it. */
export interface Harness {
  emulator: BotConnectorEmulator;
  commands: InMemoryInteractionCommands;
  messenger: TeamsMessenger;
  references: InMemoryConversationReferenceStore;
  outcomes: MessengerOutcome[];
  /** Moves the engine's clock. */
  advance(ms: number): void;
  post(activity: unknown): Promise<{ status: number; body: unknown }>;
  install(user: PersonRef): Promise<void>;
  /** The agent Kate asks the routing point; the router offers it to `targets`. Returns the previews sent. */
  consult(targets: PersonRef[], text?: string): Promise<{ interactionId: string; previews: SendPreview[] }>;
  /** The activities (as they stand) in a user's conversation at the emulator. */
  chat(user: PersonRef): Record<string, unknown>[];
  close(): Promise<void>;
}

let counter = 0;

/** Starts the harness. `allowedTenants` defaults to the fixtures' tenant. */
export async function startHarness(opts: { allowedTenants?: string[]; invokeDeadlineMs?: number } = {}) {
  const emulator = await startBotConnectorEmulator();
  let now = Date.parse('2025-05-12T09:15:00Z');
  const references = new InMemoryConversationReferenceStore();
  const cards = new InMemoryCardActivityStore();
  const sessions = new InMemoryActiveSessionStore();
  const sender = createRateLimitedSender({ baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 4 });
  const adapter = createBotAdapter({ botAppId: '', botAppPassword: '', botAppType: 'MultiTenant' });
  const outcomes: MessengerOutcome[] = [];
  let messenger: TeamsMessenger | undefined;
  const commands = new InMemoryInteractionCommands({
    now: () => now,
    onEffects: async (effects: readonly Effect[]) => {
      for (const e of effects) if (messenger) outcomes.push(await messenger.execute(e));
    },
  });
  messenger = new TeamsMessenger({
    adapter,
    botAppId: '',
    references,
    cards,
    sessions,
    sender,
    interactions: commands,
  });
  const bot = new ConnectorBot({
    commands,
    references,
    sessions,
    options: { allowedTenants: opts.allowedTenants ?? [TENANT], invokeDeadlineMs: opts.invokeDeadlineMs ?? 4000 },
  });
  const app = express();
  app.use(createBotRouter({ adapter, bot, localMode: true }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;

  const post = async (activity: unknown) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof activity === 'string' ? activity : JSON.stringify(activity),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };

  const harness: Harness = {
    emulator,
    commands,
    messenger,
    references,
    outcomes,
    advance: (ms) => {
      now += ms;
    },
    post,
    install: async (user) => {
      const res = await post(fixture('installation-update-add', emulator.serviceUrl, user));
      if (res.status >= 300) throw new Error(`install failed: ${res.status}`);
    },
    consult: async (targets, text = 'Hi, can you help with a broken TV?') => {
      const interactionId = `ix-${++counter}`;
      const before = commands.effects.length;
      const started = await commands.execute({
        type: 'StartIm',
        interactionId,
        initiator: KATE,
        target: { kind: 'routing-point', id: 'rp-tv', name: 'TV experts' },
        text,
        attachedData: { CallType: 'Inbound', Priority: 'High', Reason: 'Broken TV', Segment: 'Gold', Secret: 'x' },
      });
      if (!started.ok) throw new Error(started.refusal.message);
      const route = commands.effects.slice(before).find((e) => e.type === 'RouteRequest');
      if (route?.type !== 'RouteRequest') throw new Error('no RouteRequest');
      const offered = await commands.execute({
        type: 'Offer',
        interactionId,
        requestId: route.requestId,
        targets,
        via: { kind: 'routing-point', id: 'rp-tv', name: 'TV experts' },
        timeoutMs: 60_000,
      });
      if (!offered.ok) throw new Error(offered.refusal.message);
      const previews = commands.effects.slice(before).filter((e): e is SendPreview => e.type === 'SendPreview');
      return { interactionId, previews };
    },
    chat: (user) => emulator.activitiesOf(`a:${user.id}`),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
    },
  };
  return harness;
}

/** The invoke a click on a card button sends. */
export function click(h: Harness, user: PersonRef, verb: string, data: Record<string, unknown>) {
  return fixture('invoke-adaptive-card-action', h.emulator.serviceUrl, user, {
    value: { action: { type: 'Action.Execute', title: verb, verb, data }, trigger: 'manual' },
  });
}

/** A message the user types. */
export function say(h: Harness, user: PersonRef, text: string) {
  return fixture('message', h.emulator.serviceUrl, user, { text });
}

/** The Adaptive Card of an activity, if it has one. */
export function cardOf(activity: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const attachments = activity?.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined;
  return attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** All the text of a card, joined. */
export function cardText(card: unknown): string {
  return JSON.stringify(card);
}
