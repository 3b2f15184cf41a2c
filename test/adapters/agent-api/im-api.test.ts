/**
 * The agent API through HTTP: Team Communicator search, an IM and a consultation IM to a routing point, the
 * accepted expert's voice target, messages, transcript and end, with the error paths an agent meets.
 */

import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

describe.each(testDatabases())('agent API (IM) on $name', (database) => {
  let t: ApiTestApp;
  const clock = new TestClock();
  afterAll(() => database.cleanup());
  afterEach(async () => t?.app.stop());

  const start = async (extra = '') => {
    t = await startApiApp(await database.create(), clock, extra);
    return t;
  };

  test('the OpenAPI 3.1 document lists every operation and the reference page is served', async () => {
    const { app } = await start();
    const doc = await request(app.http).get('/openapi.json').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const ops = Object.values(doc.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) =>
      Object.values(p).map((o) => o.operationId),
    );
    expect(ops).toEqual(
      expect.arrayContaining(['startIm', 'sendMessage', 'escalate', 'receiveChat', 'streamEvents', 'getVoiceTarget']),
    );
    expect(new Set(ops).size).toBe(ops.length);
    expect(
      doc.body.paths['/api/v1/interactions'].post.requestBody.content['application/json'].schema.properties.text,
    ).toBeDefined();
    const page = await request(app.http).get('/api/v1/reference').expect(200);
    expect(page.text).toContain('/openapi.json');
  });

  test('Team Communicator finds experts by name, phone and skill, with their state', async () => {
    const { app, keys } = await start();
    const byName = await request(app.http).get('/api/v1/directory?q=ann').set(bearer(keys.kate)).expect(200);
    expect(byName.body.entries).toEqual([
      expect.objectContaining({ id: 'kw-ann', kind: 'knowledge-worker', state: { kind: 'Ready' } }),
    ]);
    const byPhone = await request(app.http).get('/api/v1/directory?q=555%200101').set(bearer(keys.kate)).expect(200);
    expect(byPhone.body.entries.map((e: { id: string }) => e.id)).toEqual(['kw-ann']);
    const eve = await request(app.http).get('/api/v1/directory?q=eve').set(bearer(keys.kate)).expect(200);
    expect(eve.body.entries[0].state).toEqual({ kind: 'Busy' });
    const rps = await request(app.http).get('/api/v1/directory?kind=routing-point').set(bearer(keys.kate)).expect(200);
    expect(rps.body.entries).toEqual([expect.objectContaining({ id: 'billing', state: { kind: 'Ready' } })]);
    const bad = await request(app.http).get('/api/v1/directory?kind=robot').set(bearer(keys.kate)).expect(400);
    expect(bad.body['invalid-params'][0].name).toBe('query.kind');
  });

  test('an IM to a routing point: accepted by an expert, voice target, messages, transcript, end', async () => {
    const { app, keys, experts } = await start();
    const started = await request(app.http)
      .post('/api/v1/interactions')
      .set(bearer(keys.kate))
      .send({
        target: { kind: 'routing-point', id: 'billing' },
        text: 'Refund question',
        attachedData: { Priority: 'High' },
      })
      .expect(201);
    const id = started.body.id as string;
    expect(started.body.status).toBe('establishing');
    await request(app.http).get(`/api/v1/interactions/${id}/voice-target`).set(bearer(keys.kate)).expect(409);
    await app.outbox.drain();
    const preview = experts.to('kw-ann')[0];
    expect(preview).toMatchObject({ type: 'SendPreview', attachedData: { Priority: 'High' } });
    const invitationId = preview?.type === 'SendPreview' ? preview.invitationId : '';
    expect((await app.commands.execute({ type: 'Accept', interactionId: id, invitationId, by: 'kw-ann' })).ok).toBe(
      true,
    );
    await app.outbox.drain();

    const ix = await request(app.http).get(`/api/v1/interactions/${id}`).set(bearer(keys.kate)).expect(200);
    expect(ix.body.parties.map((p: { person: { id: string }; status: string }) => [p.person.id, p.status])).toEqual([
      ['agent-kate', 'connected'],
      ['kw-ann', 'connected'],
    ]);
    const voice = await request(app.http)
      .get(`/api/v1/interactions/${id}/voice-target`)
      .set(bearer(keys.kate))
      .expect(200);
    expect(voice.body.knowledgeWorker).toEqual({ id: 'kw-ann', name: 'Ann Billing' });
    expect(JSON.stringify(voice.body.direct)).toContain('+14255550101');

    expect(ix.body.status).toBe('connected');
    await request(app.http)
      .post(`/api/v1/interactions/${id}/messages`)
      .set(bearer(keys.kate))
      .send({ text: 'Order 42' })
      .expect(200);
    const transcript = await request(app.http)
      .get(`/api/v1/interactions/${id}/transcript`)
      .set(bearer(keys.kate))
      .expect(200);
    expect(
      transcript.body.entries
        .filter((e: { kind: string }) => e.kind === 'message')
        .map((e: { name: string; text: string }) => `${e.name}: ${e.text}`),
    ).toEqual(['Kate Lewis: Refund question', 'Kate Lewis: Order 42']);
    const ended = await request(app.http).post(`/api/v1/interactions/${id}/end`).set(bearer(keys.kate)).expect(200);
    expect(ended.body.status).toBe('ended');
    const again = await request(app.http)
      .post(`/api/v1/interactions/${id}/messages`)
      .set(bearer(keys.kate))
      .send({ text: 'hello?' })
      .expect(409);
    expect(again.body).toMatchObject({ status: 409, code: 'interaction-ended' });
  });

  test('a consultation IM from an active IM carries its case information; cancel withdraws the preview', async () => {
    const { app, keys, experts } = await start();
    const parent = await request(app.http)
      .post('/api/v1/interactions')
      .set(bearer(keys.kate))
      .send({ id: 'parent-1', target: { kind: 'knowledge-worker', id: 'kw-leo' }, text: 'hi' })
      .expect(201);
    const consult = await request(app.http)
      .post('/api/v1/interactions')
      .set(bearer(keys.kate))
      .send({
        target: { kind: 'routing-point', id: 'billing' },
        text: 'Need billing',
        parentInteractionId: parent.body.id,
        attachedData: { Reason: 'Broken TV' },
      })
      .expect(201);
    expect(consult.body.origin).toMatchObject({ kind: 'consultation', parentInteractionId: 'parent-1' });
    expect(consult.body.attachedData).toMatchObject({ Reason: 'Broken TV' });
    await app.outbox.drain();
    await request(app.http).post(`/api/v1/interactions/${consult.body.id}/cancel`).set(bearer(keys.kate)).expect(200);
    await app.outbox.drain();
    expect(experts.to('kw-ann').map((e) => (e.type === 'UpdatePreview' ? e.outcome : e.type))).toEqual([
      'SendPreview',
      'withdrawn',
    ]);
    const twice = await request(app.http)
      .post(`/api/v1/interactions/${consult.body.id}/cancel`)
      .set(bearer(keys.kate))
      .expect(409);
    expect(twice.body.code).toBe('interaction-ended');
  });

  test('bad input, unknown ids, strangers, revoked keys and rate limits answer problem documents', async () => {
    const { app, keys } = await start('agentApi:\n  rateLimit: { requestsPerMinute: 1, burst: 3 }\n');
    const empty = await request(app.http)
      .post('/api/v1/interactions')
      .set(bearer(keys.kate))
      .send({ target: { kind: 'knowledge-worker', id: 'kw-ann' }, text: '  ' })
      .expect(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(empty.body['invalid-params']).toEqual([{ name: 'body.text', reason: 'must not be empty' }]);
    const unknown = await request(app.http)
      .post('/api/v1/interactions')
      .set(bearer(keys.kate))
      .send({ target: { kind: 'knowledge-worker', id: 'kw-nobody' }, text: 'hi' })
      .expect(404);
    expect(unknown.body['invalid-params'][0].name).toBe('body.target.id');
    await request(app.http).get('/api/v1/interactions/nope').set(bearer(keys.kate)).expect(404);
    // Kate's burst is spent: the fourth request is refused with Retry-After.
    const limited = await request(app.http).get('/api/v1/directory').set(bearer(keys.kate)).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await request(app.http).get('/api/v1/directory').expect(401);
    await request(app.http).get('/api/v1/directory').set(bearer('ucc_forged')).expect(401);

    const im = await request(app.http)
      .post('/api/v1/interactions')
      .set(bearer(keys.jim))
      .send({ target: { kind: 'knowledge-worker', id: 'kw-ann' }, text: 'hi' })
      .expect(201);
    const stranger = await request(app.http)
      .post('/api/v1/keys')
      .set(bearer(keys.platform))
      .send({ agentId: 'agent-kate', label: 'second' })
      .expect(201);
    expect(stranger.body.key).toMatch(/^ucc_/);
    const denied = await request(app.http)
      .get(`/api/v1/interactions/${im.body.id}`)
      .set(bearer(stranger.body.key))
      .expect(403);
    expect(denied.body.type).toContain('not-a-party');
    await request(app.http)
      .get(`/api/v1/interactions/${im.body.id}`)
      .set(bearer(keys.platform))
      .set('x-agent-id', 'agent-jim')
      .expect(200);
    await request(app.http).get('/api/v1/keys').set(bearer(stranger.body.key)).expect(403);
    await request(app.http).delete(`/api/v1/keys/${stranger.body.keyId}`).set(bearer(keys.platform)).expect(204);
    await request(app.http).get('/api/v1/directory').set(bearer(stranger.body.key)).expect(401);
    expect(t.logs.join('')).not.toContain(stranger.body.key);
  });
});
