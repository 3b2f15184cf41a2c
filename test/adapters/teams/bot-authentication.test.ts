/**
 * `POST /api/messages` with credentials, against a Bot Framework token issuer on loopback (OpenID metadata + JWKS,
 * configured as `teams.openIdMetadataUrl`): a token the issuer signed is served; every forged, expired, misaddressed
 * or missing token is a 401 with one fixed body, logged without the token, and changes nothing; an authenticated
 * activity naming a service URL off `teams.allowedServiceUrls` is a 401 and nothing is sent there; a stored
 * conversation naming one is not written to. The real connector (`createApp`), the Bot Connector emulator as Teams,
 * nock for the bot's own token from Entra.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSqlConversationReferenceStore } from '../../../src/adapters/store/sql-teams-stores.js';
import { UNAUTHORIZED_BODY } from '../../../src/adapters/teams/bot-endpoint.js';
import { type ConnectorApp, createApp } from '../../../src/app.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import type { Deliver } from '../../../src/domain/interaction/effects.js';
import { createLogger } from '../../../src/logger.js';
import type { PersonEffect } from '../../../src/ports/participant-channel.js';
import type { ConversationReferenceStore } from '../../../src/ports/teams/conversation-reference-store.js';
import { type BotTokenIssuer, type ChannelClaims, startBotTokenIssuer } from '../../support/bot-token-issuer.js';
import { testDatabases } from '../../support/databases.js';
import { loadTestConfig } from '../../support/test-app.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP_ID = '5e1d7c44-0000-4000-8000-00000000b07a';
const SECRET = 'bot-secret-never-logged';

let issuer: BotTokenIssuer;
let teams: BotConnectorEmulator;
/** A Bot Connector that is not on the allowlist. */
let stray: BotConnectorEmulator;
let app: ConnectorApp;
let server: Server;
let endpoint: string;
let references: ConversationReferenceStore;
const logs: string[] = [];

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  // The bot's own token for its replies (client credentials at Entra's botframework.com tenant).
  nock('https://login.microsoftonline.com')
    .persist()
    .get(/.*/)
    .query(true)
    .reply(200, (uri) =>
      uri.includes('discovery/instance')
        ? {
            tenant_discovery_endpoint:
              'https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration',
            metadata: [],
          }
        : {
            token_endpoint: 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token',
            issuer: 'https://login.microsoftonline.com/botframework.com/v2.0',
            authorization_endpoint: 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/authorize',
            end_session_endpoint: 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/logout',
            jwks_uri: 'https://login.microsoftonline.com/botframework.com/discovery/v2.0/keys',
          },
    )
    .post(/\/oauth2\/v2\.0\/token/)
    .query(true)
    .reply(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: 'bot-access-token' });
  issuer = await startBotTokenIssuer();
  teams = await startBotConnectorEmulator();
  stray = await startBotConnectorEmulator();
  const started = await startConnector(issuer.openIdMetadataUrl);
  ({ app, server, endpoint } = started);
  references = createSqlConversationReferenceStore(app.database);
});

