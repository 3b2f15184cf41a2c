/** The IM lessons of 001: invitation accepted, rejected or timed out; either side ends; consultation IM. */
import { describe, expect, test } from 'vitest';
import { originLine } from '../../src/domain/interaction/transcript-lines.js';
import { avrilMai, billingExpert, chatAcceptedBy, EngineWorld, johnDavis, kateLewis } from '../support/engine-world.js';

function johnMessagesKate(w: EngineWorld): void {
  w.at(19, 26, 45);
  w.run({
    type: 'StartIm',
    interactionId: 'im',
    initiator: johnDavis,
    target: { kind: 'person', person: kateLewis },
    text: 'Hello Kate',
  });
  w.offer('im', [kateLewis], null, 30_000);
}

describe('internal IM (001)', () => {
  test('the session starts with the first message; the target accepts; the transcript reads as in Workspace', () => {
    const w = new EngineWorld();
    johnMessagesKate(w);
    expect(w.ix('im').parties.map((p) => [p.person.name, p.status])).toEqual([
      ['John Davis', 'connected'],
      ['Kate Lewis', 'establishing'],
    ]);
    const preview = w.effects.find((e) => e.type === 'SendPreview');
    expect(preview).toMatchObject({ to: kateLewis, from: johnDavis, previewText: 'Hello Kate', kind: 'route' });
    if (preview?.type === 'SendPreview')
      expect(originLine(preview.origin, 'im')).toBe('Internal instant messaging from John Davis');

    w.at(19, 26, 52);
    w.accept('im', kateLewis);
    expect(w.notices(johnDavis.id)).toEqual([{ kind: 'invitation-accepted', requestKind: 'route', by: kateLewis }]);
    w.at(19, 27, 26);
    w.say('im', kateLewis, 'Hello John');

    expect(w.transcript('im')).toEqual([
      'John Davis initiated an Instant Messaging invitation.',
      'John Davis: Hello Kate',
      'Kate Lewis accepted the Instant Messaging invitation.',
      'Kate Lewis: Hello John',
    ]);
    const ix = w.ix('im');
    expect(ix.transcript.map((e) => [e.seq, new Date(e.at).toISOString().slice(11, 19)])).toEqual([
      [1, '19:26:45'],
      [2, '19:26:45'],
      [3, '19:26:52'],
      [4, '19:27:26'],
    ]);
    expect(w.delivered(johnDavis.id)).toEqual([
      'Kate Lewis accepted the Instant Messaging invitation.',
      'Kate Lewis: Hello John',
    ]);
    expect(ix.parties.map((p) => p.status)).toEqual(['connected', 'connected']);
  });

  test('messages the initiator sends before the answer reach the target when it accepts, in order', () => {
    const w = new EngineWorld();
    johnMessagesKate(w);
    w.say('im', johnDavis, 'It is about the Smith account.');
    const effects = w.accept('im', kateLewis);
    const replay = effects.find((e) => e.type === 'ReplayTranscript');
    expect(replay?.type === 'ReplayTranscript' && replay.entries.map((e) => e.text)).toEqual([
      'It is about the Smith account.',
    ]);
  });

  test('the target rejects: the initiator is told, the preview is replaced, the IM ends', () => {
    const w = new EngineWorld();
    johnMessagesKate(w);
    const effects = w.reject('im', kateLewis);
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'UpdatePreview', to: kateLewis, outcome: 'declined' }),
    );
    expect(w.notices(johnDavis.id)[0]).toMatchObject({
      kind: 'request-failed',
      reason: 'rejected',
      message: 'The invitation was rejected by Kate Lewis.',
    });
    expect(w.transcript('im')).toContain('Kate Lewis rejected the Instant Messaging invitation.');
    expect(w.ix('im').endedAt).not.toBeNull();
    expect(w.descriptors('im')).toEqual(['John Davis Initiated/Abandoned', 'Kate Lewis RoutedTo/Redirected [Revoked]']);
  });

  test('the invitation times out: not before its due time, then exactly once', () => {
    const w = new EngineWorld();
    johnMessagesKate(w);
    const invitationId = w.invitationOf('im', kateLewis.id);
    w.advance(29_999);
    expect(w.refuse({ type: 'Timeout', interactionId: 'im', invitationId }).code).toBe('not-due');
    w.advance(1);
    const effects = w.run({ type: 'Timeout', interactionId: 'im', invitationId });
    expect(effects).toContainEqual(expect.objectContaining({ type: 'UpdatePreview', outcome: 'expired' }));
    expect(w.notices(johnDavis.id)[0]).toMatchObject({ kind: 'request-failed', reason: 'timed_out' });
    expect(w.transcript('im')).toContain('The Instant Messaging invitation to Kate Lewis timed out.');
    expect(w.refuse({ type: 'Timeout', interactionId: 'im', invitationId })).toMatchObject({
      code: 'invitation-ended',
      outcome: 'timed_out',
    });
  });

  test.each([
    ['the initiator', johnDavis, kateLewis],
    ['the target', kateLewis, johnDavis],
  ])('%s ends the IM; it ends for both', (_who, ender, other) => {
    const w = new EngineWorld();
    johnMessagesKate(w);
    w.accept('im', kateLewis);
    w.end('im', ender);
    expect(w.ix('im').parties.every((p) => p.status === 'ended')).toBe(true);
    expect(w.notices(other.id)).toContainEqual({ kind: 'interaction-ended', endedBy: ender });
    expect(w.delivered(other.id)).toContain(`Party '${ender.name}' has left the session`);
    expect(w.descriptors('im')).toEqual(['John Davis Initiated/Completed', 'Kate Lewis RoutedTo/Completed']);
  });

  test('the initiator cancels the pending request: the preview is withdrawn', () => {
    const w = new EngineWorld();
    johnMessagesKate(w);
    const effects = w.run({ type: 'Cancel', interactionId: 'im', by: johnDavis.id });
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'UpdatePreview', to: kateLewis, outcome: 'withdrawn' }),
    );
    expect(w.ix('im').endedAt).not.toBeNull();
    expect(w.facts.find((f) => f.resource.id === kateLewis.id)?.outcome).toBe('withdrawn');
  });
});

