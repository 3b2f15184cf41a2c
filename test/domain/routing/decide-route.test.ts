import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { RouteRequest } from '../../../src/domain/interaction/effects.js';
import type { PersonRef } from '../../../src/domain/interaction/types.js';
import { decideRoute } from '../../../src/domain/routing/decide-route.js';
import { routingOptionsSchema } from '../../../src/domain/routing/routing-point.js';
import { allReady, contextOf, experts, indexOf, states, toRoutingPoint } from './routing-fixture.js';

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, k) => `kw${k + from}`);
const list = (n: number, from = 1) => ({ kind: 'static' as const, ids: ids(n, from) });

function reasons(d: ReturnType<typeof decideRoute>): readonly string[] {
  if (d.kind !== 'failed') throw new Error(`expected a failure, got ${d.kind}`);
  return d.command.reasons;
}

describe('only Ready, reachable, not yet offered members are offered', () => {
  const index = indexOf(experts(6), [{ id: 'rp', name: 'Sales', members: list(6), strategy: { kind: 'round-robin' } }]);

  test.each([
    { table: { kw1: 'B', kw2: 'B', kw3: 'B', kw4: 'B', kw5: 'B', kw6: 'B' }, want: 'everyone is busy (6)' },
    { table: { kw1: 'L', kw2: 'L', kw3: 'L', kw4: 'L', kw5: 'L', kw6: 'L' }, want: 'everyone is offline (6)' },
    { table: {}, want: 'everyone is offline (6)' },
    { table: { kw1: 'N', kw2: 'N', kw3: 'N', kw4: 'N', kw5: 'N', kw6: 'N' }, want: 'everyone is not ready (6)' },
    { table: { kw1: 'B', kw2: 'B', kw3: 'N', kw4: 'L' }, want: '2 busy, 1 not ready, 3 offline' },
  ] as const)('$want', ({ table, want }) => {
    const d = decideRoute(toRoutingPoint('rp'), contextOf(index, { stateOf: states(table) }));
    expect(reasons(d)).toEqual([`No expert available at Sales: ${want}.`]);
    expect(d.kind === 'failed' && d.command).toMatchObject({
      type: 'RoutingFailed',
      interactionId: 'i1',
      requestId: 'r1',
    });
  });

  test('declined, unreachable and state causes are counted together', () => {
    const stateOf = states({ kw1: 'R', kw2: 'R', kw3: 'R', kw4: 'B', kw5: 'L' });
    const unreachable = (id: string) => (id === 'kw3' ? 'Teams app not installed' : undefined);
    const d = decideRoute(toRoutingPoint('rp', ['kw1', 'kw2']), contextOf(index, { stateOf, unreachable }));
    expect(reasons(d)).toEqual([
      'No expert available at Sales: 1 busy, 2 offline, 2 declined or did not answer, 1 unreachable in Teams — Expert 3: Teams app not installed.',
    ]);
  });

  test('an offered member who turned out unreachable counts as unreachable, and the reason names the first three', () => {
    const unreachable = (id: string) => (['kw1', 'kw2', 'kw3', 'kw4'].includes(id) ? `blocked ${id}` : undefined);
    const d = decideRoute(
      toRoutingPoint('rp', ['kw1']),
      contextOf(index, {
        stateOf: states({ kw1: 'R', kw2: 'R', kw3: 'R', kw4: 'R', kw5: 'B', kw6: 'B' }),
        unreachable,
      }),
    );
    expect(reasons(d)).toEqual([
      'No expert available at Sales: 2 busy, 4 unreachable in Teams — Expert 1: blocked kw1; Expert 2: blocked kw2; Expert 3: blocked kw3; and 1 more.',
    ]);
  });

  test('an unreachable Ready member is skipped for the next one', () => {
    const unreachable = (id: string) => (id === 'kw1' ? 'MessageWritesBlocked' : undefined);
    const d = decideRoute(toRoutingPoint('rp'), contextOf(index, { stateOf: allReady(ids(6)), unreachable }));
    expect(d.kind === 'offer' && d.command.targets).toEqual([
      { id: 'kw2', name: 'Expert 2', kind: 'knowledge-worker' },
    ]);
  });

  test('the offer carries the routing point and its preview timeout', () => {
    const d = decideRoute(toRoutingPoint('rp', ['kw1']), contextOf(index, { stateOf: allReady(ids(6)) }));
    expect(d).toMatchObject({
      kind: 'offer',
      path: ['rp'],
      command: {
        type: 'Offer',
        interactionId: 'i1',
        requestId: 'r1',
        targets: [{ id: 'kw2' }],
        via: { kind: 'routing-point', id: 'rp', name: 'Sales' },
        timeoutMs: 30_000,
      },
    });
  });
});

