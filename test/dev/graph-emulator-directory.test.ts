/**
 * The Graph emulator's directory reads (user, installed apps, group members) in Graph's shapes, the 403 a withdrawn
 * application permission causes, and client-secret checking on the token endpoint.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type GraphEmulator, startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.js';

const APP = '11111111-2222-3333-4444-555555555555';
const megan = '6e7b768e-07e2-4810-8459-485f84f8f204';
let emu: GraphEmulator;
beforeEach(async () => {
  emu = await startGraphEmulator();
  emu.seedUsers([megan]);
  emu.directory.addUsers([{ id: megan, displayName: 'Megan Bowen', userPrincipalName: 'meganb@contoso.example' }]);
});
afterEach(async () => {
  await emu.close();
});

async function appToken(secret = 'right'): Promise<Response> {
  return fetch(`${emu.baseUrl}/${emu.identity.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: APP,
      client_secret: secret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
}

async function get(path: string): Promise<Response> {
  const { access_token } = (await (await appToken()).json()) as { access_token: string };
  return fetch(`${emu.graphBaseUrl}${path}`, { headers: { authorization: `Bearer ${access_token}` } });
}

describe('Graph emulator directory', () => {
  test('a user read honours $select; installed apps and group members come as collections', async () => {
    const user = await get(`/users/${megan}?$select=id,displayName`);
    expect(user.status).toBe(200);
    const body = (await user.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: megan, displayName: 'Megan Bowen' });
    expect(body).not.toHaveProperty('userPrincipalName');
    emu.directory.installApp(megan, 'catalog-app-1');
    const apps = (await (await get(`/users/${megan}/teamwork/installedApps`)).json()) as { value: unknown[] };
    expect(apps.value).toEqual([
      expect.objectContaining({ teamsAppDefinition: expect.objectContaining({ teamsAppId: 'catalog-app-1' }) }),
    ]);
    emu.directory.setGroup('g-1', [megan]);
    const members = (await (await get('/groups/g-1/members?$select=id')).json()) as { value: { id: string }[] };
    expect(members.value.map((m) => m.id)).toEqual([megan]);
    expect((await get('/users/nobody')).status).toBe(404);
  });

  test('a denied application permission answers 403 on the calls that need it only', async () => {
    emu.directory.denyPermission('User.Read.All');
    const refused = await get(`/users/${megan}`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
    expect((await get(`/users/${megan}/teamwork/installedApps`)).status).toBe(200);
    emu.directory.denyPermission('User.Read.All', false);
    expect((await get(`/users/${megan}`)).status).toBe(200);
  });

  test('a registered client secret is required: another one gets 401 invalid_client', async () => {
    emu.identity.registerClient(APP, 'right');
    const wrong = await appToken('wrong');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect((await appToken('right')).status).toBe(200);
  });
});
