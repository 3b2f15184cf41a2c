/**
 * The one message cap on the Teams side: a knowledge worker's message longer than MAX_MESSAGE_LENGTH is not relayed
 * (no effect, no transcript line, nothing to the agent) and the expert is told the limit; a message at the limit
 * goes through. Through the real connector, with messages posted to /api/messages as Teams posts them.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { MAX_MESSAGE_LENGTH } from '../../../src/domain/interaction/message-length.js';
import { JIM, KATE, startTeamsWorld, type TeamsWorld } from '../../support/teams-world.js';

let w: TeamsWorld;
let interactionId: string;
beforeEach(async () => {
  w = await startTeamsWorld();
  await w.install(JIM);
  const consultation = await w.consult([JIM]);
  interactionId = consultation.interactionId;
  const accepted = await w.post(
    w.click(JIM, 'accept', { interactionId, invitationId: consultation.invitations[0]?.invitationId }),
  );
  expect(accepted.status).toBe(200);
});
afterEach(async () => {
  await w.close();
});

/** The messages of the session's transcript, as `name: length`. */
const transcript = async () =>
  (await w.app.store.get(interactionId))?.transcript
    .filter((e) => e.kind === 'message')
    .map((e) => `${e.name}: ${e.text.length}`);
/** What Kate was sent: the effects her channel received. */
const toKate = () => w.agents.to(KATE.id).map((e) => e.type);

describe('the message length cap in Teams', () => {
  test.each([
    ['one character over the limit', MAX_MESSAGE_LENGTH + 1, '10,001'],
    ['a 900 KB message', 900_000, '900,000'],
  ])('%s: not relayed, and the expert is told the limit', async (_name, length, shown) => {
    const effects = await w.effectCount();
    const kateSaw = toKate();
    const before = await transcript();
    const inChat = w.chat(JIM).length;

    const res = await w.post(w.say(JIM, 'x'.repeat(length)));
    expect(res.status).toBeLessThan(300);

    const replies = w.chat(JIM).slice(inChat);
    expect(replies.map((a) => a.text)).toEqual([
      `Your message was not delivered: it has ${shown} characters, and a message may have at most 10,000. ` +
        'Please shorten it or send it in several parts.',
    ]);
    expect(await w.effectCount()).toBe(effects);
    expect(await transcript()).toEqual(before);
    expect(toKate()).toEqual(kateSaw);
    // The session goes on: a message of a fitting length is relayed afterwards.
    await w.post(w.say(JIM, 'Shorter, then.'));
    expect((await transcript())?.at(-1)).toBe('Jim Miller: 14');
  });

  test('a message of exactly the limit is relayed whole to the agent', async () => {
    const kateSaw = toKate().length;
    const inChat = w.chat(JIM).length;
    const text = 'y'.repeat(MAX_MESSAGE_LENGTH);

    const res = await w.post(w.say(JIM, text));
    expect(res.status).toBeLessThan(300);

    const ix = await w.app.store.get(interactionId);
    expect(ix?.transcript.filter((e) => e.kind === 'message').at(-1)).toMatchObject({ name: 'Jim Miller', text });
    const relayed = w.agents.to(KATE.id).slice(kateSaw);
    expect(JSON.stringify(relayed)).toContain(text);
    // No refusal in Teams.
    expect(
      w
        .chat(JIM)
        .slice(inChat)
        .map((a) => a.text),
    ).not.toContainEqual(expect.stringContaining('not delivered'));
  });
});