describe('consultation IM (001)', () => {
  test('a consultation IM from an active chat carries its case information to the target', () => {
    const w = new EngineWorld();
    w.run({
      type: 'ReceiveChat',
      interactionId: 'c',
      customer: avrilMai,
      queue: { kind: 'queue', id: 'q', name: 'Support' },
      attachedData: { CallType: 'Support', Priority: 'High', Reason: 'Broken TV', Segment: 'Gold' },
    });
    w.run({
      type: 'PullFromQueue',
      interactionId: 'c',
      routingPoint: { kind: 'routing-point', id: 'rp', name: 'Agents' },
    });
    w.offer('c', [kateLewis]);
    w.accept('c', kateLewis);
    w.run({
      type: 'StartIm',
      interactionId: 'consult',
      initiator: kateLewis,
      target: { kind: 'person', person: johnDavis },
      text: 'Hello John, can you help me with this call?',
      parentInteractionId: 'c',
    });
    const [preview] = w.offer('consult', [johnDavis]);
    expect(preview?.attachedData).toEqual({
      CallType: 'Support',
      Priority: 'High',
      Reason: 'Broken TV',
      Segment: 'Gold',
    });
    expect(preview && originLine(preview.origin, 'im')).toBe('Consultation instant messaging from Kate Lewis');
    expect(w.ix('c').consultationIds).toEqual(['consult']);
    w.accept('consult', johnDavis);
    w.say('consult', johnDavis, 'Yes!');
    expect(w.transcript('consult')).toEqual([
      'Kate Lewis initiated an Instant Messaging invitation.',
      'Kate Lewis: Hello John, can you help me with this call?',
      'John Davis accepted the Instant Messaging invitation.',
      'John Davis: Yes!',
    ]);
    expect(w.delivered(avrilMai.id, 'consult')).toEqual([]);
  });

  test('a consultation needs its initiator connected to the parent interaction', () => {
    const w = new EngineWorld();
    chatAcceptedBy(w, 'c', kateLewis);
    const refusal = w.refuse({
      type: 'StartIm',
      interactionId: 'consult',
      initiator: johnDavis,
      target: { kind: 'person', person: billingExpert },
      text: 'hi',
      parentInteractionId: 'c',
    });
    expect(refusal.code).toBe('party-not-connected');
  });
});
