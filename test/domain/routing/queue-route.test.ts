/**
 * Requests to queues and routing points skip the people already in the interaction (`present`): the chat's owner
 * is never offered their own chat, and a queue with no one else left fails the request with a reason.
 */
import { describe, expect, test } from 'vitest';
import type { RouteRequest } from '../../../src/domain/interaction/effects.js';
import { decideRoute } from '../../../src/domain/routing/decide-route.js';
import { decideForQueue } from '../../../src/domain/routing/queue-route.js';
import { allReady, contextOf, experts, indexOf, toRoutingPoint } from './routing-fixture.js';

const queues = [{ id: 'q1', name: 'Inbound Chat', members: ['kate', 'jim'] }];
const agents = [
  { id: 'kate', name: 'Kate Lewis' },
  { id: 'jim', name: 'Jim Miller' },
];
const toQueue = (exclude: string[], present?: string[]): RouteRequest => ({
  type: 'RouteRequest',
  interactionId: 'c1',
  requestId: 'r2',
  kind: 'conference',
  target: { kind: 'queue', id: 'q1', name: 'Inbound Chat' },
  exclude,
  present,
});
const context = { queues, agents, previewTimeoutMs: 30_000 };

describe('decideForQueue', () => {
  test('skips the owner, its first member, and offers the next one', () => {
    const d = decideForQueue(toQueue([], ['kate']), context);
    expect(d).toMatchObject({ type: 'Offer', targets: [{ id: 'jim', kind: 'agent' }], via: { id: 'q1' } });
  });

  test('fails with a reason when everyone else was offered it already', () => {
    const d = decideForQueue(toQueue(['jim'], ['kate']), context);
    expect(d).toEqual({
      type: 'RoutingFailed',
      interactionId: 'c1',
      requestId: 'r2',
      reasons: ['No agent of Inbound Chat is left to offer (1 already in the chat).'],
    });
  });

  test('a request stored before `present` existed still offers in order', () => {
    expect(decideForQueue(toQueue([]), context)).toMatchObject({ type: 'Offer', targets: [{ id: 'kate' }] });
  });
});

describe('decideRoute with people present', () => {
  const index = indexOf(experts(3), [
    {
      id: 'rp',
      name: 'Experts',
      members: { kind: 'static', ids: ['kw1', 'kw2', 'kw3'] },
      strategy: { kind: 'priority' },
      maxOffers: 2,
    },
  ]);
  const ctx = contextOf(index, { stateOf: allReady(['kw1', 'kw2', 'kw3']) });

  test('a member already in the interaction is skipped and not counted toward maxOffers', () => {
    const request = { ...toRoutingPoint('rp', ['kw2']), present: ['kw1'] };
    const d = decideRoute(request, ctx);
    expect(d.kind).toBe('offer');
    if (d.kind === 'offer') expect(d.command.targets.map((t) => t.id)).toEqual(['kw3']);
  });

  test('with every member present, the request fails', () => {
    const d = decideRoute({ ...toRoutingPoint('rp'), present: ['kw1', 'kw2', 'kw3'] }, ctx);
    expect(d.kind).toBe('failed');
  });
});
