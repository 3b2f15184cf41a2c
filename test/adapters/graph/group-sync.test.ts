/**
 * The Entra group sync against Graph at the network edge: pages are followed through `@odata.nextLink`, and a next
 * page link pointing outside the configured Graph base URL is refused (the token goes nowhere else); the last good
 * members stay, the failure is kept for the doctor and logged once. Replicas on one database: one syncs the group
 * under its lease and tells the others, which take the members from the database without calling Graph; when it
 * stops, another takes the group over.
 */
import { Writable } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createAppTokenSource } from '../../../src/adapters/graph/app-token.js';
import { GraphClient } from '../../../src/adapters/graph/graph-client.js';
import { GroupSync } from '../../../src/adapters/graph/group-sync.js';
import { connectorMigrations } from '../../../src/adapters/store/connector-migrations.js';
import { LeaseStore } from '../../../src/adapters/store/lease-store.js';
import { type OpenDatabase, openDatabase } from '../../../src/adapters/store/open-database.js';
import { SqlGroupMembershipStore } from '../../../src/adapters/store/sql-reach-stores.js';
import { createLogger } from '../../../src/logger.js';
import type { GroupMembershipStore } from '../../../src/ports/group-membership-store.js';
import { testDatabases } from '../../support/databases.js';

const tenant = 'contoso.onmicrosoft.com';
const graph = 'https://graph.microsoft.com';
const path = '/v1.0/groups/g-1/transitiveMembers';

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

const sqlite = testDatabases()[0];
let database: OpenDatabase;
beforeEach(async () => {
  database = await openDatabase({ url: (await sqlite?.create()) ?? ':memory:', migrations: connectorMigrations });
});
afterEach(async () => {
  await database.close();
});
afterAll(async () => {
  await sqlite?.cleanup();
});
const stored = async (store: GroupMembershipStore) => (await store.list()).find((g) => g.groupId === 'g-1');

function sync(
  store: GroupMembershipStore,
  logs: string[],
  onChange = () => {},
  replica?: { owner: string; onStored: () => void },
) {
  nock('https://login.microsoftonline.com')
    .post(`/${tenant}/oauth2/v2.0/token`)
    .query(true)
    .reply(200, { token_type: 'Bearer', expires_in: 3600, access_token: 'tok-1' })
    .persist();
  const tokens = createAppTokenSource({ tenantId: tenant, clientId: 'app-1', clientSecret: 's3cret' });
  const client = new GraphClient({ maxRetries: 0 }, { tokens });
  const sink = new Writable({
    write(chunk, _e, done) {
      logs.push(String(chunk));
      done();
    },
  });
  return new GroupSync(
    { groupIds: ['g-1'], intervalMs: 60_000, graphBaseUrl: `${graph}/v1.0` },
    {
      client,
      store,
      clock: { now: () => 1_000 },
      logger: createLogger('debug', sink),
      onChange,
      leases: replica && { store: new LeaseStore(database.db, { now: () => 1_000 }), owner: replica.owner },
      onStored: replica?.onStored,
    },
  );
}

const userItem = (id: string) => ({ '@odata.type': '#microsoft.graph.user', id, displayName: `User ${id}` });

