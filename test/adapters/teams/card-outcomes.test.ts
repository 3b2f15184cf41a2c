/** Every card outcome replaces the preview for everyone who got it, and no stale Accept / Decline remains. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ANN, cardOf, click, EVE, type Harness, JIM, KATE, startHarness } from './bot-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  await h.install(JIM);
  await h.install(ANN);
  await h.install(EVE);
});
afterEach(async () => {
  await h.close();
});

/** The preview card in a user's chat, as it stands now. */
const previewIn = (user: typeof JIM) => JSON.stringify(cardOf(h.chat(user).find((a) => cardOf(a))));
const hasButtons = (json: string) => json.includes('"verb":"accept"') || json.includes('"verb":"decline"');

describe('card outcomes', () => {
  test('declined: the card says so; a second click answers the same and changes nothing', async () => {
    const { interactionId, previews } = await h.consult([JIM]);
    const data = { interactionId, invitationId: previews[0]?.invitationId };
    const first = await h.post(click(h, JIM, 'decline', data));
    expect(JSON.stringify(first.body)).toContain('You declined this request');
    expect(previewIn(JIM)).toContain('You declined this request');
    expect(hasButtons(previewIn(JIM))).toBe(false);
    const requests = h.emulator.requests.length;
    const again = await h.post(click(h, JIM, 'decline', data));
    expect(again.body).toEqual(first.body);
    expect(h.emulator.requests.length).toBe(requests);
  });

  test('expired: the timeout replaces the card', async () => {
    const { interactionId, previews } = await h.consult([JIM]);
    h.advance(60_000);
    const timedOut = await h.commands.execute({
      type: 'Timeout',
      interactionId,
      invitationId: previews[0]?.invitationId as string,
    });
    expect(timedOut.ok).toBe(true);
    expect(previewIn(JIM)).toContain('expired before it was answered');
    expect(hasButtons(previewIn(JIM))).toBe(false);
    // A late click gets the expired card back.
    const late = await h.post(click(h, JIM, 'accept', { interactionId, invitationId: previews[0]?.invitationId }));
    expect(JSON.stringify(late.body)).toContain('expired');
  });

  test('undeliverable, yet a retry got the card through: it is replaced, and a late click changes nothing', async () => {
    const { interactionId, previews } = await h.consult([JIM]);
    const invitationId = previews[0]?.invitationId as string;
    const ended = await h.commands.execute({
      type: 'Undeliverable',
      interactionId,
      invitationId,
      reason: 'they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)',
    });
    expect(ended.ok).toBe(true);
    expect(previewIn(JIM)).toContain('could not be delivered to you');
    expect(hasButtons(previewIn(JIM))).toBe(false);
    const late = await h.post(click(h, JIM, 'accept', { interactionId, invitationId }));
    expect(JSON.stringify(late.body)).toContain('could not be delivered to you');
    expect((await h.commands.get(interactionId))?.invitations[0]?.state).toBe('undeliverable');
  });

  test('withdrawn by the agent: every recipient of a broadcast sees it', async () => {
    const { interactionId } = await h.consult([JIM, ANN]);
    const cancelled = await h.commands.execute({ type: 'Cancel', interactionId, by: KATE.id });
    expect(cancelled.ok).toBe(true);
    for (const user of [JIM, ANN]) {
      expect(previewIn(user)).toContain('Kate Lewis withdrew this request');
      expect(hasButtons(previewIn(user))).toBe(false);
    }
  });

  test('broadcast: the first Accept wins, the others see "Taken by <name>" and their clicks change nothing', async () => {
    const { interactionId, previews } = await h.consult([JIM, ANN]);
    const jimInv = previews.find((p) => p.to.id === JIM.id)?.invitationId;
    const annInv = previews.find((p) => p.to.id === ANN.id)?.invitationId;
    const won = await h.post(click(h, ANN, 'accept', { interactionId, invitationId: annInv }));
    expect(JSON.stringify(won.body)).toContain('Accepted');
    expect(previewIn(JIM)).toContain('Taken by Ann Lee');
    expect(hasButtons(previewIn(JIM))).toBe(false);
    const late = await h.post(click(h, JIM, 'accept', { interactionId, invitationId: jimInv }));
    expect(JSON.stringify(late.body)).toContain('Taken by Ann Lee');
    const ix = await h.commands.get(interactionId);
    expect(ix?.parties.filter((p) => p.status === 'connected').map((p) => p.person.name)).toEqual([
      'Kate Lewis',
      'Ann Lee',
    ]);
  });

  test('accepted twice (Teams retries, double click): same answer, one party, no extra sends', async () => {
    const { interactionId, previews } = await h.consult([JIM]);
    const data = { interactionId, invitationId: previews[0]?.invitationId };
    const first = await h.post(click(h, JIM, 'accept', data));
    const requests = h.emulator.requests.length;
    const second = await h.post(click(h, JIM, 'accept', data));
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(h.emulator.requests.length).toBe(requests);
    const ix = await h.commands.get(interactionId);
    expect(ix?.parties.filter((p) => p.person.id === JIM.id)).toHaveLength(1);
  });

  test("another user's click is refused with a clear card and changes nothing", async () => {
    const { interactionId, previews } = await h.consult([JIM]);
    const res = await h.post(click(h, EVE, 'accept', { interactionId, invitationId: previews[0]?.invitationId }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('This request was sent to Jim Miller');
    expect((await h.commands.get(interactionId))?.invitations[0]?.state).toBe('pending');
    expect(hasButtons(previewIn(JIM))).toBe(true);
  });

  test('ended by the agent: the accepted card loses its End button and a summary follows', async () => {
    const { interactionId, previews } = await h.consult([JIM]);
    await h.post(click(h, JIM, 'accept', { interactionId, invitationId: previews[0]?.invitationId }));
    const ended = await h.commands.execute({ type: 'End', interactionId, by: KATE.id });
    expect(ended.ok).toBe(true);
    const cards = h.chat(JIM).map((a) => JSON.stringify(cardOf(a) ?? null));
    expect(cards.some((c) => c.includes('"verb":"end"'))).toBe(false);
    expect(cards.some((c) => c.includes('This session has ended'))).toBe(true);
    expect(cards.at(-1)).toContain('Session summary');
    expect(cards.at(-1)).toContain('"title":"Ended by","value":"Kate Lewis"');
  });

  test('End button: ends the session; pressed again it answers the same ended card', async () => {
    const { interactionId, previews } = await h.consult([JIM]);
    await h.post(click(h, JIM, 'accept', { interactionId, invitationId: previews[0]?.invitationId }));
    const first = await h.post(click(h, JIM, 'end', { interactionId }));
    expect(JSON.stringify(first.body)).toContain('This session has ended');
    expect((await h.commands.get(interactionId))?.endedAt).not.toBeNull();
    expect(JSON.stringify(cardOf(h.chat(JIM).at(-1)))).toContain('Session summary');
    const second = await h.post(click(h, JIM, 'end', { interactionId }));
    expect(JSON.stringify(second.body)).toContain('This session has ended');
  });
});
