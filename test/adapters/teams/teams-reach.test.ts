/**
 * Who can be reached in Teams, on a real database and the Graph emulator through the real Graph client: a
 * knowledge worker without a conversation gets the app installed and the chat fetched; a refused install marks them
 * with the reason, is not tried again before the retry time, and is tried again after it; a block outlives a stored
 * conversation until Teams tells the bot about them again; without proactive install they are not installed. Between
 * replicas, a mark or clear told by one is applied by the other, whose offers read marks from memory while it hears
 * the others (and from the database while it does not, re-reading every mark once it does again).
 */
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createAppTokenSource } from '../../../src/adapters/graph/app-token.js';
import { GraphClient } from '../../../src/adapters/graph/graph-client.js';
import { connectorMigrations } from '../../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../../src/adapters/store/open-database.js';
import { SqlUnreachableStore } from '../../../src/adapters/store/sql-reach-stores.js';
import { createSqlConversationReferenceStore } from '../../../src/adapters/store/sql-teams-stores.js';
import { createGraphInstaller } from '../../../src/adapters/teams/proactive-installer.js';
import { type ReachReplicas, TeamsReach } from '../../../src/adapters/teams/teams-reach.js';
import { type GraphEmulator, startGraphEmulator } from '../../../src/dev/graph-emulator/graph-emulator.js';
import { createLogger } from '../../../src/logger.js';
import { testDatabases } from '../../support/databases.js';

const TENANT = '00000000-0000-0000-0000-00000000e1e1';
const APP = '11111111-2222-3333-4444-555555555555';
const CATALOG_APP = 'c47a1095-0000-4000-8000-00000000ca7a';
const megan = { id: '6e7b768e-07e2-4810-8459-485f84f8f204', name: 'Megan Bowen', kind: 'knowledge-worker' as const };
const leo = { id: '0a2b1c3d-07e2-4810-8459-485f84f8f205', name: 'Leo Tax', kind: 'knowledge-worker' as const };
const HOUR = 3_600_000;

const databases = testDatabases();
afterAll(async () => {
  for (const d of databases) await d.cleanup();
});

