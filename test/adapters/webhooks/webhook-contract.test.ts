/**
 * Webhook deliveries as a receiver sees them: every event of a consultation and a customer chat reaches an endpoint
 * registered for all types, verified with the `standardwebhooks` library, read with the `cloudevents` library (which
 * checks the CloudEvents 1.0 attributes), and matching the served AsyncAPI document's message schemas (the shared
 * receiver checks each request; the drift test shows the check refuses a body or headers that drift).
 */
import type { Server } from 'node:http';
import { HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { checkWebhook } from '../../support/event-contract.js';
import { readEvents } from '../../support/event-readers.js';
import { TestClock } from '../../support/test-app.js';
import { startWebhookReceiver } from '../../support/webhook-receiver.js';

describe('webhook deliveries, read by a receiver with standardwebhooks and cloudevents', () => {
  const database = testDatabases()[0];
  let t: ApiTestApp | undefined;
  let server: Server | undefined;
  afterAll(() => database?.cleanup());
  afterEach(async () => {
    server?.close();
    await t?.app.stop();
  });

  test('each event arrives once, signed, as a valid CloudEvent matching the served schemas', async () => {
    if (!database) throw new Error('no test database');
    // The verifier checks the timestamp against the real time: the connector's clock starts from it.
    const clock = new TestClock(Date.now());
    // The receiver listens on loopback.
    t = await startApiApp(await database.create(), clock, 'agentApi:\n  webhooks: { allowPrivateTargets: true }\n');
    const { app, keys, experts } = t;
    const receiver = await startWebhookReceiver(app.http);
    server = receiver.server;
    const { received } = receiver;
    const hook = await request(app.http)
      .post('/api/v1/webhooks')
      .set(bearer(keys.platform))
      .send({ url: receiver.url })
      .expect(201);

    // Kate consults Ann; Ann accepts and answers; Kate ends it. A customer chat is offered to Kate, who takes it; the
    // customer leaves.
    const im = await request(app.http)
      .post('/api/v1/interactions')
      .set(bearer(keys.kate))
      .send({ target: { kind: 'knowledge-worker', id: 'kw-ann' }, text: 'Can you check an invoice?' })
      .expect(201);
    const accept = async (interactionId: string) => {
      await app.outbox.drain();
      const preview = experts.to('kw-ann').findLast((e) => e.type === 'SendPreview');
      const invitationId = preview?.type === 'SendPreview' ? preview.invitationId : '';
      await app.commands.execute({ type: 'Accept', interactionId, invitationId, by: 'kw-ann' });
    };
    await accept(im.body.id);
    await app.commands.execute({ type: 'SendMessage', interactionId: im.body.id, from: 'kw-ann', text: 'Paid.' });
    await request(app.http).post(`/api/v1/interactions/${im.body.id}/end`).set(bearer(keys.kate)).expect(200);
    const chat = { id: 'chat-1', customer: { name: 'Pat Customer' }, queueId: 'inbound-chat', text: 'Hello' };
    await request(app.http).post('/api/v1/chats').set(bearer(keys.platform)).send(chat).expect(201);
    await request(app.http)
      .post('/api/v1/chats/chat-1/route')
      .set(bearer(keys.platform))
      .send({ queueId: 'inbound-chat' })
      .expect(200);
    await app.outbox.drain();
    // The invitation to accept is in the `invitation.offered` event's data.
    const offered = (await readEvents(app.http, keys.kate)).find((e) => e.type === 'invitation.offered');
    await request(app.http)
      .post(`/api/v1/interactions/chat-1/invitations/${offered?.data.invitationId}/accept`)
      .set(bearer(keys.kate))
      .expect(200);
    await request(app.http).post('/api/v1/chats/chat-1/customer-leaves').set(bearer(keys.platform)).expect(200);
    await app.agentSide.publishKnowledgeWorkerState('kw-ann', { kind: 'NotReady', reason: 'Away' }, clock.now());
    await app.outbox.drain();
    await app.agentSide.webhooks.drain();

    const all = await readEvents(app.http, keys.platform);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(all.map((e) => e.id));
    const verifier = new Webhook(hook.body.secret);
    for (const r of received) {
      const signed = verifier.verify(r.body, r.headers as Record<string, string>);
      const event = HTTP.toEvent({ headers: r.headers, body: r.body });
      if (Array.isArray(event)) throw new Error('a batch, where one event was expected');
      expect(event.id).toBe(r.headers['webhook-id']);
      expect({ ...event }).toMatchObject(signed as object);
      await checkWebhook(app.http, r.headers, JSON.parse(r.body));
    }
    const types = new Set(received.map((r) => JSON.parse(r.body).type));
    expect([...types]).toEqual(
      expect.arrayContaining([
        'com.teams-uc-connector.invitation.offered',
        'com.teams-uc-connector.invitation.closed',
        'com.teams-uc-connector.invitation.accepted',
        'com.teams-uc-connector.message',
        'com.teams-uc-connector.party.joined',
        'com.teams-uc-connector.party.left',
        'com.teams-uc-connector.transcript.replayed',
        'com.teams-uc-connector.interaction.ended',
        'com.teams-uc-connector.knowledge-worker.state',
      ]),
    );
    // Events for an agent name the agent in `data.agentId`, as the document says.
    const forKate = received.map((r) => JSON.parse(r.body)).find((e) => e.data.to?.id === 'agent-kate');
    expect(forKate?.data.agentId).toBe('agent-kate');
  });

  test('a body that drifts from the served schemas is refused by the contract check', async () => {
    if (!database) throw new Error('no test database');
    t = await startApiApp(await database.create(), new TestClock());
    const headers = {
      'content-type': 'application/cloudevents+json',
      'webhook-id': '1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': 'v1,abc=',
    };
    const state = {
      specversion: '1.0',
      id: '1',
      source: 'urn:teams-uc-connector:contact-center:default',
      type: 'com.teams-uc-connector.knowledge-worker.state',
      time: '2026-01-15T09:00:00.000Z',
      datacontenttype: 'application/json',
      data: {
        knowledgeWorker: { id: 'kw-ann', name: 'Ann' },
        state: { kind: 'Ready' },
        at: '2026-01-15T09:00:00.000Z',
      },
    };
    await checkWebhook(t.app.http, headers, state);
    await expect(
      checkWebhook(t.app.http, headers, { ...state, data: { ...state.data, state: 'Ready' } }),
    ).rejects.toThrow(/does not match the served AsyncAPI document/);
    await expect(checkWebhook(t.app.http, { ...headers, 'webhook-signature': 'abc' }, state)).rejects.toThrow(
      /webhook headers/,
    );
  });
});
