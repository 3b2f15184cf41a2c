/** The core loop over HTTP: install, preview card, Accept, relay both ways, End, summary. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cardOf, click, type Harness, JIM, KATE, say, startHarness } from './bot-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('the preview loop', () => {
  test('install stores the reference and greets the user', async () => {
    await h.install(JIM);
    const ref = await h.references.get(JIM.id);
    expect(ref?.tenantId).toBe('72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(ref?.serviceUrl).toBe(h.emulator.serviceUrl);
    expect(h.chat(JIM).map((a) => a.text)).toEqual([expect.stringContaining('request card will appear here')]);
  });

  test('a preview card arrives with origin, case information, first message, expiry and Accept / Decline', async () => {
    await h.install(JIM);
    const { interactionId, previews } = await h.consult([JIM]);
    expect(previews).toHaveLength(1);
    const card = cardOf(h.chat(JIM).at(-1));
    const json = JSON.stringify(card);
    expect(card?.version).toBe('1.5');
    expect(json).toContain('Internal instant messaging from Kate Lewis');
    expect(json).toContain('"title":"Priority","value":"High"');
    expect(json).toContain('Broken TV');
    expect(json).not.toContain('Secret');
    expect(json).toContain('Kate Lewis: Hi, can you help with a broken TV?');
    expect(json).toContain('{{TIME(2025-05-12T09:16:00Z)}}');
    const actions = card?.actions as { type: string; verb: string; data: unknown; fallback: { type: string } }[];
    expect(actions.map((a) => [a.type, a.verb, a.fallback.type])).toEqual([
      ['Action.Execute', 'accept', 'Action.Submit'],
      ['Action.Execute', 'decline', 'Action.Submit'],
    ]);
    expect(actions[0]?.data).toEqual({ interactionId, invitationId: previews[0]?.invitationId });
  });

  test('Accept connects, relays both ways in order, and End shows a summary', async () => {
    await h.install(JIM);
    const { interactionId, previews } = await h.consult([JIM]);
    const invitationId = previews[0]?.invitationId as string;

    const res = await h.post(click(h, JIM, 'accept', { interactionId, invitationId }));
    expect(res.status).toBe(200);
    const answer = res.body as { statusCode: number; type: string; value: unknown };
    expect(answer.statusCode).toBe(200);
    expect(answer.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(answer.value)).toContain('Accepted. You are connected with Kate Lewis');
    // The card in the chat was replaced: no Accept / Decline left, an End button instead.
    const replaced = cardOf(h.chat(JIM)[1]);
    expect(JSON.stringify(replaced)).toContain('Accepted');
    expect(JSON.stringify(replaced?.actions)).not.toContain('"accept"');
    expect(JSON.stringify(replaced?.actions)).toContain('"end"');

    // Knowledge worker → agent.
    expect((await h.post(say(h, JIM, 'Sure, what model is the TV?'))).status).toBeLessThan(300);
    // Agent → knowledge worker, twice, in order.
    for (const text of ['A Contoso X100.', 'It shows no picture.']) {
      const sent = await h.commands.execute({ type: 'SendMessage', interactionId, from: KATE.id, text });
      expect(sent.ok).toBe(true);
    }
    const ix = await h.commands.get(interactionId);
    expect(ix?.transcript.filter((e) => e.kind === 'message').map((e) => `${e.name}: ${e.text}`)).toEqual([
      'Kate Lewis: Hi, can you help with a broken TV?',
      'Jim Miller: Sure, what model is the TV?',
      'Kate Lewis: A Contoso X100.',
      'Kate Lewis: It shows no picture.',
    ]);
    const texts = h
      .chat(JIM)
      .map((a) => a.text)
      .filter(Boolean);
    expect(texts.slice(-2)).toEqual(['Kate Lewis: A Contoso X100.', 'Kate Lewis: It shows no picture.']);

    // The knowledge worker types "end".
    await h.post(say(h, JIM, 'end'));
    const last = h
      .chat(JIM)
      .slice(-2)
      .map((a) => JSON.stringify(cardOf(a)));
    expect(last[0]).toContain('This session has ended');
    expect(last[1]).toContain('Session summary');
    expect(last[1]).toContain('"title":"Messages","value":"4"');
    expect((await h.commands.get(interactionId))?.endedAt).not.toBeNull();
    // Afterwards a message has no session to go to.
    await h.post(say(h, JIM, 'hello?'));
    expect(h.chat(JIM).at(-1)?.text).toContain('no open session');
  });
});
