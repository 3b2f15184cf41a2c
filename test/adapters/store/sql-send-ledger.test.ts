/**
 * The send ledger on SQLite and PostgreSQL: a send is new once, answered sends are known with their activity id,
 * starts never answered count up as in doubt, and a send Teams refused is forgotten (a retry is new again).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectorMigrations } from '../../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../../src/adapters/store/open-database.js';
import { createSqlSendLedger } from '../../../src/adapters/store/sql-send-ledger.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

describe.each(testDatabases())('send ledger on $name', (d) => {
  let db: OpenDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
    await d.cleanup();
  });

  it('knows a send as new, in doubt, sent or forgotten, across a reopen', async () => {
    const url = await d.create();
    db = await openDatabase({ url, migrations: connectorMigrations });
    const ledger = createSqlSendLedger(db, new TestClock(1_000));
    expect(await ledger.begin('ix-1/1/0', 'kw-ann')).toEqual({ status: 'new' });
    expect(await ledger.begin('ix-1/1/0', 'kw-ann')).toEqual({ status: 'in-doubt', unanswered: 1 });
    expect(await ledger.begin('ix-1/1/1', 'kw-ann')).toEqual({ status: 'new' });
    await ledger.sent('ix-1/1/1', 'act-7');
    await ledger.forget('ix-1/1/2'); // unknown: nothing happens
    await db.close();

    db = await openDatabase({ url, migrations: connectorMigrations });
    const again = createSqlSendLedger(db, new TestClock(2_000));
    expect(await again.begin('ix-1/1/0', 'kw-ann')).toEqual({ status: 'in-doubt', unanswered: 2 });
    expect(await again.begin('ix-1/1/1', 'kw-ann')).toEqual({ status: 'sent', activityId: 'act-7' });
    await again.forget('ix-1/1/0');
    expect(await again.begin('ix-1/1/0', 'kw-ann')).toEqual({ status: 'new' });
  });
});
