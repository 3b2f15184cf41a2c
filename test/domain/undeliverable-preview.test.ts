/**
 * A preview that cannot be delivered (the person cannot be reached) ends its invitation at once and the request
 * moves on exactly as after a time-out: the next expert, or "no expert available", or the requester told why; one
 * state change with its resource fact (`…/Redirected [Revoked]`, outcome `unreachable`); a repeat changes nothing.
 */
import { describe, expect, test } from 'vitest';
import type { Undeliverable } from '../../src/domain/interaction/commands.js';
import {
  billingExpert,
  chatAcceptedBy,
  EngineWorld,
  expertsPoint,
  johnDavis,
  kateLewis,
  legalExpert,
} from '../support/engine-world.js';

const BLOCKED = 'they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)';

/** John asks the billing routing point in an IM (preview time-out 10 minutes); Ann is offered it first. */
function johnAsksExperts(w: EngineWorld, experts = [billingExpert]): void {
  w.run({
    type: 'StartIm',
    interactionId: 'im',
    initiator: johnDavis,
    target: { kind: 'routing-point', id: expertsPoint.id, name: expertsPoint.name },
    text: 'Can someone help with a refund?',
  });
  w.offer('im', experts, expertsPoint, 600_000);
}

const undeliverable = (invitationId: string, reason = BLOCKED): Undeliverable => ({
  type: 'Undeliverable',
  interactionId: 'im',
  invitationId,
  reason,
});

