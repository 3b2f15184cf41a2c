import { describe, expect, test } from 'vitest';
import { decideRoute } from '../../../src/domain/routing/decide-route.js';
import { allReady, contextOf, experts, indexOf, states, toRoutingPoint } from './routing-fixture.js';

const ids = (n: number) => Array.from({ length: n }, (_, k) => `kw${k + 1}`);
const members = (n: number) => ({ kind: 'static' as const, ids: ids(n) });

function offeredIds(d: ReturnType<typeof decideRoute>): string[] {
  if (d.kind !== 'offer') throw new Error(`expected an offer, got ${d.kind}`);
  return d.command.targets.map((t) => t.id);
}

describe('round-robin', () => {
  const index = indexOf(experts(4), [
    { id: 'rp', name: 'Sales', members: members(4), strategy: { kind: 'round-robin' } },
  ]);

  test.each([
    { cursor: undefined, table: { kw1: 'R', kw2: 'R', kw3: 'R', kw4: 'R' }, want: 'kw1' },
    { cursor: 'kw1', table: { kw1: 'R', kw2: 'R', kw3: 'R', kw4: 'R' }, want: 'kw2' },
    { cursor: 'kw2', table: { kw1: 'R', kw2: 'R', kw3: 'B', kw4: 'R' }, want: 'kw4' },
    { cursor: 'kw4', table: { kw1: 'R', kw2: 'R', kw3: 'R', kw4: 'R' }, want: 'kw1' },
    { cursor: 'kw3', table: { kw1: 'N', kw2: 'R', kw3: 'R', kw4: 'L' }, want: 'kw2' },
    { cursor: 'gone', table: { kw1: 'B', kw2: 'R', kw3: 'R', kw4: 'R' }, want: 'kw2' },
  ] as const)('after $cursor the next Ready member is $want', ({ cursor, table, want }) => {
    const d = decideRoute(toRoutingPoint('rp'), contextOf(index, { stateOf: states(table), cursorOf: () => cursor }));
    expect(offeredIds(d)).toEqual([want]);
    expect(d.kind === 'offer' && d.cursor).toEqual({ routingPointId: 'rp', lastOfferedId: want });
  });

  test('returning the cursor as new state walks everyone in turn', () => {
    let cursor: string | undefined;
    const seen: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const d = decideRoute(
        toRoutingPoint('rp'),
        contextOf(index, { stateOf: allReady(ids(4)), cursorOf: () => cursor }),
      );
      if (d.kind !== 'offer' || !d.cursor) throw new Error('expected an offer with a cursor');
      cursor = d.cursor.lastOfferedId;
      seen.push(cursor);
    }
    expect(seen).toEqual(['kw1', 'kw2', 'kw3', 'kw4', 'kw1', 'kw2']);
  });
});

describe('longest-idle', () => {
  const index = indexOf(experts(4), [
    { id: 'rp', name: 'Sales', members: members(4), strategy: { kind: 'longest-idle' } },
  ]);

  test.each([
    { finished: { kw1: 300, kw2: 100, kw3: 200, kw4: 400 }, table: {}, want: 'kw2' },
    { finished: { kw1: 300, kw2: 100, kw3: 200 }, table: {}, want: 'kw4' },
    { finished: { kw1: 300, kw2: 100, kw3: 200, kw4: 400 }, table: { kw2: 'B' }, want: 'kw3' },
    { finished: {}, table: {}, want: 'kw1' },
    { finished: { kw1: 5, kw2: 5, kw3: 5, kw4: 5 }, table: { kw1: 'L' }, want: 'kw2' },
  ] as const)('picks $want', ({ finished, table, want }) => {
    const stateOf = states({ kw1: 'R', kw2: 'R', kw3: 'R', kw4: 'R', ...table });
    const lastFinishedAt = (id: string) => (finished as Record<string, number>)[id];
    const d = decideRoute(toRoutingPoint('rp'), contextOf(index, { stateOf, lastFinishedAt }));
    expect(offeredIds(d)).toEqual([want]);
    expect(d.kind === 'offer' && d.cursor).toBe(null);
  });
});