describe('Entra group sync', () => {
  test('follows @odata.nextLink, keeps users only, and tells routing once', async () => {
    const api = nock(graph, { reqheaders: { authorization: 'Bearer tok-1' } })
      .get(path)
      .query(
        (q) => q.$top === '999' && q.$select === 'id,displayName,userPrincipalName,mail,businessPhones,mobilePhone',
      )
      .reply(200, {
        value: [userItem('u1'), { '@odata.type': '#microsoft.graph.group', id: 'g-2' }],
        '@odata.nextLink': `${graph}/v1.0/groups/g-1/transitiveMembers?$top=999&$skiptoken=X1`,
      })
      .get(path)
      .query((q) => q.$skiptoken === 'X1')
      .reply(200, { value: [userItem('u2'), { '@odata.type': '#microsoft.graph.device', id: 'd-1' }] });
    let changes = 0;
    const store = new SqlGroupMembershipStore(database);
    const s = sync(store, [], () => changes++);
    await s.syncOnce();
    expect(api.isDone()).toBe(true);
    expect(s.membersOf('g-1')).toEqual(['u1', 'u2']);
    expect(changes).toBe(1);
    expect(await stored(store)).toMatchObject({ syncedAt: 1_000, error: null });
  });

  test('a next page link outside the Graph base URL is refused; the last good members stay, logged once', async () => {
    const store = new SqlGroupMembershipStore(database);
    await store.saveMembers(
      'g-1',
      [
        {
          id: 'u1',
          displayName: 'User u1',
          userPrincipalName: null,
          mail: null,
          businessPhones: [],
          mobilePhone: null,
        },
      ],
      500,
    );
    nock(graph)
      .get(path)
      .query(true)
      .times(2)
      .reply(200, { value: [userItem('u9')], '@odata.nextLink': 'https://elsewhere.example/collect?$skiptoken=1' });
    const elsewhere = nock('https://elsewhere.example').get('/collect').query(true).reply(200, { value: [] });
    const logs: string[] = [];
    let changes = 0;
    const s = sync(store, logs, () => changes++);
    await s.load();
    await s.syncOnce();
    await s.syncOnce();
    expect(elsewhere.isDone()).toBe(false);
    expect(s.membersOf('g-1')).toEqual(['u1']);
    expect(changes).toBe(0);
    expect(await stored(store)).toMatchObject({
      syncedAt: 500,
      attemptedAt: 1_000,
      error: 'Graph sent a next page link outside the configured Graph base URL',
    });
    expect(logs.filter((l) => l.includes('Entra group sync failed'))).toHaveLength(1);
  });

  test('replicas: one reads the group through Graph and tells the others, which take its members from the database', async () => {
    const api = nock(graph)
      .get(path)
      .query(true)
      .reply(200, { value: [userItem('u1'), userItem('u2')] });
    const store = new SqlGroupMembershipStore(database);
    const told: string[] = [];
    const changes = { r1: 0, r2: 0 };
    const r1 = sync(store, [], () => changes.r1++, { owner: 'r1', onStored: () => told.push('r1') });
    const r2 = sync(store, [], () => changes.r2++, { owner: 'r2', onStored: () => told.push('r2') });
    await r1.syncOnce();
    await r2.syncOnce();
    // One Graph read for both (nock answers once and refuses a second).
    expect(api.isDone()).toBe(true);
    expect(told).toEqual(['r1']);
    expect(r1.membersOf('g-1')).toEqual(['u1', 'u2']);
    expect(r2.membersOf('g-1')).toEqual(['u1', 'u2']);
    expect(changes).toEqual({ r1: 1, r2: 1 });

    // The group changes: r1 reads it at its next sync and tells; r2 takes it from the database.
    const again = nock(graph)
      .get(path)
      .query(true)
      .reply(200, { value: [userItem('u2'), userItem('u3')] });
    await r1.syncOnce();
    expect(told).toEqual(['r1', 'r1']);
    await r2.adoptStored();
    expect(again.isDone()).toBe(true);
    expect(r2.membersOf('g-1')).toEqual(['u2', 'u3']);
    expect(changes).toEqual({ r1: 2, r2: 2 });

    // r1 stops and gives the lease back: r2 reads the group through Graph from then on.
    await r1.stop();
    const byR2 = nock(graph)
      .get(path)
      .query(true)
      .reply(200, { value: [userItem('u3')] });
    await r2.syncOnce();
    expect(byR2.isDone()).toBe(true);
    expect(r2.membersOf('g-1')).toEqual(['u3']);
    expect(told).toEqual(['r1', 'r1', 'r2']);
  });
});
