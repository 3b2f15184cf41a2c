/**
 * Every way a session ends for an expert tells them so, as effects: the consultation they leave for the chat (a
 * conference or a transfer from it), the customer leaving, the agent cancelling; a consult to a consultation is
 * refused and ends nothing. The Teams cards are replaced from these effects (see test/adapters/teams/expert-card-endings.test.ts).
 */
import { describe, expect, test } from 'vitest';
import type { Effect, Notify, UpdatePreview } from '../../src/domain/interaction/effects.js';
import { avrilMai, billingExpert, chatAcceptedBy, EngineWorld, kateLewis } from '../support/engine-world.js';

/** Kate's chat `c` with Avril, and her consultation `k` with the billing expert (Ann), accepted. */
function consulting(): EngineWorld {
  const w = new EngineWorld();
  chatAcceptedBy(w, 'c', kateLewis);
  w.run({
    type: 'StartIm',
    interactionId: 'k',
    initiator: kateLewis,
    target: { kind: 'person', person: billingExpert },
    text: 'Can you help me with this customer?',
    parentInteractionId: 'c',
  });
  w.offer('k', [billingExpert]);
  w.accept('k', billingExpert);
  return w;
}

/** Kate escalates `c` to her consultation with the billing expert. */
function escalate(w: EngineWorld, kind: 'conference' | 'transfer'): void {
  w.run({ type: 'Escalate', interactionId: 'c', kind, by: kateLewis.id, consultationId: 'k' });
  w.offer('c', [billingExpert]);
}

const toExpert = (effects: Effect[], interactionId: string) =>
  effects.filter(
    (e): e is Notify | UpdatePreview =>
      (e.type === 'Notify' || e.type === 'UpdatePreview') &&
      e.to.id === billingExpert.id &&
      e.interactionId === interactionId,
  );

describe('how a session ends for an expert', () => {
  for (const kind of ['conference', 'transfer'] as const) {
    test(`${kind} from a consultation: the expert is told the consultation ended, and accepted the chat`, () => {
      const w = consulting();
      escalate(w, kind);
      const effects = w.accept('c', billingExpert);
      expect(toExpert(effects, 'k')).toEqual([
        {
          type: 'Notify',
          interactionId: 'k',
          partyId: expect.any(String),
          to: billingExpert,
          notice: { kind: 'interaction-ended', endedBy: null },
        },
      ]);
      expect(toExpert(effects, 'c')).toEqual([expect.objectContaining({ type: 'UpdatePreview', outcome: 'accepted' })]);
      expect(w.ix('k').endedAt).not.toBeNull();
      // Kate is told too, once.
      expect(w.notices(kateLewis.id).filter((n) => n.kind === 'interaction-ended')).toHaveLength(1);
    });
  }

  test('consult to a consultation: refused, nothing ends, so the expert is told nothing', () => {
    const w = consulting();
    const before = w.effects.length;
    const refusal = w.refuse({
      type: 'Escalate',
      interactionId: 'c',
      kind: 'consult',
      by: kateLewis.id,
      consultationId: 'k',
    });
    expect(refusal.code).toBe('invalid-command');
    expect(w.effects.length).toBe(before);
    expect(w.ix('k').endedAt).toBeNull();
  });

  test('the customer leaves the chat the expert joined: the expert is told who ended it', () => {
    const w = consulting();
    escalate(w, 'conference');
    w.accept('c', billingExpert);
    const effects = w.end('c', avrilMai);
    expect(toExpert(effects, 'c')).toEqual([
      expect.objectContaining({ type: 'Notify', notice: { kind: 'interaction-ended', endedBy: avrilMai } }),
    ]);
  });

  test('the customer leaves while the expert is offered the chat: the offer ends, the consultation goes on', () => {
    const w = consulting();
    escalate(w, 'conference');
    const effects = w.end('c', avrilMai);
    expect(toExpert(effects, 'c')).toEqual([expect.objectContaining({ type: 'UpdatePreview', outcome: 'ended' })]);
    expect(toExpert(effects, 'k')).toEqual([]);
    expect(w.ix('k').endedAt).toBeNull();
  });

  test('the agent cancels the conference: the offer is withdrawn, the consultation goes on', () => {
    const w = consulting();
    escalate(w, 'conference');
    const effects = w.run({ type: 'Cancel', interactionId: 'c', by: kateLewis.id });
    expect(toExpert(effects, 'c')).toEqual([expect.objectContaining({ type: 'UpdatePreview', outcome: 'withdrawn' })]);
    expect(toExpert(effects, 'k')).toEqual([]);
  });

  test('the agent ends the consultation: the expert is told who ended it', () => {
    const w = consulting();
    const effects = w.end('k', kateLewis);
    expect(toExpert(effects, 'k')).toEqual([
      expect.objectContaining({ type: 'Notify', notice: { kind: 'interaction-ended', endedBy: kateLewis } }),
    ]);
  });
});
