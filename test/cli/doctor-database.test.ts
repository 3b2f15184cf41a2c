/**
 * The doctor's database check on both dialects: a database the connector has not migrated yet names the missing
 * migrations and the fix; once the connector has opened it, the check passes. Nothing is migrated by the check.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectorMigrations } from '../../src/adapters/store/connector-migrations.js';
import { openDatabase } from '../../src/adapters/store/open-database.js';
import { checkDatabase } from '../../src/cli/doctor/database-checks.js';
import { testDatabases } from '../support/databases.js';

const databases = testDatabases();
afterAll(async () => {
  for (const d of databases) await d.cleanup();
});

describe.each(databases)('doctor database check on $name', (d) => {
  it('names the migrations an older version left unapplied, then passes once the connector migrated', async () => {
    const url = await d.create();
    await (await openDatabase({ url })).close(); // only the engine's own migrations, as an older release had
    const before = await checkDatabase(url);
    await before.database?.close();
    expect(before.result.status).toBe('fail');
    expect(before.result.detail).toContain(
      '10 of 13 migrations are not applied (100-agent-api, 200-presence, 300-teams-reach, 310-presence-refusals, 320-teams-sends, 330-routing-state, 340-routing-waits, 360-presence-writes, 361-agent-states, 370-mediation-time)',
    );
    expect(before.result.fix).toContain('start this version of the connector once');
    const again = await checkDatabase(url);
    await again.database?.close();
    expect(again.result.status).toBe('fail'); // the check itself migrated nothing

    await (await openDatabase({ url, migrations: connectorMigrations })).close();
    const after = await checkDatabase(url);
    await after.database?.close();
    expect(after.result).toMatchObject({ status: 'ok', detail: expect.stringContaining('all 13 migrations applied') });
  });
});
