/**
 * Every command of the Teams app manifest works, through the bot endpoint as Teams calls it, in and out of a
 * session: `help` says what the expert can do, `end` ends the session (or says there is none); text that is not
 * exactly a command word goes to the agent as typed, so an expert can send "help?" or "end of month".
 */
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildTeamsAppPackage } from '../../../src/cli/manifest/build-package.js';
import { validInput } from '../../cli/manifest/package-fixtures.js';
import { cardOf, textsOf } from '../../support/adaptive-cards.js';
import { JIM, KATE, startTeamsWorld, type TeamsWorld } from '../../support/teams-world.js';

const manifestDir = fileURLToPath(new URL('../../../manifest/', import.meta.url));

/** The command words the built Teams app package lists. */
async function manifestCommands(): Promise<string[]> {
  const built = await buildTeamsAppPackage(validInput, manifestDir);
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  const bots = built.manifest.bots as { commandLists: { commands: { title: string }[] }[] }[];
  return bots.flatMap((b) => b.commandLists.flatMap((l) => l.commands.map((c) => c.title)));
}

let w: TeamsWorld;
beforeEach(async () => {
  w = await startTeamsWorld();
});
afterEach(async () => {
  await w.close();
});

/** Opens a session between Kate and Jim; returns its interaction id. */
async function openSession(): Promise<string> {
  await w.install(JIM);
  const { interactionId, invitations } = await w.consult([JIM]);
  const res = await w.post(w.click(JIM, 'accept', { interactionId, invitationId: invitations[0]?.invitationId }));
  expect(res.status).toBe(200);
  return interactionId;
}

/** The agent-visible messages of an interaction, as `name: text`. */
async function messages(interactionId: string): Promise<string[]> {
  const ix = await w.app.store.get(interactionId);
  return (ix?.transcript ?? []).filter((e) => e.kind === 'message').map((e) => `${e.name}: ${e.text}`);
}

describe('the bot commands of the manifest', () => {
  test('the manifest lists help and end, and nothing the bot does not answer', async () => {
    expect(await manifestCommands()).toEqual(['end', 'help']);
  });

  test('outside a session: help explains the app, its commands and sessions; end says there is none', async () => {
    await w.install(JIM);
    for (const word of await manifestCommands()) {
      const before = w.chat(JIM).length;
      expect((await w.post(w.say(JIM, word))).status).toBeLessThan(300);
      const reply = w.chat(JIM).slice(before);
      expect(reply).toHaveLength(1);
      expect(reply[0]?.text).not.toContain('You have no open session. When an agent asks');
      if (word === 'help') {
        expect(reply[0]?.text).toContain('**Accept** opens a session');
        expect(reply[0]?.text).toContain('**end**');
        expect(reply[0]?.text).toContain('You have no open session now');
      } else {
        expect(reply[0]?.text).toBe('You have no open session to end. Write "help" to see what this app does.');
      }
    }
    expect(await w.effectCount()).toBe(0);
  });

  test('in a session: help answers the expert and tells the agent nothing', async () => {
    const interactionId = await openSession();
    const before = await messages(interactionId);
    const sent = w.agents.to(KATE.id).length;
    await w.post(w.say(JIM, '  HELP '));
    expect(w.chat(JIM).at(-1)?.text).toContain('You are in a session now');
    expect(await messages(interactionId)).toEqual(before);
    expect(w.agents.to(KATE.id)).toHaveLength(sent);
    expect((await w.app.store.get(interactionId))?.endedAt).toBeNull();
  });

  test('in a session: a command word inside other text goes to the agent as typed; end ends it', async () => {
    const interactionId = await openSession();
    await w.post(w.say(JIM, 'help?'));
    await w.post(w.say(JIM, 'end of month'));
    expect((await messages(interactionId)).slice(-2)).toEqual(['Jim Miller: help?', 'Jim Miller: end of month']);
    await w.post(w.say(JIM, 'end'));
    expect(textsOf(cardOf(w.chat(JIM).at(-2)))).toContain('🏁 This session has ended.');
    expect((await w.app.store.get(interactionId))?.endedAt).not.toBeNull();
  });
});
