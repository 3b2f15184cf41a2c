/**
 * The 11 chat flows of 002 (Genesys Info Mart), each asserting its exact set of technical descriptors,
 * plus the connector's own routing-point flows (reference/infomart-flows.md).
 */
import { describe, expect, test } from 'vitest';
import {
  avrilMai,
  billingExpert,
  chatAcceptedBy,
  chatQueue,
  EngineWorld,
  expertsPoint,
  jimMiller,
  johnDavis,
  kateLewis,
  legalExpert,
} from '../support/engine-world.js';
import { infoMartFlows } from '../support/info-mart-flows.js';

const A1 = kateLewis;
const A2 = jimMiller;

describe('Info Mart chat flows (002)', () => {
  test.each(infoMartFlows)('flow %s', (_name, script, descriptors) => {
    const w = new EngineWorld();
    script(w);
    expect(w.descriptors()).toEqual([...descriptors].sort());
    expect(w.ix('c').endedAt).not.toBeNull();
  });

  test('a failed transfer leaves the chat with the sender and tells them why', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', A1);
    w.run({
      type: 'Escalate',
      interactionId: 'c',
      kind: 'transfer',
      by: A1.id,
      target: { kind: 'person', person: A2 },
    });
    w.offer('c', [A2]);
    w.reject('c', A2);
    const ix = w.ix('c');
    expect(ix.parties.find((p) => p.id === ix.ownerPartyId)?.person).toEqual(A1);
    expect(w.notices(A1.id)).toContainEqual(
      expect.objectContaining({
        kind: 'request-failed',
        requestKind: 'transfer',
        reason: 'rejected',
        message: 'The transfer was rejected by Jim Miller.',
      }),
    );
  });

  test('flow 10 while the routing point waits for an expert: Puller/CustomerAbandoned, the wait counted as mediation', () => {
    const w = new EngineWorld();
    w.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
    w.advance(5_000).run({ type: 'PullFromQueue', interactionId: 'c', routingPoint: expertsPoint });
    const pulledAt = w.now;
    w.run({
      type: 'Wait',
      interactionId: 'c',
      requestId: 'r1',
      routingPoint: expertsPoint,
      until: pulledAt + 120_000,
      position: 1,
      reasons: ['No expert available at Billing Experts: everyone is busy (2).'],
    });
    expect(w.ix('c').request?.waiting).toMatchObject({ routingPoint: expertsPoint, since: pulledAt });
    w.advance(40_000).end('c', avrilMai);
    expect(w.descriptors()).toEqual(['Billing Experts Puller/CustomerAbandoned']);
    expect(w.facts).toEqual([
      expect.objectContaining({
        role: 'Puller',
        startedAt: pulledAt,
        endedAt: pulledAt + 40_000,
        partyId: null,
        mediationMs: 40_000,
      }),
    ]);
    // Nothing is left waiting: the wait's deadline no longer applies.
    expect(w.ix('c').request).toBeNull();
    w.advance(80_000);
    expect(w.refuse({ type: 'WaitExpired', interactionId: 'c', requestId: 'r1' }).code).toBe('interaction-ended');
  });

  test('facts carry the finer outcome and durations', () => {
    const w = new EngineWorld();
    w.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
    w.run({ type: 'PullFromQueue', interactionId: 'c', routingPoint: expertsPoint });
    w.offer('c', [A1], expertsPoint, 10_000);
    w.advance(10_000).run({ type: 'Timeout', interactionId: 'c', invitationId: 'v1' });
    w.offer('c', [A2], expertsPoint);
    w.advance(2_000).accept('c', A2);
    w.advance(60_000).end('c', A2);
    const byName = Object.fromEntries(w.facts.map((f) => [f.resource.name, f]));
    expect(byName['Kate Lewis']).toMatchObject({
      outcome: 'timed_out',
      alertMs: 10_000,
      engageMs: 0,
      routingPointId: 'rp-billing',
    });
    expect(byName['Jim Miller']).toMatchObject({ outcome: 'ended', alertMs: 2_000, engageMs: 60_000 });
    // Offered at once each time: no mediation.
    expect(w.facts.map((f) => f.mediationMs)).toEqual([0, 0]);
  });

  function waitAtExperts(w: EngineWorld, ms: number): number {
    w.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
    w.run({ type: 'PullFromQueue', interactionId: 'c', routingPoint: expertsPoint });
    const since = w.now;
    w.run({
      type: 'Wait',
      interactionId: 'c',
      requestId: 'r1',
      routingPoint: expertsPoint,
      until: since + 600_000,
      position: 1,
      reasons: ['No expert available at Billing Experts: everyone is busy (2).'],
    });
    w.advance(ms);
    return since;
  }

  test('a request that waited 2 minutes before its offer: the fact carries the wait as mediation, apart from handling', () => {
    const w = new EngineWorld();
    waitAtExperts(w, 120_000);
    w.offer('c', [A1], expertsPoint);
    w.advance(3_000).accept('c', A1);
    w.advance(60_000).end('c', A1);
    expect(w.facts).toEqual([
      expect.objectContaining({
        resource: expect.objectContaining({ id: A1.id }),
        role: 'RoutedTo',
        result: 'Completed',
        alertMs: 3_000,
        engageMs: 60_000,
        mediationMs: 120_000,
      }),
    ]);
  });

  test('waiting again after a decline: the next offer counts from when the request first waited there', () => {
    const w = new EngineWorld();
    const since = waitAtExperts(w, 30_000);
    w.offer('c', [A1], expertsPoint);
    w.advance(4_000).reject('c', A1);
    w.run({
      type: 'Wait',
      interactionId: 'c',
      requestId: 'r1',
      routingPoint: expertsPoint,
      until: since + 600_000,
      position: 1,
      reasons: ['No expert available at Billing Experts: everyone is busy (2).'],
    });
    w.advance(26_000);
    w.offer('c', [A2], expertsPoint);
    w.accept('c', A2);
    w.end('c', A2);
    const byName = Object.fromEntries(w.facts.map((f) => [f.resource.name, f]));
    expect(byName['Kate Lewis']).toMatchObject({ outcome: 'declined', mediationMs: 30_000 });
    expect(byName['Jim Miller']).toMatchObject({ outcome: 'ended', mediationMs: 60_000 });
  });
});

