/**
 * The bot's local mode and its limits, through the real connector over HTTP: without an app id it takes
 * unauthenticated activities only from this machine with a loopback service URL (logged loudly at startup); with
 * credentials every unauthenticated activity is refused; a secret without an app id is a configuration error.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { createSqlConversationReferenceStore } from '../../../src/adapters/store/sql-teams-stores.js';
import {
  isLocalMode,
  isLoopbackHost,
  isLoopbackUrl,
  localModeRefusal,
} from '../../../src/adapters/teams/local-mode.js';
import { type ConnectorApp, createApp } from '../../../src/app.js';
import { readConfig } from '../../../src/config/read-config.js';
import { createLogger } from '../../../src/logger.js';
import { testDatabases } from '../../support/databases.js';
import { loadTestConfig, sampleDirectory } from '../../support/test-app.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

let server: Server | undefined;
let app: ConnectorApp | undefined;
afterEach(async () => {
  server?.close();
  await app?.stop();
  server = undefined;
  app = undefined;
});

async function start(env: Record<string, string>) {
  const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
  const text = `${sampleDirectory}\nteams:\n  allowedTenants: ["${TENANT}"]\n`;
  const config = loadTestConfig({ DATABASE_URL: url, ...env }, text);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  app = await createApp(config, { logger: createLogger('info', sink) });
  server = app.http.listen(0, '127.0.0.1');
  await new Promise((resolve) => server?.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const references = createSqlConversationReferenceStore(app.database);
  return { logs, base, references };
}

/** Ann installs the app, from Teams at `serviceUrl`, without any Authorization header. */
function installFrom(base: string, serviceUrl: string, headers: Record<string, string> = {}) {
  const a = JSON.parse(
    readFileSync(new URL('../../fixtures/teams/installation-update-add.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  Object.assign(a, {
    serviceUrl,
    from: { id: '29:kw-ann', name: 'Ann Billing', aadObjectId: 'kw-ann' },
    conversation: { conversationType: 'personal', tenantId: TENANT, id: 'a:kw-ann' },
    channelData: { tenant: { id: TENANT } },
  });
  return fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(a),
  });
}

describe('local mode (no MICROSOFT_APP_ID)', () => {
  test('is said loudly at startup', async () => {
    const { logs } = await start({});
    const warning = logs
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.msg.startsWith('LOCAL MODE'));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain('WITHOUT authentication');
    expect(warning?.msg).toContain('Never run like this in production');
  });

  test('refuses an unauthenticated activity naming a service URL that is not loopback, and remembers nothing', async () => {
    const { base, references, logs } = await start({});
    const res = await installFrom(base, 'https://smba.trafficmanager.net/emea/');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'Unauthorized' } });
    expect(await references.get('kw-ann')).toBeFalsy();
    expect(logs.join('')).toContain(
      'local mode refused an unauthenticated activity: the service URL is not a loopback',
    );
  });

  test('accepts one from this machine naming a loopback service URL (the Agents Playground, the emulator)', async () => {
    const { base, references } = await start({});
    // Nothing listens at this service URL: the welcome reply fails, but the reference is stored first.
    const res = await installFrom(base, 'http://localhost:9/_connector');
    expect(res.status).toBeLessThan(500);
    expect(await references.get('kw-ann')).toMatchObject({ serviceUrl: 'http://localhost:9/_connector' });
  });

  test('only from a loopback peer, and only to a loopback service URL', () => {
    expect(isLocalMode({ botAppId: '' })).toBe(true);
    expect(isLocalMode({ botAppId: '00000000-0000-0000-0000-000000000011' })).toBe(false);
    expect(localModeRefusal('127.0.0.1', 'http://localhost:56150/_connector')).toBeNull();
    expect(localModeRefusal('::ffff:127.0.0.1', 'http://127.0.0.1:56150/_connector')).toBeNull();
    expect(localModeRefusal('::1', 'http://[::1]:56150/_connector')).toBeNull();
    expect(localModeRefusal('10.1.2.3', 'http://localhost:56150/_connector')).toBe(
      'the request does not come from this machine',
    );
    expect(localModeRefusal(undefined, 'http://localhost:56150/_connector')).not.toBeNull();
    expect(localModeRefusal('127.0.0.1', 'https://smba.trafficmanager.net/teams/')).toBe(
      'the service URL is not a loopback address',
    );
    for (const host of ['localhost', 'a.localhost', '127.8.0.1', '::1', '[::1]', '0:0:0:0:0:0:0:1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['localhost.contoso.com', '10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', 'contoso.com']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    expect(isLoopbackUrl('ftp://localhost/')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });
});

describe('with Microsoft app credentials', () => {
  const credentials = {
    MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000011',
    MICROSOFT_APP_PASSWORD: 'not-a-real-secret',
  };

  test('an activity without a Bot Framework token is refused, even from a loopback service URL', async () => {
    const { base, references, logs } = await start(credentials);
    const res = await installFrom(base, 'http://localhost:9/_connector');
    expect(res.status).toBe(401);
    expect(await references.get('kw-ann')).toBeFalsy();
    expect(logs.join('')).not.toContain('LOCAL MODE');
    expect(logs.join('')).not.toContain('not-a-real-secret');
  });

  test('a secret without an app id is a configuration error, not a silent local mode', () => {
    const result = readConfig({ MICROSOFT_APP_PASSWORD: 'secret' }, null);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({ key: 'MICROSOFT_APP_ID', message: expect.stringContaining('MICROSOFT_APP_PASSWORD') }),
    ]);
  });
});
