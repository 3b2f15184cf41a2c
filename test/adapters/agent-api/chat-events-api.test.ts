/**
 * Customer chats posted by the platform and handled by agents through HTTP; the SSE stream resuming with
 * Last-Event-ID; webhooks signed per Standard Webhooks and redelivered after a failing receiver.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { readEvents, readSse } from '../../support/event-readers.js';
import { TestClock } from '../../support/test-app.js';
import { startWebhookReceiver } from '../../support/webhook-receiver.js';

describe.each(testDatabases())('agent API (chats, events, webhooks) on $name', (database) => {
  let t: ApiTestApp;
  const clock = new TestClock();
  const servers: http.Server[] = [];
  afterAll(() => database.cleanup());
  afterEach(async () => {
    for (const s of servers.splice(0)) s.close();
    await t?.app.stop();
  });

  const listen = async (handler: http.RequestListener | express.Express) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  test('a queued chat is routed through a routing point to an expert; the platform relays both sides; the customer leaves', async () => {
    t = await startApiApp(await database.create(), clock);
    const { app, keys, experts } = t;
    const chat = await request(app.http)
      .post('/api/v1/chats')
      .set(bearer(keys.platform))
      .send({ id: 'chat-1', customer: { name: 'Pat Customer' }, queueId: 'inbound-chat', text: 'My TV is broken' })
      .expect(201);
    expect(chat.body.status).toBe('waiting');
    await request(app.http)
      .post('/api/v1/chats')
      .set(bearer(keys.kate))
      .send({ customer: { name: 'x' }, queueId: 'inbound-chat' })
      .expect(403);
    await request(app.http)
      .post('/api/v1/chats')
      .set(bearer(keys.platform))
      .send({ customer: { name: 'x' }, queueId: 'nope' })
      .expect(404);
    await request(app.http)
      .post('/api/v1/chats')
      .set(bearer(keys.platform))
      .send({ id: 'chat-1', customer: { name: 'x' }, queueId: 'inbound-chat' })
      .expect(409);
    await request(app.http)
      .post('/api/v1/chats/chat-1/route')
      .set(bearer(keys.platform))
      .send({ routingPointId: 'billing' })
      .expect(200);
    await app.outbox.drain();
    const preview = experts.to('kw-ann').find((e) => e.type === 'SendPreview');
    expect(preview).toMatchObject({ previewText: 'My TV is broken' });
    const invitationId = preview?.type === 'SendPreview' ? preview.invitationId : '';
    await app.commands.execute({ type: 'Accept', interactionId: 'chat-1', invitationId, by: 'kw-ann' });
    await app.commands.execute({ type: 'SendMessage', interactionId: 'chat-1', from: 'kw-ann', text: 'Hi Pat' });
    await request(app.http)
      .post('/api/v1/chats/chat-1/customer-messages')
      .set(bearer(keys.platform))
      .send({ text: 'Hello?' })
      .expect(200);
    await request(app.http)
      .post('/api/v1/chats/chat-1/route')
      .set(bearer(keys.platform))
      .send({ routingPointId: 'billing' })
      .expect(400);
    // Kate is no party: she cannot read it.
    await request(app.http).get('/api/v1/interactions/chat-1').set(bearer(keys.kate)).expect(403);
    const left = await request(app.http)
      .post('/api/v1/chats/chat-1/customer-leaves')
      .set(bearer(keys.platform))
      .expect(200);
    expect(left.body.endedAt).not.toBeNull();
    await app.outbox.drain();
    const platformEvents = await readEvents(app.http, keys.platform);
    const replies = platformEvents.filter((e) => e.type === 'message' && e.data.to.kind === 'customer');
    expect(replies.map((e) => e.data.entry.text)).toContain('Hi Pat');
  });

  test('a dropped SSE stream resumes with Last-Event-ID and misses nothing', async () => {
    t = await startApiApp(await database.create(), clock);
    const { app, keys } = t;
    const base = await listen(app.http);
    const url = `${base}/api/v1/events/stream?after=0`;
    const first = readSse(url, bearer(keys.kate), 1);
    await app.agentSide.publishKnowledgeWorkerState('kw-ann', { kind: 'Busy' }, clock.now());
    const [one] = await first;
    expect(one).toMatchObject({ event: 'knowledge-worker.state', data: { data: { state: { kind: 'Busy' } } } });
    // While Kate is disconnected:
    await app.agentSide.publishKnowledgeWorkerState('kw-ann', { kind: 'Ready' }, clock.now() + 1);
    await app.agentSide.publishKnowledgeWorkerState('kw-leo', { kind: 'NotReady', reason: 'Away' }, clock.now() + 2);
    const missed = await readSse(
      `${base}/api/v1/events/stream`,
      { ...bearer(keys.kate), 'last-event-id': one?.id ?? '' },
      2,
    );
    expect(missed.map((e) => e.data.data.state.kind)).toEqual(['Ready', 'NotReady']);
    expect(Number(missed[0]?.id)).toBeGreaterThan(Number(one?.id));
  });

  test('webhooks are signed per Standard Webhooks and redelivered after the receiver fails', async () => {
    t = await startApiApp(
      await database.create(),
      clock, // The receiver listens on loopback.
      'agentApi:\n  webhooks: { retryBaseMs: 1000, allowPrivateTargets: true }\n',
    );
    const { app, keys } = t;
    // The first delivery fails with a 500.
    const receiver = await startWebhookReceiver(app.http, (n) => (n === 0 ? 500 : 204));
    servers.push(receiver.server);
    const { url } = receiver;
    const received = receiver.received;
    const idOf = (r: (typeof received)[number] | undefined) => r?.headers['webhook-id'];
    const created = await request(app.http)
      .post('/api/v1/webhooks')
      .set(bearer(keys.platform))
      .send({ url, types: ['knowledge-worker.state'] })
      .expect(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    await request(app.http).post('/api/v1/webhooks').set(bearer(keys.platform)).send({ url: 'ftp://x' }).expect(400);

    await app.agentSide.publishKnowledgeWorkerState('kw-eve', { kind: 'Ready' }, clock.now());
    expect(await app.agentSide.webhooks.drain()).toEqual({ delivered: 0, failed: 1 });
    expect(await app.agentSide.webhooks.drain()).toEqual({ delivered: 0, failed: 0 });
    clock.advance(1_000);
    expect(await app.agentSide.webhooks.drain()).toEqual({ delivered: 1, failed: 0 });
    expect(received.map((r) => r.status)).toEqual([500, 204]);
    expect(idOf(received[0])).toBe(idOf(received[1]));

    // The verifier checks the timestamp against its own clock: set it to the connector's.
    vi.useFakeTimers({ now: clock.now(), toFake: ['Date'] });
    const verifier = new Webhook(created.body.secret);
    const last = received[1];
    const headers = (last?.headers ?? {}) as Record<string, string>;
    const event = verifier.verify(last?.body ?? '', headers) as Record<string, unknown>;
    expect(event).toMatchObject({
      specversion: '1.0',
      id: idOf(last),
      type: 'com.teams-uc-connector.knowledge-worker.state',
      datacontenttype: 'application/json',
      data: { knowledgeWorker: { id: 'kw-eve', name: 'Eve Engineer' }, state: { kind: 'Ready' } },
    });
    expect(() =>
      new Webhook(`whsec_${Buffer.from('another secret').toString('base64')}`).verify(last?.body ?? '', headers),
    ).toThrow();
    vi.useRealTimers();
    expect(t.logs.join('')).not.toContain(created.body.secret);
  });
});
