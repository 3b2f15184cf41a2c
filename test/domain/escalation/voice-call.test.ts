/**
 * A call at a voice routing point, in the engine and its settings: `ReceiveCall` with the `direct` rule or a preview,
 * how the preview ends (accepted, declined, timed out, undeliverable), the decision read back, the facts, and the
 * commands refused; the voice routing points' settings and their defaults.
 */
import { describe, expect, test } from 'vitest';
import { callDecisionOf } from '../../../src/domain/escalation/call-decision.js';
import { voiceRoutingPointFor, voiceRoutingPointsSchema } from '../../../src/domain/escalation/voice-routing-points.js';
import type { ReceiveCall } from '../../../src/domain/interaction/commands.js';
import { describeFact } from '../../../src/domain/reporting/resource-fact.js';
import { routingPointSchema } from '../../../src/domain/routing/routing-point.js';
import { billingExpert, EngineWorld, kateLewis } from '../../support/engine-world.js';

const point = { kind: 'routing-point' as const, id: '5001', name: 'Expert transfer' };

const receive = (rule: ReceiveCall['rule'], patch: Partial<ReceiveCall> = {}): ReceiveCall => ({
  type: 'ReceiveCall',
  interactionId: 'call',
  routingPoint: point,
  knowledgeWorker: billingExpert,
  from: kateLewis,
  attachedData: { UCC_KnowledgeWorkerId: billingExpert.id, CallType: 'Inbound' },
  rule,
  timeoutMs: 20_000,
  ...patch,
});

const descriptors = (w: EngineWorld) => w.facts.map((f) => `${describeFact(f)} ${f.outcome} ${f.routingPointId}`);

describe('a call at a voice routing point', () => {
  test('the direct rule decides at once: routed to the knowledge worker, no preview, one fact', () => {
    const w = new EngineWorld();
    const effects = w.run(receive('direct'));
    expect(effects.map((e) => e.type)).toEqual(['RecordFact']);
    expect(callDecisionOf(w.ix('call'))).toEqual({
      status: 'decided',
      route: 'knowledge-worker',
      reason: 'direct',
      decidedAt: w.now,
    });
    expect(w.ix('call')).toMatchObject({ media: 'voice', request: null, mediation: null });
    expect(descriptors(w)).toEqual(['RoutedTo/Completed ended 5001']);
  });

  test('a preview goes to the knowledge worker with its countdown; Accept routes the call to them', () => {
    const w = new EngineWorld();
    const effects = w.run(receive('preview'));
    expect(effects).toEqual([
      expect.objectContaining({
        type: 'SendPreview',
        to: billingExpert,
        from: kateLewis,
        origin: { kind: 'voice-call', from: kateLewis, dn: '5001' },
        via: point,
        expiresAt: w.now + 20_000,
        timeoutMs: 20_000,
      }),
      { type: 'ScheduleTimeout', interactionId: 'call', invitationId: 'v1', dueAt: w.now + 20_000 },
    ]);
    expect(callDecisionOf(w.ix('call'))).toEqual({ status: 'previewing', expiresAt: w.now + 20_000 });
    w.advance(4_000);
    w.run({ type: 'Accept', interactionId: 'call', invitationId: 'v1', by: billingExpert.id });
    expect(callDecisionOf(w.ix('call'))).toMatchObject({ route: 'knowledge-worker', reason: 'accepted' });
    expect(descriptors(w)).toEqual(['RoutedTo/Completed ended 5001']);
    expect(w.facts[0]).toMatchObject({ alertMs: 4_000, engageMs: 0, mediationMs: 0, media: 'voice' });
  });

  test.each([
    ['declined', { type: 'Reject', interactionId: 'call', invitationId: 'v1', by: billingExpert.id }, 0, 'declined'],
    ['timed_out', { type: 'Timeout', interactionId: 'call', invitationId: 'v1' }, 20_000, 'timed_out'],
    [
      'undeliverable',
      { type: 'Undeliverable', interactionId: 'call', invitationId: 'v1', reason: 'they blocked the bot' },
      0,
      'unreachable',
    ],
  ] as const)('%s: the default route, once', (reason, command, wait, outcome) => {
    const w = new EngineWorld();
    w.run(receive('preview'));
    w.advance(wait);
    w.run(command);
    expect(callDecisionOf(w.ix('call'))).toEqual({ status: 'decided', route: 'default', reason, decidedAt: w.now });
    expect(descriptors(w)).toEqual([`RoutedTo/Redirected [Revoked] ${outcome} 5001`]);
    // Nothing answers it twice.
    expect(w.refuse({ type: 'Timeout', interactionId: 'call', invitationId: 'v1' }).code).toBe('invitation-ended');
    expect(w.refuse({ type: 'Accept', interactionId: 'call', invitationId: 'v1', by: billingExpert.id }).code).toBe(
      'invitation-ended',
    );
  });

  test('the caller hanging up: abandoned while ringing, the card replaced; refused once decided', () => {
    const w = new EngineWorld();
    w.run(receive('preview'));
    w.advance(3_000);
    const effects = w.run({ type: 'AbandonCall', interactionId: 'call' });
    expect(effects).toContainEqual(expect.objectContaining({ type: 'UpdatePreview', outcome: 'ended' }));
    expect(callDecisionOf(w.ix('call'))).toEqual({ status: 'abandoned', abandonedAt: w.now });
    expect(descriptors(w)).toEqual(['RoutedTo/CustomerAbandoned [AbandonedWhileRinging] customer_left 5001']);
    expect(w.refuse({ type: 'AbandonCall', interactionId: 'call' }).code).toBe('interaction-ended');
    w.run(receive('direct', { interactionId: 'direct' }));
    expect(w.refuse({ type: 'AbandonCall', interactionId: 'direct' }).code).toBe('interaction-ended');
    expect(w.refuse({ type: 'AbandonCall', interactionId: 'nothing' }).code).toBe('unknown-interaction');
  });

  test('refused: before its time-out, by someone else, a duplicate id, an agent or a queue as the target', () => {
    const w = new EngineWorld();
    w.run(receive('preview'));
    expect(w.refuse({ type: 'Timeout', interactionId: 'call', invitationId: 'v1' }).code).toBe('not-due');
    expect(w.refuse({ type: 'Accept', interactionId: 'call', invitationId: 'v1', by: 'kw-other' }).code).toBe(
      'not-invitee',
    );
    expect(w.refuse(receive('direct')).code).toBe('duplicate-interaction');
    expect(w.refuse(receive('direct', { interactionId: 'c2', knowledgeWorker: kateLewis })).code).toBe(
      'invalid-command',
    );
    const queue = { kind: 'queue' as const, id: 'q', name: 'Q' };
    expect(w.refuse(receive('direct', { interactionId: 'c3', routingPoint: queue })).code).toBe('invalid-command');
    expect(w.refuse(receive('preview', { interactionId: 'c4', timeoutMs: 0 })).code).toBe('invalid-command');
  });
});