describe('maximum of offers and default routes', () => {
  const index = indexOf(experts(9), [
    {
      id: 'a',
      name: 'Tier 1',
      members: list(4),
      strategy: { kind: 'round-robin' },
      maxOffers: 2,
      previewTimeoutMs: 15_000,
      defaultRoute: { kind: 'routing-point', id: 'b' },
    },
    { id: 'b', name: 'Tier 2', members: list(3, 5), strategy: { kind: 'longest-idle' }, maxOffers: 2 },
    {
      id: 'loop1',
      name: 'Loop 1',
      members: list(1),
      strategy: { kind: 'round-robin' },
      defaultRoute: { kind: 'routing-point', id: 'loop2' },
    },
    {
      id: 'loop2',
      name: 'Loop 2',
      members: list(1, 2),
      strategy: { kind: 'round-robin' },
      defaultRoute: { kind: 'routing-point', id: 'loop1' },
    },
    { id: 'empty', name: 'Empty', members: { kind: 'static', ids: [] }, strategy: { kind: 'round-robin' } },
  ]);
  const ready = allReady(ids(9));

  test('a routing point offers to at most maxOffers people, then follows its default route', () => {
    const first = decideRoute(
      toRoutingPoint('a', ['kw1']),
      contextOf(index, { stateOf: ready, cursorOf: () => 'kw1' }),
    );
    expect(first).toMatchObject({
      kind: 'offer',
      path: ['a'],
      command: { targets: [{ id: 'kw2' }], timeoutMs: 15_000 },
    });
    const next = decideRoute(toRoutingPoint('a', ['kw1', 'kw2']), contextOf(index, { stateOf: ready }));
    expect(next).toMatchObject({
      kind: 'offer',
      path: ['a', 'b'],
      command: { targets: [{ id: 'kw5' }], via: { kind: 'routing-point', id: 'b', name: 'Tier 2' }, timeoutMs: 30_000 },
      cursor: null,
    });
  });

  test('at the end of the chain the agent hears why, routing point by routing point', () => {
    const d = decideRoute(toRoutingPoint('a', ['kw1', 'kw2', 'kw5', 'kw6']), contextOf(index, { stateOf: ready }));
    expect(d.kind === 'failed' && d.path).toEqual(['a', 'b']);
    expect(reasons(d)).toEqual([
      'No expert available at Tier 1: offered to 2 people, its maximum, and none accepted.',
      'No expert available at Tier 2: offered to 2 people, its maximum, and none accepted.',
    ]);
  });

  test('a routing point with no one Ready forwards at once', () => {
    const stateOf = states({ kw1: 'B', kw2: 'B', kw3: 'L', kw4: 'N', kw7: 'R' });
    const d = decideRoute(toRoutingPoint('a'), contextOf(index, { stateOf }));
    expect(d).toMatchObject({ kind: 'offer', path: ['a', 'b'], command: { targets: [{ id: 'kw7' }] } });
  });

  test('a default-route loop stops with a reason instead of spinning', () => {
    const d = decideRoute(toRoutingPoint('loop1'), contextOf(index, { stateOf: states({}) }));
    expect(d.kind === 'failed' && d.path).toEqual(['loop1', 'loop2']);
    expect(reasons(d)).toEqual([
      'No expert available at Loop 1: everyone is offline (1).',
      'No expert available at Loop 2: everyone is offline (1).',
      'The default route of Loop 2 leads back to Loop 1; routing stopped.',
    ]);
  });

  test('unknown and empty routing points fail with a reason', () => {
    const unknown = decideRoute(toRoutingPoint('nope', [], 'Nope'), contextOf(index, { stateOf: ready }));
    expect(reasons(unknown)).toEqual(['Routing point Nope is not configured.']);
    const empty = decideRoute(toRoutingPoint('empty'), contextOf(index, { stateOf: ready }));
    expect(reasons(empty)).toEqual(['No expert available at Empty: it has no one to offer.']);
  });
});

