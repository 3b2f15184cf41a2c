/**
 * Resolving `presence.tenantId` to the tenant's GUID: a GUID is used as it is (no call), a domain is read from the
 * identity platform's OpenID metadata; an unknown tenant, metadata without an id, and an unreachable identity platform
 * each stop with a message naming the setting and the fix. The identity platform is a loopback HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { isTenantGuid, resolveTenantId, TenantResolutionError } from '../../../src/adapters/graph/tenant-id.js';

const GUID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
let server: Server | undefined;
const paths: string[] = [];

/** An identity platform answering each request with the next of `answers` (the last one repeats). */
async function identityPlatform(answers: { status: number; body: unknown }[]): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    const a = answers[Math.min(n++, answers.length - 1)] ?? { status: 500, body: {} };
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  paths.length = 0;
  const running = server;
  server = undefined;
  if (running) await new Promise((r) => running.close(r));
});

describe('resolveTenantId', () => {
  test('a GUID is the id already: nothing is asked', async () => {
    expect(isTenantGuid(GUID.toUpperCase())).toBe(true);
    expect(isTenantGuid('contoso.onmicrosoft.com')).toBe(false);
    expect(await resolveTenantId(GUID.toUpperCase(), { authorityBaseUrl: 'http://127.0.0.1:9' })).toBe(GUID);
  });

  test("a domain is read from the OpenID metadata's issuer", async () => {
    const base = await identityPlatform([
      { status: 200, body: { issuer: `https://login.microsoftonline.com/${GUID}/v2.0` } },
    ]);
    expect(await resolveTenantId('contoso.onmicrosoft.com', { authorityBaseUrl: `${base}/` })).toBe(GUID);
    expect(paths).toEqual(['/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration']);
  });

  test('an answer of 5xx is tried again', async () => {
    const base = await identityPlatform([
      { status: 503, body: {} },
      { status: 200, body: { issuer: `https://login.microsoftonline.com/${GUID}/v2.0` } },
    ]);
    expect(await resolveTenantId('contoso.com', { authorityBaseUrl: base })).toBe(GUID);
    expect(paths).toHaveLength(2);
  });

  test('an unknown tenant stops at once, naming the setting and the fix', async () => {
    const base = await identityPlatform([{ status: 400, body: { error: 'invalid_tenant' } }]);
    const attempt = resolveTenantId('nobody.example', { authorityBaseUrl: base });
    await expect(attempt).rejects.toBeInstanceOf(TenantResolutionError);
    await expect(resolveTenantId('nobody.example', { authorityBaseUrl: base })).rejects.toThrow(
      /presence\.tenantId nobody\.example .*answered 400: no such tenant.*GUID/,
    );
  });

  test('metadata whose issuer names no id is refused', async () => {
    const base = await identityPlatform([
      { status: 200, body: { issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' } },
    ]);
    await expect(resolveTenantId('contoso.com', { authorityBaseUrl: base })).rejects.toThrow(/names no tenant id/);
  });

  test('an identity platform that cannot be reached is tried a few times, then stops with the reason', async () => {
    await expect(
      resolveTenantId('contoso.com', { authorityBaseUrl: 'http://127.0.0.1:9', attempts: 2 }),
    ).rejects.toThrow(/could not be reached/);
  });
});
