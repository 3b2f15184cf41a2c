/**
 * The knowledge workers' channel the connector builds (the Messenger behind it) against the Bot Connector emulator:
 * retries, unreachable users, effects that are not Teams business. Effects are handed to the channel the outbox
 * hands them to; what Teams received is read at the emulator, and who is unreachable from the connector's marks.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Deliver, Effect } from '../../../src/domain/interaction/effects.js';
import type { PersonEffect } from '../../../src/ports/participant-channel.js';
import { JIM, KATE, startTeamsWorld, type TeamsWorld } from '../../support/teams-world.js';

const line = (text: string, to = JIM): Deliver => ({
  type: 'Deliver',
  interactionId: 'ix-1',
  partyId: 'p-1',
  to,
  entry: { seq: 1, at: 0, kind: 'message', partyId: 'p-0', name: KATE.name, text, audience: 'all', event: null },
});
const stranger = { id: 'kw-nobody', name: 'No Body', kind: 'knowledge-worker' as const };

describe('messenger and the Bot Connector', () => {
  let w: TeamsWorld;
  let n = 0;
  /** Hands an effect to the connector's knowledge-worker channel, as the outbox does. */
  const send = (effect: Effect) => w.app.channels['knowledge-worker'].send(`ix-1/1/${++n}`, effect as PersonEffect);
  const marks = async () => (await w.app.reach?.list()) ?? [];

  beforeEach(async () => {
    w = await startTeamsWorld();
    await w.install(JIM);
  });
  afterEach(async () => {
    await w.close();
  });

  test('a 429 with Retry-After is retried: the message arrives once, after the one before it', async () => {
    w.emulator.inject({ status: 429, retryAfterSeconds: 0, conversationId: `a:${JIM.id}` });
    await Promise.all([send(line('one')), send(line('two'))]);
    const statuses = w.emulator.requests.filter((r) => r.conversationId === `a:${JIM.id}`).map((r) => r.status);
    expect(statuses.slice(1)).toEqual([429, 201, 201]);
    expect(
      w
        .chat(JIM)
        .slice(1)
        .map((a) => a.text),
    ).toEqual(['Kate Lewis: one', 'Kate Lewis: two']);
  });

  test.each([412, 502, 504] as const)('%i is retried and the message arrives once', async (status) => {
    w.emulator.inject({ status, count: 1 });
    await send(line('hello'));
    expect(
      w
        .chat(JIM)
        .slice(1)
        .map((a) => a.text),
    ).toEqual(['Kate Lewis: hello']);
    expect(await marks()).toEqual([]);
  });

  test('403 MessageWritesBlocked: unreachable, blocked', async () => {
    w.emulator.inject({ status: 403, code: 'MessageWritesBlocked' });
    await send(line('hello'));
    expect(await marks()).toEqual([
      expect.objectContaining({
        userId: JIM.id,
        reason: 'blocked',
        detail: 'the Bot Connector answered 403 MessageWritesBlocked',
      }),
    ]);
  });

  test('no conversation reference: unreachable, not installed', async () => {
    await send(line('hello', stranger));
    expect(await marks()).toEqual([expect.objectContaining({ userId: stranger.id, reason: 'not-installed' })]);
  });

  test('effects for agents and customers are not Teams business', async () => {
    const before = w.emulator.requests.length;
    await send(line('hello', KATE));
    expect(w.emulator.requests.length).toBe(before);
    expect(await marks()).toEqual([]);
  });

  test('ReplayTranscript: the conversation so far, attributed, in one message', async () => {
    const entry = (seq: number, name: string, text: string) =>
      ({ seq, at: 0, kind: 'message', partyId: 'p', name, text, audience: 'all', event: null }) as const;
    await send({
      type: 'ReplayTranscript',
      interactionId: 'ix-1',
      partyId: 'p-1',
      to: JIM,
      entries: [entry(1, 'Customer', 'My TV is broken.'), entry(2, KATE.name, 'Let me ask an expert.')],
    });
    expect(w.chat(JIM).at(-1)?.text).toBe(
      '**The conversation so far:**\n\nCustomer: My TV is broken.\n\nKate Lewis: Let me ask an expert.',
    );
  });

  test('UpdatePreview for a card never sent: no-card, nothing sent', async () => {
    const before = w.emulator.requests.length;
    await send({
      type: 'UpdatePreview',
      interactionId: 'ix-unknown',
      invitationId: 'inv-unknown',
      to: JIM,
      outcome: 'expired',
      by: null,
    });
    expect(w.emulator.requests.length).toBe(before);
    expect(await marks()).toEqual([]);
  });

  test('UpdatePreview of an undeliverable preview to someone without a conversation: no-card, not unreachable', async () => {
    // Their preview could not be delivered, so there is no card: nothing to reach them for, no mark to overwrite.
    const before = w.emulator.requests.length;
    await send({
      type: 'UpdatePreview',
      interactionId: 'ix-1',
      invitationId: 'v1',
      to: stranger,
      outcome: 'undeliverable',
      by: null,
    });
    expect(w.emulator.requests.length).toBe(before);
    expect(await marks()).toEqual([]);
  });
});
