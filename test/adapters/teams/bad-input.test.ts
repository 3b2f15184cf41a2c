/** Tenants not served, malformed activities, unknown verbs, unknown interactions: clear answers, nothing changed. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cardOf, click, fixture, type Harness, JIM, say, startHarness } from './bot-harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('tenants not served', () => {
  beforeEach(async () => {
    h = await startHarness({ allowedTenants: ['11111111-2222-3333-4444-555555555555'] });
  });

  test('an install from another tenant stores nothing and sends nothing', async () => {
    const res = await h.post(fixture('installation-update-add', h.emulator.serviceUrl, JIM));
    expect(res.status).toBeLessThan(300);
    expect(await h.references.get(JIM.id)).toBeUndefined();
    expect(h.emulator.requests).toHaveLength(0);
  });

  test('a message from another tenant gets a polite refusal', async () => {
    await h.post(say(h, JIM, 'hello'));
    expect(h.chat(JIM).map((a) => a.text)).toEqual([expect.stringContaining('not available for your organization')]);
    expect(await h.references.get(JIM.id)).toBeUndefined();
  });

  test('a click from another tenant gets a refusal card and runs no command', async () => {
    const res = await h.post(click(h, JIM, 'accept', { interactionId: 'ix-x', invitationId: 'inv-x' }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('not available for your organization');
    expect(h.commands.effects).toHaveLength(0);
  });
});

describe('malformed and unknown input', () => {
  beforeEach(async () => {
    h = await startHarness();
    await h.install(JIM);
  });

  test.each([
    ['not JSON', '{"type":'],
    ['no type', { serviceUrl: 'http://127.0.0.1:1/', channelId: 'msteams', conversation: { id: 'a:1' } }],
    ['no conversation', { type: 'message', serviceUrl: 'http://127.0.0.1:1/', channelId: 'msteams' }],
    ['an array', [1, 2, 3]],
  ])('%s: 400, no crash', async (_name, body) => {
    const res = await h.post(body);
    expect(res.status).toBe(400);
    // The bot still works afterwards.
    expect((await h.post(say(h, JIM, 'hi'))).status).toBeLessThan(300);
  });

  test('an invoke without an action: 400 BadRequest', async () => {
    const res = await h.post({ ...click(h, JIM, 'accept', {}), value: {} });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
  });

  test('an Action.Submit sent as an invoke: 400 NotSupported', async () => {
    const res = await h.post({ ...click(h, JIM, 'accept', {}), value: { action: { type: 'Action.Submit' } } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ value: { code: 'NotSupported' } });
  });

  test('button data missing: 400 BadRequest, nothing changed', async () => {
    const res = await h.post(click(h, JIM, 'accept', { something: 'else' }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ value: { code: 'BadRequest' } });
    expect(h.commands.effects).toHaveLength(0);
  });

  test('an unknown verb: a clear card, nothing changed', async () => {
    const { interactionId, previews } = await h.consult([JIM]);
    const res = await h.post(click(h, JIM, 'snooze', { interactionId, invitationId: previews[0]?.invitationId }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('This button is not supported');
    expect((await h.commands.get(interactionId))?.invitations[0]?.state).toBe('pending');
  });

  test('a card of an unknown interaction: a clear card', async () => {
    const res = await h.post(click(h, JIM, 'accept', { interactionId: 'ix-gone', invitationId: 'inv-gone' }));
    expect(JSON.stringify(res.body)).toContain('This request no longer exists');
  });

  test('Action.Submit fallback: Accept by message updates the card it came from', async () => {
    const { interactionId, previews } = await h.consult([JIM]);
    const preview = h.chat(JIM).find((a) => cardOf(a));
    const invitationId = previews[0]?.invitationId;
    const submit = say(h, JIM, '');
    await h.post({
      ...submit,
      text: undefined,
      replyToId: preview?.id,
      value: { verb: 'accept', interactionId, invitationId },
    });
    expect(JSON.stringify(cardOf(h.chat(JIM).find((a) => a.id === preview?.id)))).toContain('Accepted');
    expect((await h.commands.get(interactionId))?.invitations[0]?.state).toBe('accepted');
  });

  test('a message with no session says how sessions start', async () => {
    await h.post(say(h, JIM, 'anyone there?'));
    expect(h.chat(JIM).at(-1)?.text).toContain('no open session');
  });
});
