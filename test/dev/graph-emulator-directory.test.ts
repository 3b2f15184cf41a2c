/**
 * The Graph emulator's directory in Graph's documented shapes: user reads, installing the app for a user (201, then
 * 409) with the installation and its chat, group members and transitive members with paging, the 403 a withdrawn
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

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const { access_token } = (await (await appToken()).json()) as { access_token: string };
  const url = path.startsWith('http') ? path : `${emu.graphBaseUrl}${path}`;
  return fetch(url, {
    method,
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
const get = (path: string) => call('GET', path);
const bind = (appId: string) => ({
  'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${appId}`,
});

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

  test('installing the app for a user: 201, then 409; the installation and the chat with the bot are found', async () => {
    const path = `/users/${megan}/teamwork/installedApps`;
    const first = await call('POST', path, bind('catalog-app-1'));
    expect(first.status).toBe(201);
    expect(await first.text()).toBe('');
    const again = await call('POST', path, bind('catalog-app-1'));
    expect(again.status).toBe(409);
    expect((await call('POST', path, { teamsApp: 'catalog-app-1' })).status).toBe(400);
    expect((await call('POST', '/users/nobody/teamwork/installedApps', bind('catalog-app-1'))).status).toBe(404);

    const filter = encodeURIComponent("teamsApp/id eq 'catalog-app-1'");
    const found = (await (await get(`${path}?$expand=teamsApp&$filter=${filter}`)).json()) as {
      value: { id: string; teamsApp: { id: string } }[];
    };
    expect(found.value).toEqual([
      expect.objectContaining({ teamsApp: expect.objectContaining({ id: 'catalog-app-1' }) }),
    ]);
    const none = encodeURIComponent("teamsApp/id eq 'another-app'");
    expect(((await (await get(`${path}?$filter=${none}`)).json()) as { value: unknown[] }).value).toEqual([]);

    const chat = await get(`${path}/${encodeURIComponent(found.value[0]?.id ?? '')}/chat`);
    expect(chat.status).toBe(200);
    expect(await chat.json()).toMatchObject({
      id: expect.stringMatching(/^19:.+@unq\.gbl\.spaces$/),
      chatType: 'oneOnOne',
    });
    expect((await get(`${path}/not-an-installation/chat`)).status).toBe(404);

    emu.directory.denyPermission('TeamsAppInstallation.ReadWriteSelfForUser.All');
    const refused = await call('POST', `/users/${megan}/teamwork/installedApps`, bind('catalog-app-2'));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'Forbidden' } });
  });

  test('group members page through @odata.nextLink; transitive members flatten nested groups, users with $select', async () => {
    const ids = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5'];
    emu.directory.addUsers(ids.map((id) => ({ id, displayName: `User ${id}`, mail: `${id}@contoso.example` })));
    emu.directory.setGroup('team', ['u-1', 'u-2'], ['nested']);
    emu.directory.setGroup('nested', ['u-2', 'u-3', 'u-4', 'u-5'], ['team']);
    emu.directory.groups.maxPageSize = 2;

    const direct = (await (await get('/groups/team/members')).json()) as {
      value: { '@odata.type': string; id: string }[];
    };
    expect(direct.value.map((m) => [m['@odata.type'], m.id])).toEqual([
      ['#microsoft.graph.user', 'u-1'],
      ['#microsoft.graph.user', 'u-2'],
    ]);

    const seen: Record<string, unknown>[] = [];
    let next: string | undefined = '/groups/team/transitiveMembers?$select=id,displayName&$top=999';
    let pages = 0;
    while (next) {
      const page = (await (await get(next)).json()) as { value: Record<string, unknown>[]; '@odata.nextLink'?: string };
      seen.push(...page.value);
      next = page['@odata.nextLink'];
      if (next) expect(next.startsWith(`${emu.graphBaseUrl}/groups/team/transitiveMembers?`)).toBe(true);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.map((m) => m.id)).toEqual(['u-1', 'u-2', 'nested', 'u-3', 'u-4', 'u-5']);
    expect(seen[0]).toEqual({ '@odata.type': '#microsoft.graph.user', id: 'u-1', displayName: 'User u-1' });
    expect(seen[2]).toMatchObject({ '@odata.type': '#microsoft.graph.group', id: 'nested' });

    expect((await get('/groups/team/transitiveMembers?$top=1000')).status).toBe(400);
    expect((await get('/groups/missing/transitiveMembers')).status).toBe(404);
    emu.directory.denyPermission('User.Read.All');
    const limited = (await (await get('/groups/nested/members?$select=id,displayName')).json()) as {
      value: Record<string, unknown>[];
    };
    expect(limited.value[0]).toEqual({ '@odata.type': '#microsoft.graph.user', id: 'u-2', displayName: null });
    emu.directory.denyPermission('GroupMember.Read.All');
    expect((await get('/groups/team/members')).status).toBe(403);
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
