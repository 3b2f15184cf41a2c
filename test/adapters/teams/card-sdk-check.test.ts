/**
 * The check every card read by the Teams tests goes through (`test/support/adaptive-cards.ts`): the Adaptive Cards
 * SDK must refuse what a Teams client would not render, or the checks of the real cards prove nothing.
 */
import { describe, expect, test } from 'vitest';
import { cardOf, cardProblems } from '../../support/adaptive-cards.js';

const good = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [{ type: 'TextBlock', text: 'Internal instant messaging from Kate Lewis', wrap: true }],
  actions: [{ type: 'Action.Execute', verb: 'accept', title: 'Accept', data: { id: 'i1' } }],
};

describe('the Adaptive Cards SDK check', () => {
  test('passes a well-formed card', () => {
    expect(cardProblems(good)).toEqual([]);
  });

  test('names an element type no client knows', () => {
    const card = { ...good, body: [...good.body, { type: 'Countdown', seconds: 20 }] };
    expect(cardProblems(card).join('\n')).toContain('Unknown element type "Countdown"');
  });

  test('names an action type no client knows, and a reader of the card fails on it', () => {
    const card = { ...good, actions: [{ type: 'Action.Ring', title: 'Ring' }] };
    expect(cardProblems(card).join('\n')).toContain('Action.Ring');
    const activity = { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] };
    expect(() => cardOf(activity)).toThrow(/Adaptive Cards SDK refuses the card/);
  });
});
