/**
 * The routing state on SQLite and PostgreSQL: a round-robin cursor advances only from the version it was read at
 * (of two requests that read the same cursor, one advances it and the other is told to decide again, also when they
 * race on two connections), and it is kept across a reopen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectorMigrations } from '../../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../../src/adapters/store/open-database.js';
import { createSqlRoutingState } from '../../../src/adapters/store/sql-routing-state.js';
import { type TestDatabase, testDatabases } from '../../support/databases.js';

/** Connections to `d`, closed (and the database dropped) after each test. */
function useConnections(d: TestDatabase) {
  const open: OpenDatabase[] = [];
  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
    await d.cleanup();
  });
  const connect = async (url: string) => {
    const db = await openDatabase({ url, migrations: connectorMigrations });
    open.push(db);
    return db;
  };
  return { open, connect };
}

describe.each(testDatabases())('routing state on $name', (d) => {
  const { open, connect } = useConnections(d);

  it('advances a cursor only from the version read, and keeps it across a reopen', async () => {
    const url = await d.create();
    const state = createSqlRoutingState(await connect(url));
    expect(await state.cursors(['turns'])).toEqual(new Map());
    const ann = { lastOfferedId: 'kw-ann', version: 1 };
    expect(await state.advanceCursor('turns', 0, 'kw-ann')).toEqual({ advanced: true, cursor: ann });
    // Read before Ann's turn was taken: refused, and told where the cursor is now.
    expect(await state.advanceCursor('turns', 0, 'kw-leo')).toEqual({ advanced: false, current: ann });
    const leo = { lastOfferedId: 'kw-leo', version: 2 };
    expect(await state.advanceCursor('turns', 1, 'kw-leo')).toEqual({ advanced: true, cursor: leo });
    expect(await state.advanceCursor('turns', 1, 'kw-sam')).toEqual({ advanced: false, current: leo });
    expect(await state.advanceCursor('other', 0, 'kw-sam')).toMatchObject({ advanced: true });
    await open.splice(0)[0]?.close();

    const again = createSqlRoutingState(await connect(url));
    expect(await again.cursors(['turns', 'other', 'none'])).toEqual(
      new Map([
        ['turns', { lastOfferedId: 'kw-leo', version: 2 }],
        ['other', { lastOfferedId: 'kw-sam', version: 1 }],
      ]),
    );
  });
});

// Replicas share a PostgreSQL database (docs/scale-out.md).
describe.each(testDatabases().filter((d) => d.name === 'postgres'))('routing state on two $name connections', (d) => {
  const { connect } = useConnections(d);

  it('lets exactly one of many concurrent advances from one version win', async () => {
    const url = await d.create();
    const states = [createSqlRoutingState(await connect(url)), createSqlRoutingState(await connect(url))];
    await states[0]?.advanceCursor('turns', 0, 'kw-ann');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => states[n % 2]?.advanceCursor('turns', 1, `kw-${n}`)),
    );
    expect(results.filter((r) => r?.advanced)).toHaveLength(1);
    const winner = results.findIndex((r) => r?.advanced);
    const now = { lastOfferedId: `kw-${winner}`, version: 2 };
    expect((await states[1]?.cursors(['turns']))?.get('turns')).toEqual(now);
    // Each loser learns a cursor at least as new as the one it read (the winner's, once it has committed).
    for (const r of results) if (r && !r.advanced) expect(r.current?.version).toBeGreaterThanOrEqual(1);
  });
});
