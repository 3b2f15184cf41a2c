/** Chat conference (003) and transfer (004): visibility, transcript replay, ownership, active consultations. */
import { describe, expect, test } from 'vitest';
import type { ReplayTranscript } from '../../src/domain/interaction/effects.js';
import { avrilMai, billingExpert, chatAcceptedBy, EngineWorld, jimMiller, kateLewis } from '../support/engine-world.js';

function conferenceJim(w: EngineWorld): ReplayTranscript | undefined {
  w.run({
    type: 'Escalate',
    interactionId: 'c',
    kind: 'conference',
    by: kateLewis.id,
    target: { kind: 'person', person: jimMiller },
  });
  w.offer('c', [jimMiller]);
  const effects = w.accept('c', jimMiller);
  return effects.find((e): e is ReplayTranscript => e.type === 'ReplayTranscript');
}

describe('chat conference (003)', () => {
  test('the conference target sees the whole transcript so far, then everyone sees everyone', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', kateLewis);
    w.say('c', kateLewis, 'Let me contact my associate about that.');
    const replay = conferenceJim(w);
    expect(replay?.entries.map((e) => (e.kind === 'message' ? `${e.name}: ${e.text}` : e.text))).toEqual([
      'Avril Mai: Help with on line purchase',
      "New party 'Kate Lewis' has joined the session",
      'Kate Lewis: Hello, how can I help you today?',
      'Avril Mai: I am having an issue making an on line purchase.',
      'Kate Lewis: Let me contact my associate about that.',
    ]);
    w.say('c', jimMiller, 'Hello, how can I help you today?');
    expect(w.delivered(avrilMai.id).slice(-2)).toEqual([
      "New party 'Jim Miller' has joined the session",
      'Jim Miller: Hello, how can I help you today?',
    ]);
    expect(w.delivered(kateLewis.id).slice(-1)).toEqual(['Jim Miller: Hello, how can I help you today?']);
  });

  test('the conferencing agent ends while the target is connected: the chat passes to the target', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', kateLewis);
    conferenceJim(w);
    w.end('c', kateLewis);
    const ix = w.ix('c');
    expect(ix.endedAt).toBeNull();
    expect(ix.parties.find((p) => p.id === ix.ownerPartyId)?.person).toEqual(jimMiller);
    expect(w.notices(jimMiller.id)).toContainEqual(
      expect.objectContaining({ kind: 'owner-changed', owner: jimMiller }),
    );
    expect(w.delivered(avrilMai.id)).toContain("Party 'Kate Lewis' has left the session");
    w.say('c', jimMiller, 'OK, I can take care of that');
    expect(w.delivered(avrilMai.id).at(-1)).toBe('Jim Miller: OK, I can take care of that');
  });

  test('delete from conference removes the party; only the owner may do it', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', kateLewis);
    conferenceJim(w);
    const jimParty = w.ix('c').parties.find((p) => p.person.id === jimMiller.id);
    const kateParty = w.ix('c').parties.find((p) => p.person.id === kateLewis.id);
    if (!jimParty || !kateParty) throw new Error('parties missing');
    expect(
      w.refuse({ type: 'DeleteFromConference', interactionId: 'c', by: jimMiller.id, partyId: kateParty.id }).code,
    ).toBe('not-owner');
    w.run({ type: 'DeleteFromConference', interactionId: 'c', by: kateLewis.id, partyId: jimParty.id });
    expect(w.notices(jimMiller.id)).toContainEqual({ kind: 'removed-from-conference', by: kateLewis });
    expect(w.refuse({ type: 'SendMessage', interactionId: 'c', from: jimMiller.id, text: 'still here?' }).code).toBe(
      'party-left',
    );
    expect(w.facts.find((f) => f.resource.id === jimMiller.id)).toMatchObject({
      role: 'InConference',
      result: 'Completed',
      outcome: 'removed',
    });
  });

  test('a consult party is invisible to the customer', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', kateLewis);
    const before = w.delivered(avrilMai.id).length;
    w.run({
      type: 'Escalate',
      interactionId: 'c',
      kind: 'consult',
      by: kateLewis.id,
      target: { kind: 'person', person: billingExpert },
    });
    w.offer('c', [billingExpert]);
    w.accept('c', billingExpert);
    w.say('c', billingExpert, 'Check the card number on file.');
    w.say('c', kateLewis, 'Thanks, will do.', true);
    w.say('c', kateLewis, 'Could you read me the card number on file?');
    expect(w.delivered(avrilMai.id).slice(before)).toEqual(['Kate Lewis: Could you read me the card number on file?']);
    expect(w.delivered(kateLewis.id)).toContain('Ann Billing: Check the card number on file.');
    expect(w.delivered(billingExpert.id)).toEqual([
      'Kate Lewis: Thanks, will do.',
      'Kate Lewis: Could you read me the card number on file?',
    ]);
  });

  test('conference to an active consultation: the consultation ends and the expert joins the chat', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', kateLewis);
    w.run({
      type: 'StartIm',
      interactionId: 'k',
      initiator: kateLewis,
      target: { kind: 'person', person: jimMiller },
      text: 'Hey Jim, Ms. Mai is having a credit card issue. Can you help me with this call?',
      parentInteractionId: 'c',
    });
    w.offer('k', [jimMiller]);
    w.accept('k', jimMiller);
    w.say('k', jimMiller, 'Sure, conference me in');
    w.run({ type: 'Escalate', interactionId: 'c', kind: 'conference', by: kateLewis.id, consultationId: 'k' });
    expect(w.lastRouteRequest('c').target).toEqual({ kind: 'person', person: jimMiller });
    w.offer('c', [jimMiller]);
    w.accept('c', jimMiller);
    expect(w.transcript('k').at(-1)).toBe("Party 'Jim Miller' has left the session");
    expect(w.ix('k').endedAt).not.toBeNull();
    expect(
      w
        .ix('c')
        .parties.filter((p) => p.status === 'connected')
        .map((p) => p.person.name),
    ).toEqual(['Avril Mai', 'Kate Lewis', 'Jim Miller']);
    expect(w.descriptors('k')).toEqual(['Jim Miller RoutedTo/Completed', 'Kate Lewis Initiated/Completed']);
  });
});

