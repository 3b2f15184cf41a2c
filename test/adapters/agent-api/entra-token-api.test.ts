/**
 * Entra ID client-credential tokens on the agent API, verified against a JWKS served on an ephemeral port (standing
 * in for login.microsoftonline.com): a valid token acts as a platform key of its client's contact center; expired,
 * wrong-audience, wrong-issuer, foreign-signed and unknown-app tokens are refused with the reason; an unreachable
 * JWKS is a 503; API keys keep working; a client naming an unknown contact center stops startup.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { readConfig } from '../../../src/config/read-config.js';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { sampleDirectory, TestClock } from '../../support/test-app.js';

const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const issuer = `https://login.microsoftonline.com/${tenant}/v2.0`;
const audience = 'api://teams-uc-connector';
const platformApp = '11111111-2222-4333-8444-555555555555';

describe('agent API with Entra ID client-credential tokens', () => {
  const database = testDatabases()[0];
  const clock = new TestClock();
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;
  let jwks: http.Server;
  let jwksUri: string;
  let t: ApiTestApp | undefined;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'tenant-key-1', use: 'sig', alg: 'RS256' };
    jwks = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/${tenant}/discovery/v2.0/keys`;
  });
  afterAll(async () => {
    jwks.close();
    await database?.cleanup();
  });
  afterEach(async () => t?.app.stop());

  const entraYaml = (uri: string) =>
    `agentApi:\n  entra:\n    audience: "${audience}"\n    issuers: ["${issuer}"]\n    jwksUri: "${uri}"\n` +
    `    clients:\n      - { appId: "${platformApp}", contactCenter: default }\n`;

  const token = (claims: Record<string, unknown> = {}, key: CryptoKey = signingKey, expiresInS = 3600) => {
    const now = Math.floor(clock.now() / 1000);
    return new SignJWT({ azp: platformApp, idtyp: 'app', roles: ['Agent.Api'], ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'tenant-key-1', typ: 'JWT' })
      .setIssuer(typeof claims.iss === 'string' ? claims.iss : issuer)
      .setAudience(typeof claims.aud === 'string' ? claims.aud : audience)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(now + expiresInS)
      .sign(key);
  };

  const start = async (uri = jwksUri) => {
    if (!database) throw new Error('no test database');
    t = await startApiApp(await database.create(), clock, entraYaml(uri));
    return t;
  };

  test('a valid token acts as a platform key of its contact center, also for a named agent', async () => {
    const { app, keys } = await start();
    const valid = await token();
    const me = await request(app.http).get('/api/v1/me').set(bearer(valid)).expect(200);
    expect(me.body).toEqual({ contactCenter: 'default', platform: true, agent: null });
    await request(app.http).get('/api/v1/keys').set(bearer(valid)).expect(200);
    const asKate = await request(app.http)
      .get('/api/v1/me')
      .set(bearer(valid))
      .set('x-agent-id', 'agent-kate')
      .expect(200);
    expect(asKate.body.agent).toEqual({ id: 'agent-kate', name: 'Kate Lewis' });
    // v1 tokens name the client in appid.
    const v1 = await token({ azp: undefined, appid: platformApp });
    await request(app.http).get('/api/v1/me').set(bearer(v1)).expect(200);
    // API keys still work alongside.
    await request(app.http).get('/api/v1/me').set(bearer(keys.kate)).expect(200);
    expect(t?.logs.join('')).not.toContain(valid);
  });

  test.each([
    ['expired', async () => token({}, signingKey, -120), 'The token has expired.'],
    ['for another audience', async () => token({ aud: 'api://someone-else' }), 'not for this connector (audience)'],
    ['from another issuer', async () => token({ iss: 'https://login.microsoftonline.com/other/v2.0' }), 'issuer'],
    ['signed by another key', async () => token({}, strangerKey), 'not signed by the tenant'],
    [
      'from an unknown client app',
      async () => token({ azp: 'aaaaaaaa-0000-4000-8000-000000000000' }),
      'is not allowed',
    ],
  ])('a token %s is refused with the reason', async (_name, make, reason) => {
    const { app } = await start();
    const refused = await request(app.http)
      .get('/api/v1/me')
      .set(bearer(await make()))
      .expect(401);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.detail).toContain(reason);
  });

  test('an unreachable JWKS answers 503, not a silent pass', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const { app } = await start(`http://127.0.0.1:${port}/keys`);
    const answer = await request(app.http)
      .get('/api/v1/me')
      .set(bearer(await token()))
      .expect(503);
    expect(answer.body.type).toContain('token-verification-unavailable');
  });

  test('a client mapped to an unknown contact center, or no tenant, stops startup naming the key', () => {
    const bad = readConfig(
      {},
      {
        path: 'c.yaml',
        text: `${sampleDirectory}agentApi:\n  entra:\n    audience: x\n    clients: [{ appId: a, contactCenter: south }]\n`,
      },
    );
    expect(bad.ok).toBe(false);
    const keys = bad.ok ? [] : bad.problems.map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining(['agentApi.entra.tenantId', 'agentApi.entra.clients[0].contactCenter']),
    );
  });
});