describe('a preview that cannot be delivered', () => {
  test('ends its invitation long before its due time, and routing moves on to the next expert', () => {
    const w = new EngineWorld();
    johnAsksExperts(w);
    const invitationId = w.invitationOf('im', billingExpert.id);
    w.advance(1_500);

    const effects = w.run(undeliverable(invitationId));

    const ix = w.ix('im');
    expect(ix.invitations.find((i) => i.id === invitationId)).toMatchObject({
      state: 'undeliverable',
      endedAt: w.now,
    });
    expect(ix.parties.find((p) => p.person.id === billingExpert.id)).toMatchObject({
      status: 'ended',
      exit: 'unreachable',
    });
    // The order a time-out has: the preview's outcome, the fact, the transcript line to John, then routing again.
    expect(effects.map((e) => e.type)).toEqual(['RecordFact', 'UpdatePreview', 'Deliver', 'RouteRequest']);
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'UpdatePreview', to: billingExpert, outcome: 'undeliverable' }),
    );
    expect(effects).toContainEqual(
      expect.objectContaining({
        type: 'RouteRequest',
        target: { kind: 'routing-point', id: expertsPoint.id, name: expertsPoint.name },
        exclude: [billingExpert.id],
      }),
    );
    const line = `The Instant Messaging invitation to Ann Billing could not be delivered: ${BLOCKED}.`;
    expect(w.transcript('im')).toContain(line);
    expect(w.delivered(johnDavis.id, 'im')).toEqual([line]);
    expect(ix.transcript.at(-1)?.event).toEqual({ type: 'undeliverable', partyId: ix.parties[1]?.id });
    expect(w.notices(johnDavis.id)).toEqual([]);
    expect(ix.endedAt).toBeNull();

    // The next expert is offered the same request and accepts.
    w.offer('im', [legalExpert], expertsPoint, 600_000);
    w.advance(4_000).accept('im', legalExpert);
    w.end('im', johnDavis);
    expect(w.descriptors('im')).toEqual([
      'Ann Billing RoutedTo/Redirected [Revoked]',
      'John Davis Initiated/Completed',
      'Leo Legal RoutedTo/Completed',
    ]);
    expect(w.facts.find((f) => f.resource.id === billingExpert.id)).toMatchObject({
      outcome: 'unreachable',
      routingPointId: expertsPoint.id,
      alertMs: 1_500,
      engageMs: 0,
    });
  });

  test('a second report for the same invitation changes nothing; nor does one after another ending', () => {
    const w = new EngineWorld();
    johnAsksExperts(w);
    const invitationId = w.invitationOf('im', billingExpert.id);
    w.run(undeliverable(invitationId));
    const facts = w.facts.length;

    expect(w.refuse(undeliverable(invitationId))).toMatchObject({ code: 'invitation-ended', outcome: 'undeliverable' });
    expect(w.refuse({ type: 'Timeout', interactionId: 'im', invitationId })).toMatchObject({
      code: 'invitation-ended',
    });
    expect(w.facts).toHaveLength(facts);

    // Accepted before the refusal was learnt (a race): the late report changes nothing either.
    w.offer('im', [legalExpert], expertsPoint, 600_000);
    const accepted = w.invitationOf('im', legalExpert.id);
    w.accept('im', legalExpert);
    expect(w.refuse(undeliverable(accepted))).toMatchObject({ code: 'invitation-ended', outcome: 'accepted' });
    expect(w.ix('im').parties.find((p) => p.person.id === legalExpert.id)?.status).toBe('connected');
  });

  test('is refused without a reason, or for an invitation that does not exist', () => {
    const w = new EngineWorld();
    johnAsksExperts(w);
    const invitationId = w.invitationOf('im', billingExpert.id);
    expect(w.refuse(undeliverable(invitationId, ' ')).code).toBe('invalid-command');
    expect(w.refuse(undeliverable('v9')).code).toBe('unknown-invitation');
    expect(w.refuse({ ...undeliverable(invitationId), interactionId: 'nope' }).code).toBe('unknown-interaction');
    expect(w.ix('im').invitations[0]?.state).toBe('pending');
  });

  test('one of a broadcast ends only that preview; the others keep ringing and routing waits for them', () => {
    const w = new EngineWorld();
    johnAsksExperts(w, [billingExpert, legalExpert]);
    const ann = w.invitationOf('im', billingExpert.id);
    const leo = w.invitationOf('im', legalExpert.id);

    const effects = w.run(undeliverable(ann));

    expect(effects.some((e) => e.type === 'RouteRequest')).toBe(false);
    expect(w.ix('im').invitations.map((i) => [i.id, i.state])).toEqual([
      [ann, 'undeliverable'],
      [leo, 'pending'],
    ]);
    expect(w.ix('im').request).not.toBeNull();
    w.accept('im', legalExpert);
    w.end('im', legalExpert);
    expect(w.descriptors('im')).toEqual([
      'Ann Billing RoutedTo/Redirected [Revoked]',
      'John Davis Initiated/Completed',
      'Leo Legal RoutedTo/Completed',
    ]);
    expect(w.facts.find((f) => f.resource.id === billingExpert.id)?.outcome).toBe('unreachable');
  });

  test('the last of a broadcast to end this way moves routing on', () => {
    const w = new EngineWorld();
    johnAsksExperts(w, [billingExpert, legalExpert]);
    w.reject('im', legalExpert);
    const effects = w.run(undeliverable(w.invitationOf('im', billingExpert.id)));
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'RouteRequest', exclude: [billingExpert.id, legalExpert.id] }),
    );
  });

  test('to a named expert: the request fails at once and the requester is told who could not be reached and why', () => {
    const w = new EngineWorld();
    w.run({
      type: 'StartIm',
      interactionId: 'im',
      initiator: johnDavis,
      target: { kind: 'person', person: billingExpert },
      text: 'Hello Ann',
    });
    w.offer('im', [billingExpert], null, 600_000);

    w.run(undeliverable(w.invitationOf('im', billingExpert.id)));

    const message = `The invitation to Ann Billing could not be delivered: ${BLOCKED}.`;
    expect(w.notices(johnDavis.id)).toEqual([
      { kind: 'request-failed', requestKind: 'route', reason: 'undeliverable', message, details: [message] },
      { kind: 'interaction-ended', endedBy: null },
    ]);
    expect(w.ix('im').endedAt).toBe(w.now);
    expect(w.descriptors('im')).toEqual([
      'Ann Billing RoutedTo/Redirected [Revoked]',
      'John Davis Initiated/Abandoned',
    ]);
  });

  test('a chat transfer that cannot be delivered: the chat stays with its owner, the fact is Abandoned [Revoked]', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', kateLewis);
    w.run({
      type: 'Escalate',
      interactionId: 'c',
      kind: 'transfer',
      by: kateLewis.id,
      target: { kind: 'person', person: billingExpert },
    });
    w.offer('c', [billingExpert], null, 600_000);
    const lines = w.ix('c').transcript.length;

    w.run({ ...undeliverable(w.invitationOf('c', billingExpert.id)), interactionId: 'c' });

    const ix = w.ix('c');
    expect(ix.parties.find((p) => p.id === ix.ownerPartyId)?.person).toEqual(kateLewis);
    expect(ix.transcript).toHaveLength(lines); // a chat's transcript, as on a time-out, gets no line
    expect(w.notices(kateLewis.id).at(-1)).toEqual({
      kind: 'request-failed',
      requestKind: 'transfer',
      reason: 'undeliverable',
      message: `The transfer to Ann Billing could not be delivered: ${BLOCKED}.`,
      details: [`The transfer to Ann Billing could not be delivered: ${BLOCKED}.`],
    });
    expect(w.descriptors('c')).toEqual(['Ann Billing ReceivedTransfer/Abandoned [Revoked]']);
    expect(w.facts.at(-1)?.outcome).toBe('unreachable');
  });
});
