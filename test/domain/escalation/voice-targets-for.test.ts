/** The router and the escalation driven through the real interaction engine: RouteRequest → Offer → … → Accept. */
import { describe, expect, test } from 'vitest';
import { escalationOptionsSchema } from '../../../src/domain/escalation/voice-target.js';
import { voiceTargetsFor } from '../../../src/domain/escalation/voice-targets-for.js';
import type { Command } from '../../../src/domain/interaction/commands.js';
import type { Effect, RouteRequest } from '../../../src/domain/interaction/effects.js';
import { reduce } from '../../../src/domain/interaction/engine.js';
import type { EngineState, PersonRef } from '../../../src/domain/interaction/types.js';
import { decideRoute } from '../../../src/domain/routing/decide-route.js';
import { allReady, contextOf, experts, indexOf } from '../routing/routing-fixture.js';

const agent: PersonRef = { id: 'agent-7', name: 'Kate Lewis', kind: 'agent' };
const index = indexOf(
  experts(3, (i) => ({ email: `expert${i}@contoso.com`, businessPhones: [`+1 425 555 010${i}`] })),
  [
    {
      id: 'rp',
      name: 'Experts',
      members: { kind: 'static', ids: ['kw1', 'kw2', 'kw3'] },
      strategy: { kind: 'round-robin' },
      maxOffers: 2,
      voiceRoutingPoint: { dn: '7000', name: 'Expert voice' },
    },
  ],
);
const context = contextOf(index, { stateOf: allReady(['kw1', 'kw2', 'kw3']) });
const options = escalationOptionsSchema.parse({});

function run(state: EngineState, command: Command, now: number) {
  const r = reduce(state, command, now);
  if (!r.ok) throw new Error(`refused: ${r.refusal.code}`);
  return r;
}
const routeRequestOf = (effects: readonly Effect[]) =>
  effects.find((e): e is RouteRequest => e.type === 'RouteRequest');
const previewsOf = (effects: readonly Effect[]) => effects.flatMap((e) => (e.type === 'SendPreview' ? [e] : []));

function start() {
  return run(
    { interactions: {} },
    {
      type: 'StartIm',
      interactionId: 'im-1',
      initiator: agent,
      target: { kind: 'routing-point', id: 'rp', name: 'Experts' },
      text: 'Help with a TV?',
    },
    1_000,
  );
}

describe('router and escalation through the engine', () => {
  test('declines move on to the next member; after the maximum the agent hears why', () => {
    let r = start();
    for (const expected of ['kw1', 'kw2']) {
      const request = routeRequestOf(r.effects);
      if (!request) throw new Error('expected a RouteRequest');
      const d = decideRoute(request, context);
      if (d.kind !== 'offer') throw new Error('expected an offer');
      r = run(r.state, d.command, 2_000);
      const [preview] = previewsOf(r.effects);
      expect(preview?.to.id).toBe(expected);
      r = run(
        r.state,
        { type: 'Reject', interactionId: 'im-1', invitationId: preview?.invitationId ?? '', by: expected },
        3_000,
      );
    }
    const request = routeRequestOf(r.effects);
    expect(request?.exclude).toEqual(['kw1', 'kw2']);
    const d = request && decideRoute(request, context);
    expect(d?.kind === 'failed' && d.command.reasons).toEqual([
      'No expert available at Experts: offered to 2 people, its maximum, and none accepted.',
    ]);
  });

  test('once an expert accepts, the agent gets their number, Teams identity and the voice routing point', () => {
    let r = start();
    expect(voiceTargetsFor(r.state.interactions['im-1'] ?? fail(), index, options)).toEqual({
      kind: 'no-accepted-expert',
      interactionId: 'im-1',
    });
    const request = routeRequestOf(r.effects);
    const d = request && decideRoute(request, context);
    if (d?.kind !== 'offer') throw new Error('expected an offer');
    r = run(r.state, d.command, 2_000);
    const [preview] = previewsOf(r.effects);
    r = run(
      r.state,
      { type: 'Accept', interactionId: 'im-1', invitationId: preview?.invitationId ?? '', by: 'kw1' },
      2_500,
    );
    const targets = voiceTargetsFor(r.state.interactions['im-1'] ?? fail(), index, options);
    expect(targets).toMatchObject({
      kind: 'ready',
      knowledgeWorker: { id: 'kw1', name: 'Expert 1' },
      direct: { kind: 'number', source: 'businessPhones', number: { e164: '+14255550101' } },
      teams: { aadObjectId: 'kw1', upn: 'expert1@contoso.com', sipUri: 'sip:expert1@contoso.com' },
      route: {
        kind: 'routing-point',
        dn: '7000',
        attachedData: {
          UCC_KnowledgeWorkerId: 'kw1',
          UCC_ConsultationId: 'im-1',
          UCC_RoutingPointId: 'rp',
          UCC_AgentId: 'agent-7',
          UCC_KnowledgeWorkerDN: '+14255550101',
        },
      },
    });
  });
});

function fail(): never {
  throw new Error('missing interaction');
}