/** The connector with credentials, its keys from `openIdMetadataUrl`, Teams at the `teams` emulator only. */
async function startConnector(openIdMetadataUrl: string) {
  const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
  const yaml = `
directory:
  knowledgeWorkers:
    - { id: kw-jim, name: Jim Miller, staticState: Ready }
teams:
  allowedTenants: ["${TENANT}"]
  openIdMetadataUrl: ${openIdMetadataUrl}
  allowedServiceUrls: ["${new URL(teams.serviceUrl).origin}"]
  defaultServiceUrl: ${teams.serviceUrl}
  send: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 }
`;
  const config = loadTestConfig({ DATABASE_URL: url, MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: SECRET }, yaml);
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = await createApp(config, { logger: createLogger('debug', sink) });
  const server: Server = await new Promise((resolve) => {
    const s = app.http.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { app, server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages` };
}

afterAll(async () => {
  server?.close();
  await app?.stop();
  await Promise.all([issuer?.close(), teams?.close(), stray?.close()]);
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The install activity of user `userId`, from the Bot Connector at `serviceUrl`. */
function install(userId: string, serviceUrl = teams.serviceUrl): Record<string, unknown> {
  const a = JSON.parse(
    readFileSync(new URL('../../fixtures/teams/installation-update-add.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  return {
    ...a,
    serviceUrl,
    from: { id: `29:${userId}`, name: userId, aadObjectId: userId },
    recipient: { id: `28:${APP_ID}`, name: 'UC Connector' },
    conversation: { conversationType: 'personal', tenantId: TENANT, id: `a:${userId}` },
    channelData: { tenant: { id: TENANT } },
  };
}

async function post(activity: Record<string, unknown>, authorization?: string, to = endpoint) {
  const res = await fetch(to, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(activity),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

const claims = (patch: Partial<ChannelClaims> = {}): ChannelClaims => ({
  aud: APP_ID,
  serviceurl: teams.serviceUrl,
  ...patch,
});
const now = () => Math.floor(Date.now() / 1000);
const bearer = (token: string) => `Bearer ${token}`;
const OTHER_APP = '00000000-0000-4000-8000-000000000bad';

describe('Bot Framework tokens', () => {
  test('a token signed by the published key is served: the install is remembered and the welcome arrives', async () => {
    const res = await post(install('kw-jim'), `Bearer ${await issuer.sign(claims())}`);
    expect(res.status).toBe(200);
    expect(await references.get('kw-jim')).toMatchObject({ serviceUrl: teams.serviceUrl });
    expect(teams.activitiesOf('a:kw-jim').map((a) => a.text)).toEqual([expect.stringContaining('Hello!')]);
  });

  /** Each kind of bad token, and the reason the connector logs for it (each is refused for its own reason). */
  const forged: [string, () => Promise<string | undefined>, string][] = [
    [
      'signed by a key the metadata does not publish',
      async () => bearer(await issuer.signWithUnpublishedKey(claims())),
      'invalid signature',
    ],
    [
      'under a key id the metadata does not know',
      async () => bearer(await issuer.signWithUnknownKid(claims())),
      'Signing Key could not be retrieved',
    ],
    [
      'not valid yet (nbf in an hour)',
      async () => bearer(await issuer.sign(claims({ nbf: now() + 3600, exp: now() + 7200 }))),
      'jwt not active',
    ],
    [
      'expired an hour ago',
      async () => bearer(await issuer.sign(claims({ nbf: now() - 7200, exp: now() - 3600 }))),
      'expired',
    ],
    ['unsigned (alg: none)', async () => bearer(issuer.unsigned(claims())), 'jwt signature is required'],
    [
      'HS256 keyed with the public key',
      async () => bearer(await issuer.hs256WithPublicKey(claims())),
      'invalid algorithm',
    ],
    [
      'for another bot (wrong audience)',
      async () => bearer(await issuer.sign(claims({ aud: OTHER_APP }))),
      'Invalid AppId',
    ],
    [
      'from another issuer',
      async () => bearer(await issuer.sign(claims({ iss: 'https://sts.contoso.example' }))),
      'No valid identity',
    ],
    [
      'naming another service URL',
      async () => bearer(await issuer.sign(claims({ serviceurl: stray.serviceUrl }))),
      'ServiceUrl claim do not match',
    ],
    ['missing', async () => undefined, 'Request is not authorized'],
    ['garbled', async () => 'Bearer not-a-token', 'No valid identity'],
    ['of another scheme', async () => `Basic ${Buffer.from('bot:secret').toString('base64')}`, 'No valid identity'],
    ['without its scheme', async () => issuer.sign(claims()), 'No valid identity'],
  ];

  test.each(forged)(
    'a token %s: 401 with the fixed body, nothing stored or sent, logged without the token',
    async (_kind, header, reason) => {
      const authorization = await header();
      const before = teams.requests.length;
      const seen = logs.length;
      const res = await post(install('kw-eve'), authorization);
      expect(res.status).toBe(401);
      expect(res.json).toEqual(UNAUTHORIZED_BODY);
      expect(await references.get('kw-eve')).toBeUndefined();
      expect(teams.requests.length).toBe(before);
      const logged = logs.slice(seen).join('');
      const refusal = logs.slice(seen).find((l) => l.includes('activity refused: token not valid'));
      expect(JSON.parse(refusal ?? '{}')).toMatchObject({ level: 40, reason: expect.stringContaining(reason) });
      const token = authorization?.split(' ').at(-1);
      if (token) expect(logged).not.toContain(token);
      expect(logged).not.toContain(SECRET);
    },
  );
});

describe('service URLs', () => {
  test('an authenticated activity naming a service URL off the allowlist: 401, nothing sent there, nothing stored', async () => {
    const token = await issuer.sign(claims({ serviceurl: stray.serviceUrl }));
    const res = await post(install('kw-ann', stray.serviceUrl), `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      error: { code: 'Unauthorized', message: 'The service URL of this activity is not allowed.' },
    });
    expect(stray.requests).toEqual([]);
    expect(await references.get('kw-ann')).toBeUndefined();
    expect(logs.join('')).toContain('its service URL is not on teams.allowedServiceUrls');
  });

  test('a stored conversation naming a service URL off the allowlist is not written to, and is forgotten', async () => {
    const reference = {
      channelId: 'msteams',
      serviceUrl: stray.serviceUrl,
      conversation: { id: 'a:kw-leo', conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' },
      bot: { id: `28:${APP_ID}`, name: '' },
      user: { id: '29:kw-leo', name: '', aadObjectId: 'kw-leo' },
    };
    await references.put({
      userId: 'kw-leo',
      tenantId: TENANT,
      serviceUrl: stray.serviceUrl,
      conversationId: 'a:kw-leo',
      reference,
      updatedAt: 0,
    });
    const line: Deliver = {
      type: 'Deliver',
      interactionId: 'ix-1',
      partyId: 'p-1',
      to: { id: 'kw-leo', name: 'Leo', kind: 'knowledge-worker' },
      entry: {
        seq: 1,
        at: 0,
        kind: 'message',
        partyId: 'p-0',
        name: 'Kate',
        text: 'hello',
        audience: 'all',
        event: null,
      },
    };
    await app.channels['knowledge-worker'].send('ix-1/1/1', line as PersonEffect);
    expect(stray.requests).toEqual([]);
    expect(await references.get('kw-leo')).toBeUndefined();
    expect((await app.reach?.list())?.find((m) => m.userId === 'kw-leo')).toMatchObject({ reason: 'not-installed' });
  });
});

describe('signing keys that cannot be loaded', () => {
  test('a 503 with a fixed body, logged as an error, nothing stored or sent', async () => {
    const broken = await startConnector(issuer.openIdMetadataUrl.replace('openidconfiguration', 'missing'));
    try {
      const seen = logs.length;
      const before = teams.requests.length;
      const res = await post(install('kw-max'), bearer(await issuer.sign(claims())), broken.endpoint);
      expect(res.status).toBe(503);
      expect(res.json).toEqual({
        error: { code: 'Unavailable', message: 'The bot cannot check tokens right now. Please try again later.' },
      });
      expect(teams.requests.length).toBe(before);
      const logged = logs.slice(seen).find((l) => l.includes('signing keys could not be loaded'));
      expect(JSON.parse(logged ?? '{}')).toMatchObject({ level: 50, reason: expect.stringContaining('404') });
    } finally {
      broken.server.close();
      await broken.app.stop();
    }
  });
});
