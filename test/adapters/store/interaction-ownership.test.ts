/**
 * The contact center that owns an interaction (`api_interactions`) is written by the command that creates it, in
 * that command's transaction: a refused start leaves no ownership row, an accepted one leaves exactly its own, and an
 * owner recorded first stays. The store tells its {@link InteractionOwners} what it records and loads. On SQLite, and on PostgreSQL when TEST_DATABASE_URL names a server.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { agentApiDb } from '../../../src/adapters/store/agent-api-schema.js';
import { connectorMigrations } from '../../../src/adapters/store/connector-migrations.js';
import { InteractionOwners } from '../../../src/adapters/store/interaction-owners.js';
import { type OpenDatabase, openDatabase } from '../../../src/adapters/store/open-database.js';
import { createSqlInteractionStore } from '../../../src/adapters/store/sql-interaction-store.js';
import type { StartIm } from '../../../src/domain/interaction/commands.js';
import type { PersonRef } from '../../../src/domain/interaction/types.js';
import { createLogger } from '../../../src/logger.js';
import type { InteractionStore } from '../../../src/ports/interaction-store.js';
import { InteractionService } from '../../../src/services/interaction-service.js';
import { testDatabases } from '../../support/databases.js';

const kate: PersonRef = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' };
const billing = { kind: 'routing-point' as const, id: 'billing', name: 'Billing Experts' };
const north = { contactCenter: 'north' };
const south = { contactCenter: 'south' };

const startIm = (interactionId: string, text: string, parentInteractionId?: string): StartIm => ({
  type: 'StartIm',
  interactionId,
  initiator: kate,
  target: billing,
  text,
  parentInteractionId,
});

describe.each(testDatabases())('interaction ownership on $name', (database) => {
  let open: OpenDatabase | undefined;
  let store: InteractionStore;
  let commands: InteractionService;
  afterAll(() => database.cleanup());
  afterEach(() => open?.close());

  const setUp = async () => {
    open = await openDatabase({ url: await database.create(), migrations: connectorMigrations });
    store = createSqlInteractionStore(open);
    commands = new InteractionService({ store, clock: { now: () => 1_000 }, logger: createLogger('silent') });
  };
  /** Every ownership row, by interaction id. */
  const owners = async () => {
    if (!open) throw new Error('no database');
    const rows = await agentApiDb(open.db)
      .selectFrom('api_interactions')
      .selectAll()
      .orderBy('interaction_id')
      .execute();
    return rows.map((r) => [r.interaction_id, r.contact_center]);
  };

  test('a refused start leaves no ownership row; an accepted one leaves its own', async () => {
    await setUp();
    const refused = await commands.execute(startIm('im-1', '   '), north);
    expect(refused).toMatchObject({ ok: false, refusal: { code: 'invalid-command' } });
    expect(await owners()).toEqual([]);
    expect(await store.get('im-1')).toBeUndefined();

    const accepted = await commands.execute(startIm('im-1', 'Can someone help with a refund?'), north);
    expect(accepted.ok).toBe(true);
    expect(await owners()).toEqual([['im-1', 'north']]);
    expect(await store.get('im-1')).toBeDefined();
  });

  test('an id another contact center owns stays its; commands that create nothing record nothing', async () => {
    await setUp();
    expect((await commands.execute(startIm('im-1', 'Can someone help with a refund?'), north)).ok).toBe(true);
    const duplicate = await commands.execute(startIm('im-1', 'Mine now?'), south);
    expect(duplicate).toMatchObject({ ok: false, refusal: { code: 'duplicate-interaction' } });
    const message = await commands.execute(
      { type: 'SendMessage', interactionId: 'im-1', from: kate.id, text: 'Anyone?' },
      south,
    );
    expect(message.ok).toBe(true);
    expect(await owners()).toEqual([['im-1', 'north']]);

    // Without an owner (not through the agent API), nothing is recorded.
    expect((await commands.execute(startIm('im-2', 'Internal question'))).ok).toBe(true);
    expect(await owners()).toEqual([['im-1', 'north']]);
  });

  test('a consultation records its own owner and leaves its parent as it was', async () => {
    await setUp();
    expect((await commands.execute(startIm('im-1', 'Can someone help with a refund?'), north)).ok).toBe(true);
    const consult = await commands.execute(startIm('im-c', 'A quick question about a refund', 'im-1'), south);
    expect(consult.ok).toBe(true);
    if (consult.ok) expect(consult.interactions.map((ix) => ix.id).sort()).toEqual(['im-1', 'im-c']);
    expect(await owners()).toEqual([
      ['im-1', 'north'],
      ['im-c', 'south'],
    ]);
  });

  test('the owners a command records are known at once; on PostgreSQL another store learns them from its loads', async () => {
    const url = await database.create();
    open = await openDatabase({ url, migrations: connectorMigrations });
    const known = new InteractionOwners();
    const here = new InteractionService({
      store: createSqlInteractionStore(open, known),
      clock: { now: () => 1_000 },
      logger: createLogger('silent'),
    });
    expect((await here.execute(startIm('im-1', 'Can someone help with a refund?'), north)).ok).toBe(true);
    expect((await here.execute(startIm('im-2', 'Internal question'))).ok).toBe(true);
    expect((await here.execute(startIm('im-3', '   '), south)).ok).toBe(false);
    expect([known.get('im-1'), known.get('im-2'), known.get('im-3')]).toEqual(['north', null, undefined]);
    if (database.name !== 'postgres') return;

    // Another replica's store: loading an interaction (which it does anyway) tells it the owner, or that it has none.
    const there = await openDatabase({ url, migrations: connectorMigrations });
    try {
      const learnt = new InteractionOwners();
      const store = createSqlInteractionStore(there, learnt);
      expect(learnt.get('im-1')).toBeUndefined();
      await store.get('im-1');
      await store.transaction((tx) => tx.load(['im-2', 'im-3']));
      expect([learnt.get('im-1'), learnt.get('im-2'), learnt.get('im-3')]).toEqual(['north', null, undefined]);
    } finally {
      await there.close();
    }
  });
});
