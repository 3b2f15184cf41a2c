/** The Messenger against the Bot Connector emulator: retries, unreachable users. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Deliver } from '../../../src/domain/interaction/effects.js';
import { type Harness, JIM, KATE, startHarness } from './bot-harness.js';

const line = (text: string, to = JIM): Deliver => ({
  type: 'Deliver',
  interactionId: 'ix-1',
  partyId: 'p-1',
  to,
  entry: { seq: 1, at: 0, kind: 'message', partyId: 'p-0', name: KATE.name, text, audience: 'all', event: null },
});

describe('messenger and the Bot Connector', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.install(JIM);
  });
  afterEach(async () => {
    await h.close();
  });

  test('a 429 with Retry-After is retried: the message arrives once, after the one before it', async () => {
    h.emulator.inject({ status: 429, retryAfterSeconds: 0, conversationId: `a:${JIM.id}` });
    await Promise.all([h.messenger.execute(line('one')), h.messenger.execute(line('two'))]);
    const statuses = h.emulator.requests.filter((r) => r.conversationId === `a:${JIM.id}`).map((r) => r.status);
    expect(statuses.slice(1)).toEqual([429, 201, 201]);
    expect(
      h
        .chat(JIM)
        .slice(1)
        .map((a) => a.text),
    ).toEqual(['Kate Lewis: one', 'Kate Lewis: two']);
  });

  test.each([412, 502, 504] as const)('%i is retried and the message arrives once', async (status) => {
    h.emulator.inject({ status, count: 1 });
    expect(await h.messenger.execute(line('hello'))).toEqual({ status: 'done' });
    expect(
      h
        .chat(JIM)
        .slice(1)
        .map((a) => a.text),
    ).toEqual(['Kate Lewis: hello']);
  });

  test('403 MessageWritesBlocked: unreachable, blocked', async () => {
    h.emulator.inject({ status: 403, code: 'MessageWritesBlocked' });
    expect(await h.messenger.execute(line('hello'))).toEqual({
      status: 'unreachable',
      reason: 'blocked',
      detail: 'the Bot Connector answered 403 MessageWritesBlocked',
    });
  });

  test('no conversation reference: unreachable, not installed', async () => {
    const stranger = { id: 'kw-nobody', name: 'No Body', kind: 'knowledge-worker' as const };
    expect(await h.messenger.execute(line('hello', stranger))).toMatchObject({
      status: 'unreachable',
      reason: 'not-installed',
    });
  });

  test('effects for agents and customers are not Teams business', async () => {
    expect(await h.messenger.execute(line('hello', KATE))).toEqual({
      status: 'skipped',
      reason: 'not-a-knowledge-worker',
    });
  });

  test('ReplayTranscript: the conversation so far, attributed, in one message', async () => {
    const entry = (seq: number, name: string, text: string) =>
      ({ seq, at: 0, kind: 'message', partyId: 'p', name, text, audience: 'all', event: null }) as const;
    await h.messenger.execute({
      type: 'ReplayTranscript',
      interactionId: 'ix-1',
      partyId: 'p-1',
      to: JIM,
      entries: [entry(1, 'Customer', 'My TV is broken.'), entry(2, KATE.name, 'Let me ask an expert.')],
    });
    expect(h.chat(JIM).at(-1)?.text).toBe(
      '**The conversation so far:**\n\nCustomer: My TV is broken.\n\nKate Lewis: Let me ask an expert.',
    );
  });

  test('UpdatePreview for a card never sent: no-card, nothing sent', async () => {
    const before = h.emulator.requests.length;
    const out = await h.messenger.execute({
      type: 'UpdatePreview',
      interactionId: 'ix-unknown',
      invitationId: 'inv-unknown',
      to: JIM,
      outcome: 'expired',
      by: null,
    });
    expect(out).toEqual({ status: 'no-card' });
    expect(h.emulator.requests.length).toBe(before);
  });

  test('UpdatePreview of an undeliverable preview to someone without a conversation: no-card, not unreachable', async () => {
    // Their preview could not be delivered, so there is no card: nothing to reach them for, no mark to overwrite.
    const stranger = { id: 'kw-nobody', name: 'No Body', kind: 'knowledge-worker' as const };
    const before = h.emulator.requests.length;
    const out = await h.messenger.execute({
      type: 'UpdatePreview',
      interactionId: 'ix-1',
      invitationId: 'v1',
      to: stranger,
      outcome: 'undeliverable',
      by: null,
    });
    expect(out).toEqual({ status: 'no-card' });
    expect(h.emulator.requests.length).toBe(before);
  });
});
