/** The emulator enforces the Teams limits and records what it got. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../src/dev/bot-connector-emulator/bot-connector-emulator.js';

let now = 0;
let em: BotConnectorEmulator;
beforeEach(async () => {
  now = 1_000_000;
  em = await startBotConnectorEmulator({ tenantPerSecond: 10, now: () => now });
});
afterEach(async () => {
  await em.close();
});

const send = (conversationId: string, tenantId = 't') =>
  fetch(`${em.serviceUrl}v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: 'x', conversation: { id: conversationId, tenantId } }),
  });

describe('Bot Connector emulator', () => {
  test('the 8th send in a second to one conversation gets 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await send('a:1')).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 429]);
    expect(em.requests.at(-1)?.status).toBe(429);
    now += 1000;
    expect((await send('a:1')).status).toBe(201);
    // 8 per 2 s: the ninth within two seconds is refused again.
    expect((await send('a:1')).status).toBe(429);
    expect(em.stats().throttledConversation).toBe(2);
  });

  test('the tenant limit spans conversations', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await send(`a:${i}`)).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    const refused = await send('a:other');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(em.stats().throttledTenant).toBe(2);
  });

  test('updates replace the stored activity; unknown ids are 404', async () => {
    const { id } = (await (await send('a:1')).json()) as { id: string };
    const put = await fetch(`${em.serviceUrl}v3/conversations/a%3A1/activities/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'changed', conversation: { id: 'a:1', tenantId: 't' } }),
    });
    expect(put.status).toBe(200);
    expect(em.activitiesOf('a:1').map((a) => a.text)).toEqual(['changed']);
    const missing = await fetch(`${em.serviceUrl}v3/conversations/a%3A1/activities/nope`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(missing.status).toBe(404);
  });

  test('injected failures answer first, then normal service resumes', async () => {
    em.inject({ status: 502, count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send('a:1')).status);
    expect(statuses).toEqual([502, 502, 201]);
  });
});

describe('Bot Connector emulator: a POST held in flight (test control)', () => {
  test('held, then taken: the activity is created and answered; other conversations are not held', async () => {
    const held = em.hold({ conversationId: 'a:1' });
    expect((await send('a:2')).status).toBe(201);
    const answer = send('a:1');
    await held.arrived;
    expect(held.activity()?.text).toBe('x');
    expect(em.activitiesOf('a:1')).toHaveLength(0);
    await held.accept();
    expect((await answer).status).toBe(201);
    expect(em.activitiesOf('a:1')).toHaveLength(1);
  });

  test('held, then lost: the connection drops and nothing is created or recorded', async () => {
    const held = em.hold();
    const answer = send('a:1').then(
      () => 'answered',
      () => 'dropped',
    );
    await held.arrived;
    held.drop();
    expect(await answer).toBe('dropped');
    expect(em.activitiesOf('a:1')).toHaveLength(0);
    expect(em.requests).toHaveLength(0);
    expect((await send('a:1')).status).toBe(201); // the next is answered as usual
  });
});

describe('Bot Connector emulator token endpoint', () => {
  test("issues a Bot Framework token for the bot's credentials and refuses a wrong secret", async () => {
    const bot = await startBotConnectorEmulator({ botCredentials: { appId: 'bot-1', password: 's3cret' } });
    try {
      const ask = (secret: string) =>
        fetch(`${bot.loginBaseUrl}/botframework.com/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: 'bot-1',
            client_secret: secret,
            scope: 'https://api.botframework.com/.default',
          }),
        });
      const ok = await ask('s3cret');
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
      const wrong = await ask('guess');
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
      expect(bot.tokensIssued()).toBe(1);
    } finally {
      await bot.close();
    }
  });
});
