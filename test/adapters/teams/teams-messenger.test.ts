/** The Messenger against the Bot Connector emulator: retries, unreachable users, proactive install through Graph. */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { InMemoryActiveSessionStore } from '../../../src/adapters/teams/active-session-store.js';
import { createBotAdapter } from '../../../src/adapters/teams/bot-endpoint.js';
import { InMemoryCardActivityStore } from '../../../src/adapters/teams/card-activity-store.js';
import { InMemoryConversationReferenceStore } from '../../../src/adapters/teams/conversation-reference-store.js';
import { createGraphInstaller, type GraphCall } from '../../../src/adapters/teams/proactive-installer.js';
import { createRateLimitedSender } from '../../../src/adapters/teams/rate-limited-sender.js';
import { TeamsMessenger } from '../../../src/adapters/teams/teams-messenger.js';
import type { Deliver } from '../../../src/domain/interaction/effects.js';
import { type Harness, JIM, KATE, startHarness } from './bot-harness.js';

const line = (text: string, to = JIM): Deliver => ({
  type: 'Deliver',
  interactionId: 'ix-1',
  partyId: 'p-1',
  to,
  entry: { seq: 1, at: 0, kind: 'message', partyId: 'p-0', name: KATE.name, text, audience: 'all', event: null },
});

describe('messenger and the Bot Connector', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.install(JIM);
  });
  afterEach(async () => {
    await h.close();
  });

  test('a 429 with Retry-After is retried: the message arrives once, after the one before it', async () => {
    h.emulator.inject({ status: 429, retryAfterSeconds: 0, conversationId: `a:${JIM.id}` });
    await Promise.all([h.messenger.execute(line('one')), h.messenger.execute(line('two'))]);
    const statuses = h.emulator.requests.filter((r) => r.conversationId === `a:${JIM.id}`).map((r) => r.status);
    expect(statuses.slice(1)).toEqual([429, 201, 201]);
    expect(
      h
        .chat(JIM)
        .slice(1)
        .map((a) => a.text),
    ).toEqual(['Kate Lewis: one', 'Kate Lewis: two']);
  });

  test.each([412, 502, 504] as const)('%i is retried and the message arrives once', async (status) => {
    h.emulator.inject({ status, count: 1 });
    expect(await h.messenger.execute(line('hello'))).toEqual({ status: 'done' });
    expect(
      h
        .chat(JIM)
        .slice(1)
        .map((a) => a.text),
    ).toEqual(['Kate Lewis: hello']);
  });

  test('403 MessageWritesBlocked: unreachable, blocked', async () => {
    h.emulator.inject({ status: 403, code: 'MessageWritesBlocked' });
    expect(await h.messenger.execute(line('hello'))).toMatchObject({ status: 'unreachable', reason: 'blocked' });
  });

  test('no conversation reference and no installer: unreachable, not installed', async () => {
    const stranger = { id: 'kw-nobody', name: 'No Body', kind: 'knowledge-worker' as const };
    expect(await h.messenger.execute(line('hello', stranger))).toMatchObject({
      status: 'unreachable',
      reason: 'not-installed',
    });
  });

  test('effects for agents and customers are not Teams business', async () => {
    expect(await h.messenger.execute(line('hello', KATE))).toEqual({
      status: 'skipped',
      reason: 'not-a-knowledge-worker',
    });
  });

  test('ReplayTranscript: the conversation so far, attributed, in one message', async () => {
    const entry = (seq: number, name: string, text: string) =>
      ({ seq, at: 0, kind: 'message', partyId: 'p', name, text, audience: 'all', event: null }) as const;
    await h.messenger.execute({
      type: 'ReplayTranscript',
      interactionId: 'ix-1',
      partyId: 'p-1',
      to: JIM,
      entries: [entry(1, 'Customer', 'My TV is broken.'), entry(2, KATE.name, 'Let me ask an expert.')],
    });
    expect(h.chat(JIM).at(-1)?.text).toBe(
      '**The conversation so far:**\n\nCustomer: My TV is broken.\n\nKate Lewis: Let me ask an expert.',
    );
  });

  test('UpdatePreview for a card never sent: no-card, nothing sent', async () => {
    const before = h.emulator.requests.length;
    const out = await h.messenger.execute({
      type: 'UpdatePreview',
      interactionId: 'ix-unknown',
      invitationId: 'inv-unknown',
      to: JIM,
      outcome: 'expired',
      by: null,
    });
    expect(out).toEqual({ status: 'no-card' });
    expect(h.emulator.requests.length).toBe(before);
  });
});

describe('proactive install through Graph', () => {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(() => {
    nock.enableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
  });

  /** A plain Graph call over fetch: the graph adapter's throttled client stands here in production. */
  const graph: GraphCall = async (method, path, body) => {
    const res = await fetch(`https://graph.microsoft.com/v1.0${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-token' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };

  test('installs the app, finds the chat, and sends there', async () => {
    const scope = nock('https://graph.microsoft.com/v1.0')
      .post('/users/kw-new/teamwork/installedApps', { 'teamsApp@odata.bind': /appCatalogs\/teamsApps\/cat-1$/ })
      .reply(201, {})
      .get('/users/kw-new/teamwork/installedApps')
      .query(true)
      .reply(200, { value: [{ id: 'install-1' }] })
      .get('/users/kw-new/teamwork/installedApps/install-1/chat')
      .reply(200, { id: '19:kw-new_bot@unq.gbl.spaces' });
    const h = await startHarness();
    try {
      const references = new InMemoryConversationReferenceStore();
      const messenger = new TeamsMessenger({
        adapter: createBotAdapter({ botAppId: '', botAppPassword: '', botAppType: 'MultiTenant' }),
        botAppId: '',
        references,
        cards: new InMemoryCardActivityStore(),
        sessions: new InMemoryActiveSessionStore(),
        sender: createRateLimitedSender(),
        installer: createGraphInstaller(graph, {
          teamsCatalogAppId: 'cat-1',
          tenantId: 't-1',
          botAppId: 'bot-1',
          serviceUrl: h.emulator.serviceUrl,
        }),
      });
      const someone = { id: 'kw-new', name: 'New Person', kind: 'knowledge-worker' as const };
      expect(await messenger.execute(line('welcome', someone))).toEqual({ status: 'done' });
      expect(scope.isDone()).toBe(true);
      expect(h.emulator.activitiesOf('19:kw-new_bot@unq.gbl.spaces').map((a) => a.text)).toEqual([
        'Kate Lewis: welcome',
      ]);
      expect((await references.get('kw-new'))?.tenantId).toBe('t-1');
    } finally {
      await h.close();
    }
  });

  test('a refused install: unreachable, install-failed, with the reason', async () => {
    const scope = nock('https://graph.microsoft.com/v1.0')
      .post('/users/kw-new/teamwork/installedApps')
      .reply(403, { error: { code: 'Forbidden', message: 'Missing role' } });
    const installer = createGraphInstaller(graph, {
      teamsCatalogAppId: 'cat-1',
      tenantId: 't-1',
      botAppId: 'bot-1',
      serviceUrl: 'http://127.0.0.1:9/',
    });
    expect(await installer.install('kw-new')).toEqual({
      ok: false,
      detail: 'Installing the app for the user failed (Graph 403).',
    });
    expect(scope.isDone()).toBe(true);
  });
});