describe("the connector's own flows", () => {
  function consultationToPoint(w: EngineWorld): void {
    w.run({
      type: 'StartIm',
      interactionId: 'im',
      initiator: johnDavis,
      target: { kind: 'routing-point', id: expertsPoint.id, name: expertsPoint.name },
      text: 'Can someone help with a refund?',
    });
  }

  test('a consultation IM to a routing point, accepted by an expert', () => {
    const w = new EngineWorld();
    consultationToPoint(w);
    w.offer('im', [billingExpert], expertsPoint);
    w.accept('im', billingExpert);
    w.end('im', billingExpert);
    expect(w.descriptors('im')).toEqual(['Ann Billing RoutedTo/Completed', 'John Davis Initiated/Completed']);
  });

  test('declined by one expert and accepted by the next', () => {
    const w = new EngineWorld();
    consultationToPoint(w);
    w.offer('im', [billingExpert], expertsPoint);
    w.reject('im', billingExpert);
    w.offer('im', [legalExpert], expertsPoint);
    w.accept('im', legalExpert);
    w.end('im', johnDavis);
    expect(w.descriptors('im')).toEqual([
      'Ann Billing RoutedTo/Redirected [Revoked]',
      'John Davis Initiated/Completed',
      'Leo Legal RoutedTo/Completed',
    ]);
    expect(w.facts.find((f) => f.resource.name === 'Ann Billing')?.outcome).toBe('declined');
  });

  test('a broadcast preview taken by one expert: the others are revoked and their cards say who took it', () => {
    const w = new EngineWorld();
    consultationToPoint(w);
    const previews = w.offer('im', [billingExpert, legalExpert], expertsPoint);
    expect(previews.map((p) => p.to.id)).toEqual([billingExpert.id, legalExpert.id]);
    const effects = w.accept('im', legalExpert);
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'UpdatePreview', to: billingExpert, outcome: 'taken', by: legalExpert }),
    );
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'UpdatePreview', to: legalExpert, outcome: 'accepted' }),
    );
    w.end('im', legalExpert);
    expect(w.descriptors('im')).toEqual([
      'Ann Billing RoutedTo/Redirected [Revoked]',
      'John Davis Initiated/Completed',
      'Leo Legal RoutedTo/Completed',
    ]);
    expect(w.facts.find((f) => f.resource.name === 'Ann Billing')?.outcome).toBe('taken_by_other');
  });

  test('no expert available: the agent is told why and the IM ends', () => {
    const w = new EngineWorld();
    consultationToPoint(w);
    const requestId = w.lastRouteRequest('im').requestId;
    w.run({ type: 'RoutingFailed', interactionId: 'im', requestId, reasons: ['2 busy', '1 offline'] });
    expect(w.notices(johnDavis.id)).toEqual([
      expect.objectContaining({ kind: 'request-failed', reason: 'no-one-available', details: ['2 busy', '1 offline'] }),
      { kind: 'interaction-ended', endedBy: null },
    ]);
    expect(w.ix('im').endedAt).toBe(w.now);
    expect(w.descriptors('im')).toEqual(['John Davis Initiated/Abandoned']);
  });
});

describe('a queue offering a chat to its own agents', () => {
  test('the agent who accepts owns the chat; a customer leaving while it rings is abandoned while ringing', () => {
    const w = new EngineWorld();
    w.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
    w.run({ type: 'PullFromQueue', interactionId: 'c', routingPoint: chatQueue });
    expect(w.lastRouteRequest('c').target).toEqual({ kind: 'queue', id: chatQueue.id, name: chatQueue.name });
    expect(w.ix('c').mediation).toEqual(chatQueue);
    w.offer('c', [kateLewis], chatQueue);
    w.accept('c', kateLewis);
    const ix = w.ix('c');
    expect(ix.parties.find((p) => p.id === ix.ownerPartyId)?.person).toEqual(kateLewis);
    w.end('c', avrilMai);
    expect(w.descriptors()).toEqual(['Kate Lewis RoutedTo/Completed']);

    const v = new EngineWorld();
    v.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
    v.run({ type: 'PullFromQueue', interactionId: 'c', routingPoint: chatQueue });
    expect(v.refuse({ type: 'PullFromQueue', interactionId: 'c', routingPoint: expertsPoint }).code).toBe(
      'request-pending',
    );
    v.offer('c', [kateLewis], chatQueue);
    v.end('c', avrilMai);
    expect(v.descriptors()).toEqual(['Kate Lewis RoutedTo/CustomerAbandoned [AbandonedWhileRinging]']);
  });
});