describe('voice routing points', () => {
  const experts = routingPointSchema.parse({
    id: 'billing',
    name: 'Billing',
    members: { kind: 'static', ids: ['kw-1'] },
    strategy: { kind: 'round-robin' },
    voiceRoutingPoint: { dn: '5100', name: 'Billing voice' },
  });

  test('listed: their settings; handed out only: the defaults; else unknown', () => {
    const listed = voiceRoutingPointsSchema.parse([{ dn: '5001', rule: 'direct', defaultRoute: { dn: '5999' } }]);
    expect(voiceRoutingPointFor('5001', listed, [experts])).toEqual({
      dn: '5001',
      name: '5001',
      rule: 'direct',
      previewTimeoutMs: 20_000,
      defaultRoute: { dn: '5999', name: null },
    });
    expect(voiceRoutingPointFor('5100', listed, [experts])).toEqual({
      dn: '5100',
      name: 'Billing voice',
      rule: 'preview',
      previewTimeoutMs: 20_000,
      defaultRoute: null,
    });
    expect(voiceRoutingPointFor('5200', listed, [experts])).toBeUndefined();
  });

  test('each DN once, a known rule, a time-out from 1 s to 2 min', () => {
    expect(voiceRoutingPointsSchema.safeParse([{ dn: '1' }, { dn: '1' }]).success).toBe(false);
    expect(voiceRoutingPointsSchema.safeParse([{ dn: '1', rule: 'later' }]).success).toBe(false);
    expect(voiceRoutingPointsSchema.safeParse([{ dn: '1', previewTimeoutMs: 999 }]).success).toBe(false);
    expect(voiceRoutingPointsSchema.safeParse([{ dn: '1', previewTimeoutMs: 120_001 }]).success).toBe(false);
  });
});
