/** The card builders: pure, so tested as tables. */
import { describe, expect, test } from 'vitest';
import { outcomeCard } from '../../../../src/adapters/teams/cards/outcome-cards.js';
import { previewCard, previewHeadline } from '../../../../src/adapters/teams/cards/preview-card.js';
import { formatDuration, summaryCard } from '../../../../src/adapters/teams/cards/summary-card.js';
import type { PreviewOutcome, SendPreview } from '../../../../src/domain/interaction/effects.js';

const kate = { id: 'a1', name: 'Kate Lewis', kind: 'agent' as const };
const base: SendPreview = {
  type: 'SendPreview',
  interactionId: 'ix-1',
  invitationId: 'inv-1',
  kind: 'route',
  to: { id: 'kw-1', name: 'Jim Miller', kind: 'knowledge-worker' },
  origin: { kind: 'consultation', from: kate, parentInteractionId: 'ix-0' },
  from: kate,
  via: null,
  attachedData: { Priority: 'High', Segment: 'Gold' },
  previewText: 'Broken TV, can you help?',
  expiresAt: Date.UTC(2025, 4, 12, 9, 16, 30),
};

describe('preview card', () => {
  test.each([
    [{}, 'Consultation instant messaging from Kate Lewis'],
    [{ origin: { kind: 'internal', from: kate } }, 'Internal instant messaging from Kate Lewis'],
    [{ origin: { kind: 'inbound-chat' }, from: null }, 'Inbound chat'],
    [{ origin: { kind: 'inbound-chat' }, kind: 'transfer' }, 'Chat transfer from Kate Lewis'],
    [{ origin: { kind: 'inbound-chat' }, kind: 'conference' }, 'Chat conference from Kate Lewis'],
    [{ origin: { kind: 'inbound-chat' }, kind: 'consult' }, 'Chat consultation from Kate Lewis'],
  ] as const)('headline %j → %s', (patch, headline) => {
    expect(previewHeadline({ ...base, ...(patch as Partial<SendPreview>) })).toBe(headline);
  });

  test('case information follows the configured keys and labels, skipping absent ones', () => {
    const card = previewCard(base, [
      { key: 'Segment', label: 'Customer segment' },
      { key: 'CallType', label: 'Call type' },
      { key: 'Priority', label: 'Priority' },
    ]);
    const facts = card.body.find((b) => b.type === 'FactSet')?.facts;
    expect(facts).toEqual([
      { title: 'Customer segment', value: 'Gold' },
      { title: 'Priority', value: 'High' },
    ]);
  });

  test('carries a Universal Actions refresh (Action.Execute, verb refresh) naming its reader, on a 1.5 card', () => {
    const card = previewCard(base, undefined, '29:jim');
    expect(card.version).toBe('1.5');
    expect(card.refresh).toEqual({
      action: {
        type: 'Action.Execute',
        title: 'Refresh',
        verb: 'refresh',
        data: { interactionId: 'ix-1', invitationId: 'inv-1' },
      },
      userIds: ['29:jim'],
    });
    // Without a Teams id, the reader is the knowledge worker's Entra object id.
    expect(previewCard(base).refresh?.userIds).toEqual(['kw-1']);
  });

  test('expiry renders in the reader’s time zone through {{TIME()}}', () => {
    expect(JSON.stringify(previewCard(base))).toContain('Expires at {{TIME(2025-05-12T09:16:30Z)}}');
  });
});

describe('replacement cards', () => {
  test.each([
    ['accepted', 'Kate Lewis', 'Accepted. You are connected with Kate Lewis'],
    ['declined', null, 'You declined this request'],
    ['expired', null, 'expired before it was answered'],
    ['undeliverable', null, 'could not be delivered to you'],
    ['withdrawn', 'Kate Lewis', 'Kate Lewis withdrew this request'],
    ['taken', 'Ann Lee', 'Taken by Ann Lee'],
    ['ended', null, 'This session has ended'],
  ] as const)('%s says "%s"', (outcome: PreviewOutcome, by, says) => {
    const card = outcomeCard({ headline: 'H', outcome, interactionId: 'ix-1', by });
    const json = JSON.stringify(card);
    expect(json).toContain(says);
    expect(json).not.toContain('"verb":"accept"');
    expect(json).not.toContain('"verb":"decline"');
    expect(json.includes('"verb":"end"')).toBe(outcome === 'accepted');
  });
});

describe('summary', () => {
  test.each([
    [35_000, '35 s'],
    [245_000, '4 min 05 s'],
  ])('%i ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test('lists who, how long, how many messages and who ended it', () => {
    const json = JSON.stringify(
      summaryCard({ headline: 'H', with: ['Kate Lewis'], durationMs: 61_000, messages: 3, endedBy: 'Jim Miller' }),
    );
    for (const s of ['Kate Lewis', '1 min 01 s', '"value":"3"', 'Jim Miller']) expect(json).toContain(s);
  });
});