describe('priority and skills', () => {
  const kws = experts(5, (i) => ({
    priority: [0, 50, 10, 10, 10, 100][i] ?? 100,
    skills: i === 2 ? [] : [{ name: 'billing', level: i }],
  }));
  const index = indexOf(kws, [
    { id: 'any', name: 'Anyone', members: members(5), strategy: { kind: 'priority' } },
    {
      id: 'billing',
      name: 'Billing',
      members: members(5),
      strategy: { kind: 'priority', skills: [{ name: 'billing', minLevel: 3 }] },
    },
  ]);

  test('priority first (lower wins), then list order', () => {
    const d = decideRoute(toRoutingPoint('any'), contextOf(index, { stateOf: allReady(ids(5)) }));
    expect(offeredIds(d)).toEqual(['kw2']);
  });

  test('among equal priorities the higher skill level wins; members without the skill are not offered', () => {
    const ready = allReady(ids(5));
    // kw4 (priority 10, level 4) before kw3 (10, level 3) before kw5 (100, level 5); kw1 (level 1) and kw2 lack it.
    expect(offeredIds(decideRoute(toRoutingPoint('billing'), contextOf(index, { stateOf: ready })))).toEqual(['kw4']);
    const d = decideRoute(toRoutingPoint('billing', ['kw4']), contextOf(index, { stateOf: ready }));
    expect(offeredIds(d)).toEqual(['kw3']);
    const last = decideRoute(toRoutingPoint('billing', ['kw4', 'kw3']), contextOf(index, { stateOf: ready }));
    expect(offeredIds(last)).toEqual(['kw5']);
    const none = decideRoute(toRoutingPoint('billing', ['kw4', 'kw3', 'kw5']), contextOf(index, { stateOf: ready }));
    expect(none.kind === 'failed' && none.command.reasons).toEqual([
      'No expert available at Billing: everyone declined or did not answer (3) (2 members lack the skills).',
    ]);
  });
});

describe('broadcast', () => {
  const index = indexOf(experts(6), [
    { id: 'b3', name: 'Broadcast', members: members(6), strategy: { kind: 'broadcast', size: 3 }, maxOffers: 5 },
    {
      id: 'idle',
      name: 'Idle first',
      members: members(6),
      strategy: { kind: 'broadcast', size: 2, rank: 'longest-idle' },
    },
  ]);

  test.each([
    { table: { kw1: 'R', kw2: 'R', kw3: 'R', kw4: 'R' }, exclude: [], want: ['kw1', 'kw2', 'kw3'] },
    { table: { kw1: 'B', kw2: 'R', kw3: 'N', kw4: 'R' }, exclude: [], want: ['kw2', 'kw4'] },
    // Three offered already: only two offers remain of the maximum of five.
    { table: { kw4: 'R', kw5: 'R', kw6: 'R' }, exclude: ['kw1', 'kw2', 'kw3'], want: ['kw4', 'kw5'] },
  ] as const)('offers up to N Ready members at once: $want', ({ table, exclude, want }) => {
    const d = decideRoute(toRoutingPoint('b3', [...exclude]), contextOf(index, { stateOf: states(table) }));
    expect(offeredIds(d)).toEqual(want);
    expect(d.kind === 'offer' && d.command.via).toEqual({ kind: 'routing-point', id: 'b3', name: 'Broadcast' });
  });

  test('ranks by longest idle when asked', () => {
    const at: Record<string, number> = { kw1: 50, kw2: 10, kw3: 40, kw4: 20, kw5: 30, kw6: 60 };
    const d = decideRoute(
      toRoutingPoint('idle'),
      contextOf(index, { stateOf: allReady(ids(6)), lastFinishedAt: (id) => at[id] }),
    );
    expect(offeredIds(d)).toEqual(['kw2', 'kw4']);
  });
});

describe('named knowledge worker strategy and Entra groups', () => {
  const index = indexOf(
    experts(3),
    [
      { id: 'pick', name: 'Picked', members: members(3), strategy: { kind: 'named', knowledgeWorkerId: 'kw3' } },
      {
        id: 'group',
        name: 'Group',
        members: { kind: 'entra-group', groupId: 'g1' },
        strategy: { kind: 'round-robin' },
      },
      {
        id: 'unsynced',
        name: 'Unsynced',
        members: { kind: 'entra-group', groupId: 'g2' },
        strategy: { kind: 'round-robin' },
      },
    ],
    (g) => (g === 'g1' ? ['kw2', 'ghost', 'kw3'] : undefined),
  );

  test('a named routing point offers only its knowledge worker', () => {
    expect(offeredIds(decideRoute(toRoutingPoint('pick'), contextOf(index, { stateOf: allReady(ids(3)) })))).toEqual([
      'kw3',
    ]);
    const d = decideRoute(toRoutingPoint('pick'), contextOf(index, { stateOf: states({ kw1: 'R', kw3: 'B' }) }));
    expect(d.kind === 'failed' && d.command.reasons).toEqual(['No expert available at Picked: everyone is busy (1).']);
  });

  test('an Entra group routing point draws its members from the synced group', () => {
    const d = decideRoute(toRoutingPoint('group'), contextOf(index, { stateOf: allReady(ids(3)) }));
    expect(offeredIds(d)).toEqual(['kw2']);
    const busy = decideRoute(toRoutingPoint('group'), contextOf(index, { stateOf: states({ kw1: 'R' }) }));
    expect(busy.kind === 'failed' && busy.command.reasons).toEqual([
      'No expert available at Group: everyone is offline (2) (1 member is not in the directory).',
    ]);
    const unsynced = decideRoute(toRoutingPoint('unsynced'), contextOf(index, { stateOf: allReady(ids(3)) }));
    expect(unsynced.kind === 'failed' && unsynced.command.reasons).toEqual([
      'No expert available at Unsynced: it has no one to offer.',
    ]);
  });
});
