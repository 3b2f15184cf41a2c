/**
 * Every card outcome replaces the preview for everyone who got it, and no stale Accept / Decline remains: through
 * the real connector, with clicks posted to /api/messages and the cards read at the Bot Connector emulator.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { answerCard, type Card, cardOf, factsOf, saysOnCard, textsOf, verbsOf } from '../../support/adaptive-cards.js';
import { ANN, EVE, JIM, KATE, startTeamsWorld, type TeamsWorld } from '../../support/teams-world.js';

let w: TeamsWorld;
beforeEach(async () => {
  w = await startTeamsWorld();
  await w.install(JIM);
  await w.install(ANN);
  await w.install(EVE);
});
afterEach(async () => {
  await w.close();
});

/** The preview card in a user's chat, as it stands now. */
const previewIn = (user: typeof JIM) => cardOf(w.chat(user).find((a) => cardOf(a)));
const hasButtons = (card: Card | undefined) => verbsOf(card).some((v) => v === 'accept' || v === 'decline');
/** The status line of a replacement card (under its headline). */
const statusOf = (card: Card | undefined) => textsOf(card)[1];

describe('card outcomes', () => {
  test('declined: the card says so; a second click answers the same and changes nothing', async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    const data = { interactionId, invitationId: invitations[0]?.invitationId };
    const first = await w.post(w.click(JIM, 'decline', data));
    expect(statusOf(answerCard(first.body))).toBe('❌ You declined this request.');
    expect(statusOf(previewIn(JIM))).toBe('❌ You declined this request.');
    expect(hasButtons(previewIn(JIM))).toBe(false);
    // The click's answer and the outbox's replacement are one card.
    expect(answerCard(first.body)).toEqual(previewIn(JIM));
    const requests = w.emulator.requests.length;
    const again = await w.post(w.click(JIM, 'decline', data));
    expect(again.body).toEqual(first.body);
    expect(w.emulator.requests.length).toBe(requests);
  });

  test('expired: the timeout replaces the card', async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    await w.advance(60_000);
    expect((await w.app.store.get(interactionId))?.invitations[0]?.state).toBe('timed_out');
    expect(statusOf(previewIn(JIM))).toBe('⌛ This request expired before it was answered.');
    expect(hasButtons(previewIn(JIM))).toBe(false);
    // A late click gets the expired card back.
    const late = await w.post(w.click(JIM, 'accept', { interactionId, invitationId: invitations[0]?.invitationId }));
    expect(statusOf(answerCard(late.body))).toBe('⌛ This request expired before it was answered.');
  });

  test('undeliverable, yet a retry got the card through: it is replaced, and a late click changes nothing', async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    const invitationId = invitations[0]?.invitationId as string;
    const ended = await w.command({
      type: 'Undeliverable',
      interactionId,
      invitationId,
      reason: 'they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)',
    });
    expect(ended.ok).toBe(true);
    const undeliverable = '⚠️ This request could not be delivered to you; it is no longer open.';
    expect(statusOf(previewIn(JIM))).toBe(undeliverable);
    expect(hasButtons(previewIn(JIM))).toBe(false);
    const late = await w.post(w.click(JIM, 'accept', { interactionId, invitationId }));
    expect(statusOf(answerCard(late.body))).toBe(undeliverable);
    expect((await w.app.store.get(interactionId))?.invitations[0]?.state).toBe('undeliverable');
  });

  test('withdrawn by the agent: every recipient of a broadcast sees it', async () => {
    const { interactionId } = await w.consult([JIM, ANN]);
    const cancelled = await w.command({ type: 'Cancel', interactionId, by: KATE.id });
    expect(cancelled.ok).toBe(true);
    for (const user of [JIM, ANN]) {
      expect(statusOf(previewIn(user))).toBe('↩️ Kate Lewis withdrew this request.');
      expect(hasButtons(previewIn(user))).toBe(false);
    }
  });

  test('broadcast: the first Accept wins, the others see "Taken by <name>" and their clicks change nothing', async () => {
    const { interactionId, invitations } = await w.consult([JIM, ANN]);
    const jimInv = invitations.find((i) => i.to === JIM.id)?.invitationId;
    const annInv = invitations.find((i) => i.to === ANN.id)?.invitationId;
    const won = await w.post(w.click(ANN, 'accept', { interactionId, invitationId: annInv }));
    expect(saysOnCard(answerCard(won.body), 'Accepted')).toBe(true);
    expect(statusOf(previewIn(JIM))).toBe('Taken by Ann Lee.');
    expect(hasButtons(previewIn(JIM))).toBe(false);
    const late = await w.post(w.click(JIM, 'accept', { interactionId, invitationId: jimInv }));
    expect(statusOf(answerCard(late.body))).toBe('Taken by Ann Lee.');
    const ix = await w.app.store.get(interactionId);
    expect(ix?.parties.filter((p) => p.status === 'connected').map((p) => p.person.name)).toEqual([
      'Kate Lewis',
      'Ann Lee',
    ]);
  });

  test('accepted twice (Teams retries, double click): same answer, one party, no extra sends', async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    const data = { interactionId, invitationId: invitations[0]?.invitationId };
    const first = await w.post(w.click(JIM, 'accept', data));
    // The click's answer and the outbox's replacement are one card.
    expect(answerCard(first.body)).toEqual(previewIn(JIM));
    const requests = w.emulator.requests.length;
    const second = await w.post(w.click(JIM, 'accept', data));
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(w.emulator.requests.length).toBe(requests);
    const ix = await w.app.store.get(interactionId);
    expect(ix?.parties.filter((p) => p.person.id === JIM.id)).toHaveLength(1);
  });

  test("another user's click is refused with a clear card and changes nothing", async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    const res = await w.post(w.click(EVE, 'accept', { interactionId, invitationId: invitations[0]?.invitationId }));
    expect(res.status).toBe(200);
    const notice = answerCard(res.body);
    expect(textsOf(notice)[0]).toBe('This request was sent to Jim Miller');
    // The notice refreshes too, for the user who sees it, to whatever the current state then is.
    expect(notice?.refresh).toMatchObject({
      action: { type: 'Action.Execute', verb: 'refresh', data: { interactionId } },
      userIds: [expect.any(String)],
    });
    expect((await w.app.store.get(interactionId))?.invitations[0]?.state).toBe('pending');
    expect(hasButtons(previewIn(JIM))).toBe(true);
  });

  test('ended by the agent: the accepted card loses its End button and a summary follows', async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    await w.post(w.click(JIM, 'accept', { interactionId, invitationId: invitations[0]?.invitationId }));
    const ended = await w.command({ type: 'End', interactionId, by: KATE.id });
    expect(ended.ok).toBe(true);
    const cards = w
      .chat(JIM)
      .map((a) => cardOf(a))
      .filter((c) => c !== undefined);
    expect(cards.some((c) => verbsOf(c).includes('end'))).toBe(false);
    expect(cards.some((c) => textsOf(c).includes('🏁 This session has ended.'))).toBe(true);
    expect(textsOf(cards.at(-1))[0]).toBe('Session summary');
    expect(factsOf(cards.at(-1))['Ended by']).toBe('Kate Lewis');
    // A late End answers with the very card the outbox put in place of the accepted one.
    const late = await w.post(w.click(JIM, 'end', { interactionId }));
    expect(answerCard(late.body)).toEqual(cards.find((c) => textsOf(c).includes('🏁 This session has ended.')));
  });

  test('End button: ends the session; pressed again it answers the same ended card', async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    await w.post(w.click(JIM, 'accept', { interactionId, invitationId: invitations[0]?.invitationId }));
    const first = await w.post(w.click(JIM, 'end', { interactionId }));
    expect(textsOf(answerCard(first.body))).toContain('🏁 This session has ended.');
    expect((await w.app.store.get(interactionId))?.endedAt).not.toBeNull();
    expect(textsOf(cardOf(w.chat(JIM).at(-1)))[0]).toBe('Session summary');
    const second = await w.post(w.click(JIM, 'end', { interactionId }));
    expect(textsOf(answerCard(second.body))).toContain('🏁 This session has ended.');
  });
});
