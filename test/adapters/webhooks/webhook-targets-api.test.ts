/**
 * Webhooks may not target the connector's own network: a URL on loopback, a private range, link-local or
 * unspecified (written as such, or a host name resolving there) is refused when registered, with a problem document
 * naming `body.url`, unless the configuration allows it; and a host that resolves to such an address by delivery
 * time (DNS rebinding) is not sent to: the delivery is recorded as failed with the reason. DNS is the network edge
 * here: a resolver table stands in for it.
 */
import request from 'supertest';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { agentApiDb } from '../../../src/adapters/store/agent-api-schema.js';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

/** What host names resolve to in these tests. */
const dns = new Map<string, string[]>([
  ['hooks.contoso.example', ['93.184.216.34']],
  ['internal.contoso.example', ['93.184.216.35', '10.0.0.5']],
  ['rebind.contoso.example', ['93.184.216.36']],
]);
const resolve = async (host: string): Promise<string[]> => {
  const addresses = dns.get(host);
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses;
};

describe.each(testDatabases())('webhook targets on $name', (database) => {
  const clock = new TestClock();
  let t: ApiTestApp | undefined;
  afterAll(() => database.cleanup());
  afterEach(async () => {
    await t?.app.stop();
    t = undefined;
  });

  test.each([
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://localhost:8080/hook', 'loopback'],
    ['http://[::1]/hook', 'loopback'],
    ['http://10.1.2.3/hook', 'private'],
    ['https://172.20.0.1/hook', 'private'],
    ['https://192.168.1.10/hook', 'private'],
    ['https://[fd12:3456::1]/hook', 'private'],
    ['http://[::ffff:10.0.0.1]/hook', 'private'],
    ['http://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['http://169.254.169.254/latest/meta-data', 'link-local'],
    ['http://[fe80::1]/hook', 'link-local'],
    ['http://0.0.0.0/hook', 'unspecified'],
    ['https://internal.contoso.example/hook', '10.0.0.5'],
  ])('%s is refused (%s), naming body.url, and nothing is registered', async (url, reason) => {
    t = await startApiApp(await database.create(), clock, '', { resolve });
    const { app, keys } = t;
    const refused = await request(app.http).post('/api/v1/webhooks').set(bearer(keys.platform)).send({ url });
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body['invalid-params']).toEqual([{ name: 'body.url', reason: expect.stringContaining(reason) }]);
    const listed = await request(app.http).get('/api/v1/webhooks').set(bearer(keys.platform)).expect(200);
    expect(listed.body.webhooks).toEqual([]);
  });

  test('public targets are accepted; with allowPrivateTargets, internal ones too', async () => {
    t = await startApiApp(await database.create(), clock, '', { resolve });
    await request(t.app.http)
      .post('/api/v1/webhooks')
      .set(bearer(t.keys.platform))
      .send({ url: 'https://hooks.contoso.example/hook' })
      .expect(201);
    await t.app.stop();
    t = await startApiApp(await database.create(), clock, 'agentApi:\n  webhooks: { allowPrivateTargets: true }\n', {
      resolve,
    });
    for (const url of ['http://127.0.0.1:8080/hook', 'https://internal.contoso.example/hook'])
      await request(t.app.http).post('/api/v1/webhooks').set(bearer(t.keys.platform)).send({ url }).expect(201);
  });

  test('a host that resolves to a private address at delivery is not sent to, and fails with the reason', async () => {
    const sent: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      sent.push(String(input));
      return new Response(null, { status: 204 });
    }) as typeof globalThis.fetch;
    t = await startApiApp(await database.create(), clock, '', { resolve, fetch });
    const { app, keys } = t;
    await request(app.http)
      .post('/api/v1/webhooks')
      .set(bearer(keys.platform))
      .send({ url: 'https://rebind.contoso.example/hook' })
      .expect(201);
    await app.agentSide.publishKnowledgeWorkerState('kw-eve', { kind: 'Ready' }, clock.now());
    expect(await app.agentSide.webhooks.drain()).toEqual({ delivered: 1, failed: 0 });

    // The name now points inside the network.
    dns.set('rebind.contoso.example', ['10.0.0.7']);
    await app.agentSide.publishKnowledgeWorkerState('kw-eve', { kind: 'Busy' }, clock.now() + 1);
    expect(await app.agentSide.webhooks.drain()).toEqual({ delivered: 0, failed: 1 });
    expect(sent).toEqual(['https://rebind.contoso.example/hook']);
    // Recorded as failed at once (no retry), with the reason.
    expect(await app.agentSide.webhooks.counts()).toEqual({ delivered: 1, failed: 1 });
    const failed = await agentApiDb(app.database.db)
      .selectFrom('webhook_deliveries')
      .select(['status', 'last_error'])
      .where('status', '=', 'failed')
      .execute();
    expect(failed).toEqual([
      {
        status: 'failed',
        last_error: 'refused target: rebind.contoso.example resolves to 10.0.0.7, a private address',
      },
    ]);
    expect(t.logs.join('')).toContain('webhook delivery refused');
    clock.advance(3_600_000);
    expect(await app.agentSide.webhooks.drain()).toEqual({ delivered: 0, failed: 0 });
    dns.set('rebind.contoso.example', ['93.184.216.36']);
  });
});