describe('named targets and queues', () => {
  const index = indexOf(experts(2), []);
  const request = (person: PersonRef, exclude: string[] = []): RouteRequest => ({
    type: 'RouteRequest',
    interactionId: 'i9',
    requestId: 'r2',
    kind: 'consult',
    target: { kind: 'person', person },
    exclude,
  });
  const kw1: PersonRef = { id: 'kw1', name: 'Expert 1', kind: 'knowledge-worker' };

  test.each([
    { table: { kw1: 'B' }, exclude: [], unreachable: undefined, want: 'Expert 1 is busy.' },
    { table: { kw1: 'N' }, exclude: [], unreachable: undefined, want: 'Expert 1 is not ready.' },
    { table: {}, exclude: [], unreachable: undefined, want: 'Expert 1 is offline.' },
    { table: { kw1: 'R' }, exclude: ['kw1'], unreachable: undefined, want: 'Expert 1 declined or did not answer.' },
    {
      table: { kw1: 'R' },
      exclude: [],
      unreachable: 'app not installed',
      want: 'Expert 1 is unreachable in Teams (app not installed).',
    },
  ] as const)('a named knowledge worker who cannot take it: $want', ({ table, exclude, unreachable, want }) => {
    const d = decideRoute(
      request(kw1, [...exclude]),
      contextOf(index, { stateOf: states(table), unreachable: () => unreachable }),
    );
    expect(reasons(d)).toEqual([want]);
  });

  test('a Ready named knowledge worker is offered with the named preview timeout and no routing point', () => {
    const d = decideRoute(request(kw1), contextOf(index, { stateOf: allReady(['kw1']) }));
    expect(d).toMatchObject({ kind: 'offer', command: { targets: [kw1], via: null, timeoutMs: 20_000 } });
  });

  test('a knowledge worker outside the directory is refused; an agent is offered as asked', () => {
    const stranger: PersonRef = { id: 'x', name: 'Stranger', kind: 'knowledge-worker' };
    expect(reasons(decideRoute(request(stranger), contextOf(index, { stateOf: states({}) })))).toEqual([
      'Stranger is not in the knowledge-worker directory.',
    ]);
    const agent: PersonRef = { id: 'a7', name: 'Kate Lewis', kind: 'agent' };
    expect(decideRoute(request(agent), contextOf(index, { stateOf: states({}) }))).toMatchObject({
      kind: 'offer',
      command: { targets: [agent] },
    });
  });

  test('a queue is left to the contact center', () => {
    const d = decideRoute(
      { ...request(kw1), target: { kind: 'queue', id: 'q', name: 'Chat queue' } },
      contextOf(index, { stateOf: states({}) }),
    );
    expect(d.kind).toBe('unhandled');
  });
});

