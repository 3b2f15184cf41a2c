/**
 * The core loop through the real connector over HTTP: install, preview card, Accept, relay both ways, End, summary.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { answerCard, buttonsOf, cardOf, factsOf, saysOnCard, textsOf, verbsOf } from '../../support/adaptive-cards.js';
import { JIM, KATE, startTeamsWorld, type TeamsWorld } from '../../support/teams-world.js';

let w: TeamsWorld;
beforeEach(async () => {
  w = await startTeamsWorld();
});
afterEach(async () => {
  await w.close();
});

describe('the preview loop', () => {
  test('install stores the reference and greets the user', async () => {
    await w.install(JIM);
    const ref = await w.references.get(JIM.id);
    expect(ref?.tenantId).toBe('72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(ref?.serviceUrl).toBe(w.emulator.serviceUrl);
    expect(w.chat(JIM).map((a) => a.text)).toEqual([expect.stringContaining('request card will appear here')]);
  });

  test('a preview card arrives with origin, case information, first message, expiry and Accept / Decline', async () => {
    await w.install(JIM);
    const { interactionId, invitations } = await w.consult([JIM]);
    expect(invitations).toHaveLength(1);
    const card = cardOf(w.chat(JIM).at(-1));
    expect(card?.version).toBe('1.5');
    const texts = textsOf(card);
    expect(texts[0]).toBe('Internal instant messaging from Kate Lewis');
    expect(factsOf(card)).toEqual({ 'Call type': 'Inbound', Priority: 'High', Reason: 'Broken TV', Segment: 'Gold' });
    expect(JSON.stringify(card)).not.toContain('Secret');
    expect(texts).toContain('Kate Lewis: Hi, can you help with a broken TV?');
    expect(texts).toContain('Expires at {{TIME(2025-05-12T09:16:00Z)}}');
    const buttons = buttonsOf(card);
    expect(buttons.map((a) => [a.type, a.verb, a.fallback])).toEqual([
      ['Action.Execute', 'accept', 'Action.Submit'],
      ['Action.Execute', 'decline', 'Action.Submit'],
    ]);
    expect(buttons[0]?.data).toEqual({ interactionId, invitationId: invitations[0]?.invitationId });
  });

  test('Accept connects, relays both ways in order, and End shows a summary', async () => {
    await w.install(JIM);
    const { interactionId, invitations } = await w.consult([JIM]);
    const invitationId = invitations[0]?.invitationId as string;

    const res = await w.post(w.click(JIM, 'accept', { interactionId, invitationId }));
    expect(res.status).toBe(200);
    const answer = res.body as { statusCode: number; type: string; value: unknown };
    expect(answer.statusCode).toBe(200);
    expect(answer.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(textsOf(answerCard(answer))[1]).toMatch(/^✅ Accepted\. You are connected with Kate Lewis/);
    // The card in the chat was replaced: no Accept / Decline left, an End button instead.
    const replaced = cardOf(w.chat(JIM)[1]);
    expect(saysOnCard(replaced, 'Accepted')).toBe(true);
    expect(verbsOf(replaced)).toEqual(['end']);
    expect(buttonsOf(replaced)[0]?.data).toEqual({ interactionId });

    // Knowledge worker → agent.
    expect((await w.post(w.say(JIM, 'Sure, what model is the TV?'))).status).toBeLessThan(300);
    // Agent → knowledge worker, twice, in order.
    for (const text of ['A Contoso X100.', 'It shows no picture.']) {
      const sent = await w.command({ type: 'SendMessage', interactionId, from: KATE.id, text });
      expect(sent.ok).toBe(true);
    }
    const ix = await w.app.store.get(interactionId);
    expect(ix?.transcript.filter((e) => e.kind === 'message').map((e) => `${e.name}: ${e.text}`)).toEqual([
      'Kate Lewis: Hi, can you help with a broken TV?',
      'Jim Miller: Sure, what model is the TV?',
      'Kate Lewis: A Contoso X100.',
      'Kate Lewis: It shows no picture.',
    ]);
    const texts = w
      .chat(JIM)
      .map((a) => a.text)
      .filter(Boolean);
    expect(texts.slice(-2)).toEqual(['Kate Lewis: A Contoso X100.', 'Kate Lewis: It shows no picture.']);

    // The knowledge worker types "end".
    await w.post(w.say(JIM, 'end'));
    const [ended, summary] = w
      .chat(JIM)
      .slice(-2)
      .map((a) => cardOf(a));
    expect(textsOf(ended)).toContain('🏁 This session has ended.');
    expect(textsOf(summary)[0]).toBe('Session summary');
    expect(factsOf(summary).Messages).toBe('4');
    expect((await w.app.store.get(interactionId))?.endedAt).not.toBeNull();
    // Afterwards a message has no session to go to.
    await w.post(w.say(JIM, 'hello?'));
    expect(w.chat(JIM).at(-1)?.text).toContain('no open session');
  });
});
