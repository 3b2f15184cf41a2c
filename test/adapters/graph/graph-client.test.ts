import nock from 'nock';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createAppTokenSource } from '../../../src/adapters/graph/app-token.js';
import { GraphClient, parseRetryAfter } from '../../../src/adapters/graph/graph-client.js';
import { GraphApiError, GraphAuthError, GraphNetworkError } from '../../../src/adapters/graph/graph-errors.js';

const tenant = 'contoso.onmicrosoft.com';
const login = 'https://login.microsoftonline.com';
const graph = 'https://graph.microsoft.com';

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

const tokens = () => createAppTokenSource({ tenantId: tenant, clientId: 'app-1', clientSecret: 's3cret' });
const tokenReply = () =>
  nock(login)
    .post(`/${tenant}/oauth2/v2.0/token`, (b) => b.grant_type === 'client_credentials' && b.client_secret === 's3cret')
    .query(true)
    .reply(200, { token_type: 'Bearer', expires_in: 3600, access_token: 'tok-123' });

describe('app token (MSAL client credentials)', () => {
  test('acquires a token from the configured authority without discovery calls', async () => {
    const scope = tokenReply();
    expect(await tokens().getToken()).toBe('tok-123');
    expect(scope.isDone()).toBe(true);
  });

  test('a refused secret is an auth error, not an empty token', async () => {
    const scope = nock(login)
      .post(`/${tenant}/oauth2/v2.0/token`)
      .query(true)
      .reply(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret.' });
    await expect(tokens().getToken()).rejects.toBeInstanceOf(GraphAuthError);
    expect(scope.isDone()).toBe(true);
  });
});

describe('GraphClient throttling wrapper', () => {
  test('a 429 is retried after its fractional Retry-After, with the bearer token', async () => {
    const slept: number[] = [];
    tokenReply();
    const api = nock(graph, { reqheaders: { authorization: 'Bearer tok-123' } })
      .post('/v1.0/communications/getPresencesByUserId', { ids: ['u1'] })
      .reply(429, { error: { code: 'TooManyRequests' } }, { 'Retry-After': '2.128' })
      .post('/v1.0/communications/getPresencesByUserId', { ids: ['u1'] })
      .reply(200, { value: [{ id: 'u1', availability: 'Available', activity: 'Available' }] });
    const client = new GraphClient({}, { tokens: tokens(), sleep: async (ms) => void slept.push(ms) });
    const res = await client.request<{ value: unknown[] }>('POST', '/communications/getPresencesByUserId', {
      ids: ['u1'],
    });
    expect(res.value).toHaveLength(1);
    expect(slept).toEqual([2128]);
    expect(client.stats.throttled).toBe(1);
    expect(api.isDone()).toBe(true);
  });

  test('503 and 504 back off exponentially, then succeed', async () => {
    const slept: number[] = [];
    tokenReply();
    const api = nock(graph)
      .get('/v1.0/me')
      .reply(503)
      .get('/v1.0/me')
      .reply(504)
      .get('/v1.0/me')
      .reply(200, { ok: true });
    const client = new GraphClient(
      { backoffBaseMs: 100 },
      { tokens: tokens(), sleep: async (ms) => void slept.push(ms) },
    );
    expect(await client.request('GET', '/me')).toEqual({ ok: true });
    expect(slept).toHaveLength(2);
    expect(slept[0]).toBeGreaterThanOrEqual(80);
    expect(slept[1]).toBeGreaterThanOrEqual(160);
    expect(api.isDone()).toBe(true);
  });

  test('a 404 surfaces at once as a GraphApiError with its code', async () => {
    tokenReply();
    nock(graph)
      .patch('/v1.0/subscriptions/x')
      .reply(404, { error: { code: 'ResourceNotFound' } });
    const client = new GraphClient({}, { tokens: tokens(), sleep: async () => {} });
    const err = await client.request('PATCH', '/subscriptions/x', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphApiError);
    expect(err).toMatchObject({ status: 404, code: 'ResourceNotFound' });
  });

  test('a network failure is a GraphNetworkError after the retries', async () => {
    tokenReply();
    nock(graph).get('/v1.0/me').times(3).replyWithError('ECONNRESET');
    const client = new GraphClient({ maxRetries: 2 }, { tokens: tokens(), sleep: async () => {} });
    await expect(client.request('GET', '/me')).rejects.toBeInstanceOf(GraphNetworkError);
  });

  test('a call someone waits for may lower its retries: the second 503 surfaces', async () => {
    tokenReply();
    const api = nock(graph)
      .get('/v1.0/me')
      .times(2)
      .reply(503, { error: { code: 'ServiceUnavailable' } });
    const client = new GraphClient({}, { tokens: tokens(), sleep: async () => {} });
    const err = await client.request('GET', '/me', undefined, undefined, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    expect(api.isDone()).toBe(true);
  });

  test('$batch: a 429 sub-response and a 424 are retried after Retry-After', async () => {
    const slept: number[] = [];
    tokenReply();
    const api = nock(graph)
      .post('/v1.0/$batch')
      .reply(200, {
        responses: [
          { id: '1', status: 200, body: { a: 1 } },
          { id: '2', status: 429, headers: { 'Retry-After': '0.5' } },
          { id: '3', status: 424 },
        ],
      })
      .post('/v1.0/$batch', (b) => b.requests.length === 2)
      .reply(200, {
        responses: [
          { id: '2', status: 200 },
          { id: '3', status: 200 },
        ],
      });
    const client = new GraphClient({}, { tokens: tokens(), sleep: async (ms) => void slept.push(ms) });
    const out = await client.batch([
      { id: '1', method: 'GET', url: '/a' },
      { id: '2', method: 'GET', url: '/b' },
      { id: '3', method: 'GET', url: '/c' },
    ]);
    expect([...out.values()].map((r) => r.status)).toEqual([200, 200, 200]);
    expect(slept).toEqual([500]);
    expect(api.isDone()).toBe(true);
  });

  test('Retry-After parsing', () => {
    expect(parseRetryAfter('2.128')).toBe(2128);
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
