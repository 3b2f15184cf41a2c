/**
 * Tenants not served, malformed activities, unknown verbs, unknown interactions: clear answers, nothing changed.
 * Through the real connector, with activities posted to /api/messages.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { answerCard, cardOf, saysOnCard, textsOf } from '../../support/adaptive-cards.js';
import { JIM, startTeamsWorld, type TeamsWorld } from '../../support/teams-world.js';

let w: TeamsWorld;
afterEach(async () => {
  await w.close();
});

describe('tenants not served', () => {
  beforeEach(async () => {
    w = await startTeamsWorld({ allowedTenants: ['11111111-2222-3333-4444-555555555555'] });
  });

  test('an install from another tenant stores nothing and sends nothing', async () => {
    const res = await w.post(w.activity('installation-update-add', JIM));
    expect(res.status).toBeLessThan(300);
    expect(await w.references.get(JIM.id)).toBeUndefined();
    expect(w.emulator.requests).toHaveLength(0);
  });

  test('a message from another tenant gets a polite refusal', async () => {
    await w.post(w.say(JIM, 'hello'));
    expect(w.chat(JIM).map((a) => a.text)).toEqual([expect.stringContaining('not available for your organization')]);
    expect(await w.references.get(JIM.id)).toBeUndefined();
  });

  test('a click from another tenant gets a refusal card and runs no command', async () => {
    const res = await w.post(w.click(JIM, 'accept', { interactionId: 'ix-x', invitationId: 'inv-x' }));
    expect(res.status).toBe(200);
    expect(textsOf(answerCard(res.body))).toEqual([
      'Not available',
      'Sorry, this app is not available for your organization. Nothing was changed.',
    ]);
    expect(await w.effectCount()).toBe(0);
  });
});

describe('malformed and unknown input', () => {
  beforeEach(async () => {
    w = await startTeamsWorld();
    await w.install(JIM);
  });

  test.each([
    ['not JSON', '{"type":'],
    ['no type', { serviceUrl: 'http://127.0.0.1:1/', channelId: 'msteams', conversation: { id: 'a:1' } }],
    ['no conversation', { type: 'message', serviceUrl: 'http://127.0.0.1:1/', channelId: 'msteams' }],
    ['an array', [1, 2, 3]],
  ])('%s: 400, no crash', async (_name, body) => {
    const res = await w.post(body);
    expect(res.status).toBe(400);
    // The bot still works afterwards.
    expect((await w.post(w.say(JIM, 'hi'))).status).toBeLessThan(300);
  });

  test('an invoke without an action: 400 BadRequest', async () => {
    const res = await w.post({ ...w.click(JIM, 'accept', {}), value: {} });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
  });

  test('an Action.Submit sent as an invoke: 400 NotSupported', async () => {
    const res = await w.post({ ...w.click(JIM, 'accept', {}), value: { action: { type: 'Action.Submit' } } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ value: { code: 'NotSupported' } });
  });

  test('button data missing: 400 BadRequest, nothing changed', async () => {
    const res = await w.post(w.click(JIM, 'accept', { something: 'else' }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ value: { code: 'BadRequest' } });
    expect(await w.effectCount()).toBe(0);
  });

  test('an unknown verb: a clear card, nothing changed', async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    const res = await w.post(w.click(JIM, 'snooze', { interactionId, invitationId: invitations[0]?.invitationId }));
    expect(res.status).toBe(200);
    expect(textsOf(answerCard(res.body))[0]).toBe('This button is not supported');
    expect((await w.app.store.get(interactionId))?.invitations[0]?.state).toBe('pending');
  });

  test('a card of an unknown interaction: a clear card', async () => {
    const res = await w.post(w.click(JIM, 'accept', { interactionId: 'ix-gone', invitationId: 'inv-gone' }));
    expect(textsOf(answerCard(res.body))).toEqual(['This request no longer exists', 'Nothing was changed.']);
  });

  test('Action.Submit fallback: Accept by message updates the card it came from', async () => {
    const { interactionId, invitations } = await w.consult([JIM]);
    const preview = w.chat(JIM).find((a) => cardOf(a));
    const invitationId = invitations[0]?.invitationId;
    const submit = w.say(JIM, '');
    await w.post({
      ...submit,
      text: undefined,
      replyToId: preview?.id,
      value: { verb: 'accept', interactionId, invitationId },
    });
    expect(saysOnCard(cardOf(w.chat(JIM).find((a) => a.id === preview?.id)), 'Accepted')).toBe(true);
    expect((await w.app.store.get(interactionId))?.invitations[0]?.state).toBe('accepted');
  });

  test('a message with no session says how sessions start', async () => {
    await w.post(w.say(JIM, 'anyone there?'));
    expect(w.chat(JIM).at(-1)?.text).toContain('no open session');
  });
});