describe.each(databases)('Teams reach on $name', (d) => {
  let emu: GraphEmulator;
  let database: OpenDatabase;
  let now = Date.UTC(2026, 0, 15, 9);
  beforeEach(async () => {
    emu = await startGraphEmulator({ tenantId: TENANT });
    emu.seedUsers([megan.id]);
    database = await openDatabase({ url: await d.create(), migrations: connectorMigrations });
  });
  afterEach(async () => {
    await database.close();
    await emu.close();
  });

  function reach(withInstaller = true, replicas?: ReachReplicas): TeamsReach {
    const tokens = createAppTokenSource({
      tenantId: TENANT,
      clientId: APP,
      clientSecret: 'secret',
      authorityBaseUrl: emu.baseUrl,
    });
    const client = new GraphClient({ graphBaseUrl: emu.graphBaseUrl }, { tokens });
    return new TeamsReach({
      store: new SqlUnreachableStore(database),
      references: createSqlConversationReferenceStore(database),
      installer: withInstaller
        ? createGraphInstaller((m, p, b) => client.request(m, p, b, undefined, { maxRetries: 0 }), {
            teamsCatalogAppId: CATALOG_APP,
            tenantId: TENANT,
            botAppId: 'bot-1',
            serviceUrl: 'http://127.0.0.1:9/',
            clock: { now: () => now },
          })
        : undefined,
      clock: { now: () => now },
      retryAfterMs: HOUR,
      logger: createLogger('silent'),
      replicas,
    });
  }

  /** Two replicas' reachability on one database; what one tells reaches the other while they are `listening`. */
  function twoReplicas() {
    const link = { listening: true };
    const both: TeamsReach[] = [];
    const replicas = (n: number): ReachReplicas => ({
      listening: () => link.listening,
      changed: (userId) => {
        if (link.listening) both[1 - n]?.changedElsewhere([userId]);
      },
    });
    both.push(reach(false, replicas(0)), reach(false, replicas(1)));
    const [a, b] = both as [TeamsReach, TeamsReach];
    return { link, a, b };
  }

  /** A stored conversation with the bot for the person. */
  async function converses(person: { id: string }): Promise<void> {
    await createSqlConversationReferenceStore(database).put({
      userId: person.id,
      tenantId: TENANT,
      serviceUrl: 'http://127.0.0.1:9/',
      conversationId: `a:${person.id}`,
      reference: { conversation: { id: `a:${person.id}` } } as never,
      updatedAt: now,
    });
  }
  const installs = () => emu.log.filter((c) => c.method === 'POST' && c.path.endsWith('/teamwork/installedApps'));

  test('no conversation yet: the app is installed, the chat fetched and kept as the conversation', async () => {
    expect(await reach().ensure(megan)).toBeUndefined();
    const installation = emu.directory.installs.of(megan.id)[0];
    expect(installation?.teamsAppId).toBe(CATALOG_APP);
    const ref = await createSqlConversationReferenceStore(database).get(megan.id);
    expect(ref).toMatchObject({ conversationId: installation?.chatId, tenantId: TENANT });
    expect(ref?.reference).toMatchObject({ conversation: { id: installation?.chatId, conversationType: 'personal' } });
    // Installed already (409) counts as installed too.
    await createSqlConversationReferenceStore(database).delete(megan.id);
    expect(await reach().ensure(megan)).toBeUndefined();
    expect(installs().map((c) => c.status)).toEqual([201, 409]);
  });

  test('a refused install marks them with the reason, kept in the database; tried again only after the retry time', async () => {
    emu.directory.denyPermission('TeamsAppInstallation.ReadWriteSelfForUser.All');
    const first = reach();
    const why = 'the Teams app could not be installed for them (installing the app: Graph answered 403 Forbidden)';
    expect(await first.ensure(megan)).toBe(why);
    expect(first.reasonOf(megan.id)).toBe(why);
    expect(await new SqlUnreachableStore(database).list()).toEqual([
      {
        userId: megan.id,
        reason: 'install-failed',
        detail: 'installing the app: Graph answered 403 Forbidden',
        since: now,
      },
    ]);

    // Another instance on the same database (a restart) knows it without asking Graph again.
    const restarted = reach();
    await restarted.load();
    expect(restarted.reasonOf(megan.id)).toBe(why);
    expect(await restarted.ensure(megan)).toBe(why);
    expect(installs()).toHaveLength(1);

    emu.directory.denyPermission('TeamsAppInstallation.ReadWriteSelfForUser.All', false);
    now += HOUR;
    expect(await restarted.ensure(megan)).toBeUndefined();
    expect(restarted.reasonOf(megan.id)).toBeUndefined();
    expect(await new SqlUnreachableStore(database).list()).toEqual([]);
  });

  test('a block outlives the stored conversation; Teams telling the bot about them again clears it', async () => {
    const r = reach();
    expect(await r.ensure(megan)).toBeUndefined();
    await r.mark(megan.id, 'blocked', 'the Bot Connector answered 403 MessageWritesBlocked');
    expect(await r.ensure(megan)).toBe(
      'they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)',
    );
    await r.clear(megan.id);
    expect(await r.ensure(megan)).toBeUndefined();
    expect(installs()).toHaveLength(1);
  });

  test('without proactive install, no conversation means not installed', async () => {
    const r = reach(false);
    expect(await r.ensure(megan)).toBe(
      'the Teams app is not installed for them (no conversation with the bot yet, and proactive install is off)',
    );
    expect((await r.list()).map((m) => m.reason)).toEqual(['not-installed']);
    expect(installs()).toEqual([]);
  });

  test('between replicas: a mark told by one keeps the other from offering; offers read marks from memory', async () => {
    const { a, b } = twoReplicas();
    await converses(megan);
    await converses(leo);
    await a.load();
    await b.load();
    const cleared: string[] = [];
    b.onCleared((id) => cleared.push(id));
    const blocked = 'they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)';

    await a.mark(megan.id, 'blocked', 'the Bot Connector answered 403 MessageWritesBlocked');
    await vi.waitFor(() => expect(b.reasonOf(megan.id)).toBe(blocked));
    expect(await b.ensure(megan)).toBe(blocked);
    // A mark written into the table by hand is told to no one: an offer does not read it.
    await new SqlUnreachableStore(database).put({ userId: leo.id, reason: 'blocked', detail: 'by hand', since: now });
    expect(await b.ensure(leo)).toBeUndefined();
    expect((await b.list()).map((m) => m.userId).sort()).toEqual([leo.id, megan.id].sort());

    // Cleared on A: B hears of it, and tells its listeners (routing offers waiting requests again).
    await a.clear(megan.id);
    await vi.waitFor(() => expect(cleared).toEqual([megan.id]));
    expect(b.reasonOf(megan.id)).toBeUndefined();
    expect(await b.ensure(megan)).toBeUndefined();
  });

  test('between replicas: while nothing is heard, each offer reads the mark; once heard again, every mark is re-read', async () => {
    const { link, a, b } = twoReplicas();
    await converses(megan);
    await converses(leo);
    await a.load();
    await b.load();
    const blocked = 'they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)';

    // B's listening connection is down: A's mark is not heard, but B's offer reads it.
    link.listening = false;
    await a.mark(megan.id, 'blocked', 'the Bot Connector answered 403 MessageWritesBlocked');
    expect(b.reasonOf(megan.id)).toBeUndefined();
    expect(await b.ensure(megan)).toBe(blocked);
    await new SqlUnreachableStore(database).put({ userId: leo.id, reason: 'blocked', detail: 'by hand', since: now });

    // Heard again: B re-reads every mark, the one written meanwhile included.
    link.listening = true;
    b.changedElsewhere(null);
    await vi.waitFor(() => expect(b.reasonOf(leo.id)).toBe('they blocked the bot in Teams (by hand)'));
    expect(await b.ensure(leo)).toBe('they blocked the bot in Teams (by hand)');
  });
});
