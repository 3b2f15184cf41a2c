/**
 * The one message cap on the agent API's side: an agent's message, an IM's first message, a customer chat's first
 * message and a customer's message longer than MAX_MESSAGE_LENGTH are refused with a problem document naming the
 * limit and change nothing; messages at the limit go through; the OpenAPI document states the limit.
 */
import request from 'supertest';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { MAX_MESSAGE_LENGTH } from '../../../src/domain/interaction/message-length.js';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

const database = testDatabases()[0];
if (!database) throw new Error('no test database');
const atLimit = 'a'.repeat(MAX_MESSAGE_LENGTH);
const overLimit = 'b'.repeat(MAX_MESSAGE_LENGTH + 1);
const tooLong = [{ name: 'body.text', reason: 'at most 10,000 characters' }];

describe('the message length cap in the agent API', () => {
  let t: ApiTestApp | undefined;
  afterAll(() => database.cleanup());
  afterEach(async () => {
    await t?.app.stop();
    t = undefined;
  });

  test('an agent: at the limit goes through, one over is refused and changes nothing', async () => {
    t = await startApiApp(await database.create(), new TestClock());
    const { app, keys } = t;
    const kate = bearer(keys.kate);
    const refused = await request(app.http)
      .post('/api/v1/interactions')
      .set(kate)
      .send({ id: 'im-long', target: { kind: 'knowledge-worker', id: 'kw-ann' }, text: overLimit })
      .expect(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body['invalid-params']).toEqual(tooLong);
    await request(app.http).get('/api/v1/interactions/im-long').set(kate).expect(404);

    await request(app.http)
      .post('/api/v1/interactions')
      .set(kate)
      .send({ id: 'im-1', target: { kind: 'knowledge-worker', id: 'kw-ann' }, text: atLimit })
      .expect(201);
    await app.outbox.drain();
    const events = async () => (await request(app.http).get('/api/v1/events').set(kate).expect(200)).body.events;
    const transcript = async () =>
      (await request(app.http).get('/api/v1/interactions/im-1/transcript').set(kate).expect(200)).body.entries;
    const eventsBefore = await events();
    const transcriptBefore = await transcript();
    expect(transcriptBefore.filter((e: { kind: string }) => e.kind === 'message')).toEqual([
      expect.objectContaining({ name: 'Kate Lewis', text: atLimit }),
    ]);

    const message = await request(app.http)
      .post('/api/v1/interactions/im-1/messages')
      .set(kate)
      .send({ text: overLimit })
      .expect(400);
    expect(message.body['invalid-params']).toEqual(tooLong);
    expect(await transcript()).toEqual(transcriptBefore);
    expect(await events()).toEqual(eventsBefore);
  });

  test('the platform: a customer chat and a customer message over the limit are refused', async () => {
    t = await startApiApp(await database.create(), new TestClock());
    const { app, keys } = t;
    const platform = bearer(keys.platform);
    const chat = await request(app.http)
      .post('/api/v1/chats')
      .set(platform)
      .send({ id: 'c-long', customer: { name: 'Pat' }, queueId: 'inbound-chat', text: overLimit })
      .expect(400);
    expect(chat.body['invalid-params']).toEqual(tooLong);
    await request(app.http).get('/api/v1/interactions/c-long').set(platform).expect(404);

    await request(app.http)
      .post('/api/v1/chats')
      .set(platform)
      .send({ id: 'c-1', customer: { name: 'Pat' }, queueId: 'inbound-chat', text: atLimit })
      .expect(201);
    const said = await request(app.http)
      .post('/api/v1/chats/c-1/customer-messages')
      .set(platform)
      .send({ text: overLimit })
      .expect(400);
    expect(said.body['invalid-params']).toEqual(tooLong);
    const entries = (await request(app.http).get('/api/v1/interactions/c-1/transcript').set(platform).expect(200)).body
      .entries as { kind: string; text: string }[];
    expect(entries.filter((e) => e.kind === 'message').map((e) => e.text.length)).toEqual([MAX_MESSAGE_LENGTH]);
  });

  test('the OpenAPI document states the limit on every message text', async () => {
    t = await startApiApp(await database.create(), new TestClock());
    const doc = (await request(t.app.http).get('/openapi.json').expect(200)).body;
    const textOf = (path: string) =>
      doc.paths[path].post.requestBody.content['application/json'].schema.properties.text as { maxLength: number };
    for (const path of [
      '/api/v1/interactions',
      '/api/v1/interactions/{id}/messages',
      '/api/v1/chats',
      '/api/v1/chats/{id}/customer-messages',
    ]) {
      expect(textOf(path).maxLength).toBe(MAX_MESSAGE_LENGTH);
    }
  });
});
