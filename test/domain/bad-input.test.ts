/** Every command is checked; a refusal names the reason and changes nothing. */
import { describe, expect, test } from 'vitest';
import { EngineWorld, jimMiller, johnDavis, kateLewis, legalExpert } from '../support/engine-world.js';

function pendingIm(): EngineWorld {
  const w = new EngineWorld();
  w.run({
    type: 'StartIm',
    interactionId: 'im',
    initiator: johnDavis,
    target: { kind: 'person', person: kateLewis },
    text: 'Hello Kate',
  });
  w.offer('im', [kateLewis]);
  return w;
}

describe('refusals', () => {
  test('unknown interaction, invitation and party', () => {
    const w = pendingIm();
    expect(w.refuse({ type: 'SendMessage', interactionId: 'nope', from: johnDavis.id, text: 'x' }).code).toBe(
      'unknown-interaction',
    );
    expect(w.refuse({ type: 'Accept', interactionId: 'im', invitationId: 'v9', by: kateLewis.id }).code).toBe(
      'unknown-invitation',
    );
    expect(w.refuse({ type: 'SendMessage', interactionId: 'im', from: jimMiller.id, text: 'x' }).code).toBe(
      'unknown-party',
    );
    expect(w.refuse({ type: 'End', interactionId: 'im', by: jimMiller.id }).code).toBe('unknown-party');
  });

  test('another user cannot answer an invitation that is not theirs', () => {
    const w = pendingIm();
    const refusal = w.refuse({ type: 'Accept', interactionId: 'im', invitationId: 'v1', by: jimMiller.id });
    expect(refusal).toMatchObject({ code: 'not-invitee' });
    expect(refusal.message).toContain('Kate Lewis');
  });

  test('a second accept is refused with the outcome, so a repeated click can be answered idempotently', () => {
    const w = pendingIm();
    w.accept('im', kateLewis);
    expect(w.refuse({ type: 'Accept', interactionId: 'im', invitationId: 'v1', by: kateLewis.id })).toMatchObject({
      code: 'invitation-ended',
      outcome: 'accepted',
    });
    expect(w.refuse({ type: 'Reject', interactionId: 'im', invitationId: 'v1', by: kateLewis.id }).code).toBe(
      'invitation-ended',
    );
  });

  test('accept after the request was withdrawn', () => {
    const w = pendingIm();
    w.run({ type: 'Cancel', interactionId: 'im', by: johnDavis.id });
    expect(w.refuse({ type: 'Accept', interactionId: 'im', invitationId: 'v1', by: kateLewis.id })).toMatchObject({
      code: 'invitation-ended',
      outcome: 'revoked',
    });
  });

  test('a message from a party that has left, from one not yet connected, or an empty one', () => {
    const w = pendingIm();
    expect(w.refuse({ type: 'SendMessage', interactionId: 'im', from: kateLewis.id, text: 'hi' }).code).toBe(
      'party-not-connected',
    );
    expect(w.refuse({ type: 'SendMessage', interactionId: 'im', from: johnDavis.id, text: '   ' }).code).toBe(
      'invalid-command',
    );
    w.accept('im', kateLewis);
    w.end('im', kateLewis);
    expect(w.refuse({ type: 'SendMessage', interactionId: 'im', from: kateLewis.id, text: 'hi' }).code).toBe(
      'interaction-ended',
    );
  });

  test('stale router answers are refused: an offer for a request that is no longer open', () => {
    const w = pendingIm();
    w.accept('im', kateLewis);
    const refusal = w.refuse({
      type: 'Offer',
      interactionId: 'im',
      requestId: 'r1',
      targets: [legalExpert],
      via: null,
      timeoutMs: 1000,
    });
    expect(refusal.code).toBe('unknown-request');
  });

  test('an offer to someone already in the interaction, an empty offer, a bad timeout', () => {
    const w = new EngineWorld();
    w.run({
      type: 'StartIm',
      interactionId: 'im',
      initiator: johnDavis,
      target: { kind: 'person', person: kateLewis },
      text: 'hi',
    });
    const offer = (targets: (typeof kateLewis)[], timeoutMs = 1000) =>
      ({ type: 'Offer', interactionId: 'im', requestId: 'r1', targets, via: null, timeoutMs }) as const;
    expect(w.refuse(offer([johnDavis])).code).toBe('already-a-party');
    expect(w.refuse(offer([])).code).toBe('invalid-command');
    expect(w.refuse(offer([kateLewis], 0)).code).toBe('invalid-command');
    expect(w.refuse(offer([kateLewis, kateLewis])).code).toBe('invalid-command');
  });

  test('starting twice, starting without text, or messaging yourself', () => {
    const w = pendingIm();
    const start = {
      type: 'StartIm',
      interactionId: 'im',
      initiator: johnDavis,
      target: { kind: 'person', person: kateLewis },
      text: 'x',
    } as const;
    expect(w.refuse(start).code).toBe('duplicate-interaction');
    expect(w.refuse({ ...start, interactionId: 'im2', text: '' }).code).toBe('invalid-command');
    expect(w.refuse({ ...start, interactionId: 'im3', target: { kind: 'person', person: johnDavis } }).code).toBe(
      'invalid-command',
    );
  });

  test('only the requester can cancel; nothing to cancel once answered', () => {
    const w = pendingIm();
    expect(w.refuse({ type: 'Cancel', interactionId: 'im', by: kateLewis.id }).code).toBe('not-requester');
    w.accept('im', kateLewis);
    expect(w.refuse({ type: 'Cancel', interactionId: 'im', by: johnDavis.id }).code).toBe('no-pending-request');
  });
});