describe('chat transfer (004)', () => {
  test('transfer to an active consultation: the target owns the chat, the sender leaves', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', kateLewis);
    w.run({
      type: 'StartIm',
      interactionId: 'k',
      initiator: kateLewis,
      target: { kind: 'person', person: jimMiller },
      text: 'Can you take this?',
      parentInteractionId: 'c',
    });
    w.offer('k', [jimMiller]);
    w.accept('k', jimMiller);
    w.run({ type: 'Escalate', interactionId: 'c', kind: 'transfer', by: kateLewis.id, consultationId: 'k' });
    w.offer('c', [jimMiller]);
    w.accept('c', jimMiller);
    const ix = w.ix('c');
    expect(ix.parties.find((p) => p.id === ix.ownerPartyId)?.person).toEqual(jimMiller);
    expect(w.refuse({ type: 'SendMessage', interactionId: 'c', from: kateLewis.id, text: 'hi' }).code).toBe(
      'party-left',
    );
    expect(w.descriptors('c')).toEqual(['Kate Lewis RoutedTo/Transferred']);
    w.end('c', jimMiller);
    expect(w.descriptors('c')).toEqual(['Jim Miller ReceivedTransfer/Completed', 'Kate Lewis RoutedTo/Transferred']);
  });

  test('only the owner escalates, one request at a time, never to someone already there or on an IM', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', kateLewis);
    const transfer = (by: string, person = jimMiller) =>
      ({ type: 'Escalate', interactionId: 'c', kind: 'transfer', by, target: { kind: 'person', person } }) as const;
    expect(w.refuse(transfer(jimMiller.id)).code).toBe('not-owner');
    expect(w.refuse(transfer(kateLewis.id, avrilMai)).code).toBe('already-a-party');
    expect(
      w.refuse({ type: 'Escalate', interactionId: 'c', kind: 'transfer', by: kateLewis.id, consultationId: 'nope' })
        .code,
    ).toBe('no-active-consultation');
    w.run(transfer(kateLewis.id));
    expect(w.refuse(transfer(kateLewis.id, billingExpert)).code).toBe('request-pending');
    w.run({
      type: 'StartIm',
      interactionId: 'im',
      initiator: kateLewis,
      target: { kind: 'person', person: jimMiller },
      text: 'hi',
    });
    expect(
      w.refuse({
        type: 'Escalate',
        interactionId: 'im',
        kind: 'conference',
        by: kateLewis.id,
        target: { kind: 'person', person: billingExpert },
      }).code,
    ).toBe('wrong-media');
  });
});
