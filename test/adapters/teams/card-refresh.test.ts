/**
 * Every card the bot sends refreshes itself (Universal Actions `refresh`, trigger "automatic") to the card its
 * knowledge worker should see now: the open preview while it is open, the outcome once answered, the ended card once
 * the session is over. A refresh changes nothing; one from someone the card was not sent to gets a notice.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { answerCard, type Card, cardOf, saysOnCard, verbsOf } from '../../support/adaptive-cards.js';
import { ANN, JIM, startTeamsWorld, type TeamsWorld } from '../../support/teams-world.js';

let w: TeamsWorld;
beforeEach(async () => {
  w = await startTeamsWorld();
  await w.install(JIM);
  await w.install(ANN);
});
afterEach(async () => {
  await w.close();
});

type Refresh = { action: { type: string; verb: string; data: Record<string, unknown> }; userIds: string[] };
const refreshOf = (card: Card | undefined) => card?.refresh as Refresh | undefined;

/** What Teams shows `user` for `card`: the answer to its automatic refresh. */
async function shown(user: typeof JIM, card: Card | undefined): Promise<Card | undefined> {
  const refresh = refreshOf(card);
  const invoke = w.activity('invoke-adaptive-card-action', user, {
    value: { action: refresh?.action, trigger: 'automatic' },
  });
  const answer = await w.post(invoke);
  expect(answer.status).toBe(200);
  return answerCard(answer.body);
}

describe('cards refresh to the current state', () => {
  test('a preview: open, then accepted, then ended; each card sent carries a refresh naming its reader', async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    const preview = cardOf(w.chat(JIM).find((a) => verbsOf(cardOf(a)).includes('accept')));
    expect(preview?.version).toBe('1.5');
    expect(refreshOf(preview)).toEqual({
      action: {
        type: 'Action.Execute',
        title: 'Refresh',
        verb: 'refresh',
        data: { interactionId, invitationId: invitations[0]?.invitationId },
      },
      userIds: [`29:${JIM.id}`],
    });
    const effects = await w.effectCount();
    expect(await shown(JIM, preview)).toEqual(preview);
    expect(await w.effectCount()).toBe(effects); // a refresh changes nothing

    await w.post(w.click(JIM, 'accept', { interactionId, invitationId: invitations[0]?.invitationId }));
    const accepted = await shown(JIM, preview);
    expect(saysOnCard(accepted, 'Accepted')).toBe(true);
    expect(verbsOf(accepted)).toEqual(['end']);

    await w.post(w.say(JIM, 'end'));
    const ended = await shown(JIM, preview);
    expect(saysOnCard(ended, 'This session has ended')).toBe(true);
    expect(verbsOf(ended)).toEqual([]);
    // Every card in the chat refreshes for Jim, and none shown keeps a button: the accepted card his typed "end"
    // left behind shows the session ended; the summary stays the summary.
    const cards = w
      .chat(JIM)
      .map((a) => cardOf(a))
      .filter((c) => c !== undefined);
    expect(cards.length).toBeGreaterThanOrEqual(3);
    for (const c of cards) {
      expect(refreshOf(c)?.userIds).toEqual([`29:${JIM.id}`]);
      const now = await shown(JIM, c);
      expect(verbsOf(now)).toEqual([]);
      if (saysOnCard(c, 'Session summary')) expect(now).toEqual(c);
      else expect(saysOnCard(now, 'This session has ended')).toBe(true);
    }
  });

  test('someone else refreshing a card is told it is not theirs, and nothing changes', async () => {
    const { invitations } = await w.consult([JIM]);
    const preview = cardOf(w.chat(JIM).find((a) => verbsOf(cardOf(a)).includes('accept')));
    const effects = await w.effectCount();
    const other = await shown(ANN, preview);
    expect(saysOnCard(other, `sent to ${JIM.name}`)).toBe(true);
    expect(verbsOf(other)).toEqual([]);
    expect(await w.effectCount()).toBe(effects);
    expect(invitations).toHaveLength(1);
  });

  test('a refresh with malformed data: 400, nothing changed', async () => {
    await w.consult([JIM]);
    const effects = await w.effectCount();
    const answer = await w.post(w.click(JIM, 'refresh', { interactionId: 7 }));
    expect(answer.status).toBe(400);
    expect(await w.effectCount()).toBe(effects);
  });
});
