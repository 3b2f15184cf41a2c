/**
 * The doctor's Presence.ReadWrite.All check against the Graph emulator: with `presence.write` configured it clears
 * the connector's (absent) presence session of a knowledge worker nothing was written for, passes on Graph's 404,
 * names the consent to grant on a 403, and leaves alone the people the connector shows a presence for.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createAppTokenSource } from '../../src/adapters/graph/app-token.js';
import { connectorMigrations } from '../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../src/adapters/store/open-database.js';
import { createSqlPresenceWriteStore } from '../../src/adapters/store/sql-presence-writes.js';
import { checkPresenceWrite } from '../../src/cli/doctor/presence-write-checks.js';
import { type LocalPresence, startLocalPresence } from '../../src/dev/local-presence.js';
import { testDatabases } from '../support/databases.js';
import { loadTestConfig } from '../support/test-app.js';

const megan = '6e7b768e-07e2-4810-8459-485f84f8f204';
const alex = '87d349ed-44d7-43e1-9a83-5f2406dee5bd';
let local: LocalPresence | undefined;
let database: OpenDatabase | undefined;
afterEach(async () => {
  await database?.close();
  await local?.close();
});

async function setUp(write: boolean) {
  local = await startLocalPresence({ write });
  const config = loadTestConfig(
    { DATABASE_URL: await (testDatabases()[0]?.create() ?? Promise.resolve('')), ...local.env },
    `
directory:
  knowledgeWorkers:
    - { id: "${megan}", name: Megan Bowen }
    - { id: "${alex}", name: Alex Wilber }
${local.yaml}`,
  );
  database = await openDatabase({ url: config.database.url, migrations: connectorMigrations });
  const presence = config.presence;
  if (!presence) throw new Error('no presence section');
  const tokens = createAppTokenSource({
    tenantId: presence.tenantId,
    clientId: presence.clientId,
    clientSecret: presence.clientSecret,
    authorityBaseUrl: presence.authorityBaseUrl,
  });
  return { config, presence, tokens, emu: local.emulator, database };
}

describe('doctor: Presence.ReadWrite.All', () => {
  test('passes with the permission, on a knowledge worker the connector shows nothing for', async () => {
    const w = await setUp(true);
    await createSqlPresenceWriteStore(w.database).put({
      userId: megan,
      availability: 'Busy',
      activity: 'InACall',
      statusMessage: null,
      expiresAt: Date.now() + 600_000,
    });
    const [result] = await checkPresenceWrite(w.presence, w.tokens, w.config.directory, w.database);
    expect(result).toMatchObject({
      name: 'Graph permission Presence.ReadWrite.All',
      status: 'ok',
      detail: "clearing the connector's presence session for Alex Wilber (clearPresence) works (no session)",
    });
    expect(w.emu.log.filter((c) => c.path.includes(megan))).toEqual([]);
  });

  test('fails with the consent to grant when the permission is missing', async () => {
    const w = await setUp(true);
    w.emu.directory.denyPermission('Presence.ReadWrite.All');
    const [result] = await checkPresenceWrite(w.presence, w.tokens, w.config.directory, w.database);
    expect(result?.status).toBe('fail');
    expect(result?.detail).toContain('403 Forbidden');
    expect(result?.fix).toContain('add the application permission Presence.ReadWrite.All to app');
  });

  test('is not run without presence.write', async () => {
    const w = await setUp(false);
    expect(await checkPresenceWrite(w.presence, w.tokens, w.config.directory, w.database)).toEqual([]);
  });
});