describe('config validation', () => {
  test('defaults apply and a default route to an unknown routing point is refused', () => {
    const ok = routingOptionsSchema.parse({
      routingPoints: [{ id: 'a', name: 'A', members: { kind: 'static', ids: [] }, strategy: { kind: 'round-robin' } }],
    });
    expect(ok.routingPoints[0]).toMatchObject({
      previewTimeoutMs: 30_000,
      maxOffers: 5,
      defaultRoute: { kind: 'agent' },
    });
    const bad = routingOptionsSchema.safeParse({
      routingPoints: [
        {
          id: 'a',
          name: 'A',
          members: { kind: 'static', ids: [] },
          strategy: { kind: 'round-robin' },
          defaultRoute: { kind: 'routing-point', id: 'zz' },
        },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain('unknown routing point zz');
  });
});

describe('invariants (fast-check)', () => {
  const n = 12;
  const stateArb = fc.constantFrom('R', 'B', 'N', 'L', 'U');
  const strategyArb = fc.oneof(
    fc.constant({ kind: 'round-robin' as const }),
    fc.constant({ kind: 'longest-idle' as const }),
    fc.constant({ kind: 'priority' as const }),
    fc.record({ kind: fc.constant('broadcast' as const), size: fc.integer({ min: 1, max: 5 }) }),
  );

  test('offers name only Ready, reachable, not excluded members; never more than the maximum; failures say why', () => {
    fc.assert(
      fc.property(
        fc.array(stateArb, { minLength: n, maxLength: n }),
        fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        fc.subarray(ids(n)),
        strategyArb,
        strategyArb,
        fc.integer({ min: 1, max: 6 }),
        (stateList, reach, exclude, s1, s2, maxOffers) => {
          const index = indexOf(experts(n), [
            {
              id: 'a',
              name: 'A',
              members: list(6),
              strategy: s1,
              maxOffers,
              defaultRoute: { kind: 'routing-point', id: 'b' },
            },
            {
              id: 'b',
              name: 'B',
              members: list(8, 5),
              strategy: s2,
              maxOffers,
              defaultRoute: { kind: 'routing-point', id: 'a' },
            },
          ]);
          const table = Object.fromEntries(ids(n).map((id, i) => [id, stateList[i]])) as Record<string, 'R'>;
          const unreachable = (id: string) => (reach[Number(id.slice(2)) - 1] ? undefined : 'blocked');
          const d = decideRoute(
            toRoutingPoint('a', exclude),
            contextOf(index, { stateOf: states(table), unreachable }),
          );
          if (d.kind === 'offer') {
            const rp = index.routingPoints.get(d.command.via?.id ?? '');
            expect(rp).toBeDefined();
            const offeredBefore = exclude.filter((id) => rp?.positionOf.has(id)).length;
            expect(d.command.targets.length + offeredBefore).toBeLessThanOrEqual(maxOffers);
            for (const t of d.command.targets) {
              expect(table[t.id]).toBe('R');
              expect(unreachable(t.id)).toBeUndefined();
              expect(exclude).not.toContain(t.id);
              expect(rp?.positionOf.has(t.id)).toBe(true);
            }
          } else {
            expect(d.kind).toBe('failed');
            expect(reasons(d).length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});

describe('routing points that wait for an expert', () => {
  const index = indexOf(experts(3), [
    {
      id: 'w',
      name: 'Patient',
      members: list(2),
      strategy: { kind: 'round-robin' },
      waitMs: 60_000,
      maxOffers: 2,
      defaultRoute: { kind: 'routing-point', id: 'next' },
    },
    { id: 'next', name: 'Next', members: list(1, 3), strategy: { kind: 'round-robin' } },
  ]);
  const now = 1_700_000_000_000;
  const busy = states({ kw1: 'B', kw2: 'B', kw3: 'B' });

  test('no one available: the request waits here until now + waitMs, with what it found', () => {
    const d = decideRoute(toRoutingPoint('w'), contextOf(index, { stateOf: busy, now }));
    expect(d).toMatchObject({
      kind: 'wait',
      path: ['w'],
      command: {
        type: 'Wait',
        routingPoint: { kind: 'routing-point', id: 'w', name: 'Patient' },
        until: now + 60_000,
        reasons: ['No expert available at Patient: everyone is busy (2).'],
      },
    });
  });

  test('without a time, or with a member available, no one waits', () => {
    expect(decideRoute(toRoutingPoint('w'), contextOf(index, { stateOf: busy })).kind).toBe('failed');
    const ready = states({ kw2: 'R' });
    expect(decideRoute(toRoutingPoint('w'), contextOf(index, { stateOf: ready, now }))).toMatchObject({
      kind: 'offer',
      command: { targets: [{ id: 'kw2' }] },
    });
  });

  test('waiting again keeps the first deadline; once it has passed, the default route, the wait named', () => {
    const waits = { w: { since: now - 30_000, until: now + 30_000 } };
    const again = decideRoute({ ...toRoutingPoint('w', ['kw1']), waits }, contextOf(index, { stateOf: busy, now }));
    expect(again).toMatchObject({ kind: 'wait', command: { until: now + 30_000 } });
    const later = now + 30_000;
    const over = decideRoute(
      { ...toRoutingPoint('w', ['kw1']), waits },
      contextOf(index, { stateOf: states({ kw3: 'R' }), now: later }),
    );
    expect(over).toMatchObject({ kind: 'offer', path: ['w', 'next'], command: { targets: [{ id: 'kw3' }] } });
    const failed = decideRoute(
      { ...toRoutingPoint('w', ['kw1']), waits },
      contextOf(index, { stateOf: busy, now: later }),
    );
    expect(reasons(failed)).toEqual([
      'No expert available at Patient after waiting 1 min: 1 busy, 1 declined or did not answer.',
      'No expert available at Next: everyone is busy (1).',
    ]);
  });

  test('a routing point at its maximum of offers does not wait', () => {
    const d = decideRoute(toRoutingPoint('w', ['kw1', 'kw2']), contextOf(index, { stateOf: busy, now }));
    expect(d).toMatchObject({ kind: 'failed', path: ['w', 'next'] });
  });
});
