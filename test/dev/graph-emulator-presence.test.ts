/**
 * The Graph emulator's presence writes as Microsoft documents them: an application's own presence session
 * (setPresence / clearPresence, sessionId = the application's id, only the documented pairs, expiration 5 to 240
 * minutes), user-preferred presence overriding every session, aggregation DoNotDisturb > Busy > Available > Away,
 * status messages, the one quota reads and writes share, and the results as polls read them.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type GraphEmulator, startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.js';

const APP = '11111111-2222-3333-4444-555555555555';
const megan = '6e7b768e-07e2-4810-8459-485f84f8f204';
let emu: GraphEmulator;
let clock = 1_700_000_000_000;

async function start(options: { quotaCalls?: number } = {}): Promise<void> {
  emu = await startGraphEmulator({ now: () => clock, ...options });
  emu.seedUsers([megan], 'Available', 'Available');
}
beforeEach(() => {
  clock = 1_700_000_000_000;
});
afterEach(async () => {
  await emu.close();
});

async function token(): Promise<string> {
  const res = await fetch(`${emu.baseUrl}/${emu.identity.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: APP,
      client_secret: 'secret',
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${emu.graphBaseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const set = (availability: string, activity: string, expirationDuration?: string, sessionId = APP) =>
  post(`/users/${megan}/presence/setPresence`, { sessionId, availability, activity, expirationDuration });
const clear = () => post(`/users/${megan}/presence/clearPresence`, { sessionId: APP });

/** What a poll reads: `getPresencesByUserId`. */
async function polled(): Promise<Record<string, unknown>> {
  const res = await post('/communications/getPresencesByUserId', { ids: [megan] });
  expect(res.status).toBe(200);
  return (res.body as { value: Record<string, unknown>[] }).value[0] ?? {};
}

describe('Graph emulator presence sessions', () => {
  test('an application session shows Busy over the Teams client, and clearing it gives the client back', async () => {
    await start();
    expect(await set('Busy', 'InACall', 'PT15M')).toEqual({ status: 200, body: undefined });
    expect(await polled()).toMatchObject({ availability: 'Busy', activity: 'InACall' });
    expect((await clear()).status).toBe(200);
    expect(await polled()).toMatchObject({ availability: 'Available', activity: 'Available' });
    // A session that no longer exists: 404, as documented.
    expect(await clear()).toMatchObject({ status: 404, body: { error: { code: 'NotFound' } } });
  });

  test('clearing the only session leaves the user Offline', async () => {
    await start();
    await emu.setPresence(megan, 'Offline', 'Offline');
    await set('Busy', 'InAConferenceCall');
    expect(await polled()).toMatchObject({ availability: 'Busy', activity: 'InAConferenceCall' });
    await clear();
    expect(await polled()).toMatchObject({ availability: 'Offline', activity: 'Offline' });
  });

  test('among sessions DoNotDisturb > Busy > Available > Away; user-preferred presence overrides them all', async () => {
    await start();
    await set('Busy', 'InACall');
    await emu.setPresence(megan, 'DoNotDisturb', 'Presenting');
    expect(await polled()).toMatchObject({ availability: 'DoNotDisturb', activity: 'Presenting' });
    await emu.setPresence(megan, 'Away', 'Away');
    expect(await polled()).toMatchObject({ availability: 'Busy', activity: 'InACall' });
    const preferred = await post(`/users/${megan}/presence/setUserPreferredPresence`, {
      availability: 'BeRightBack',
      activity: 'BeRightBack',
      expirationDuration: 'PT1H',
    });
    expect(preferred.status).toBe(200);
    expect(await polled()).toMatchObject({ availability: 'BeRightBack', activity: 'BeRightBack' });
    expect((await post(`/users/${megan}/presence/clearUserPreferredPresence`, {})).status).toBe(200);
    expect(await polled()).toMatchObject({ availability: 'Busy', activity: 'InACall' });
  });

  test('user-preferred presence takes effect only while a session exists', async () => {
    await start();
    await emu.setPresence(megan, 'Offline', 'OffWork');
    await post(`/users/${megan}/presence/setUserPreferredPresence`, { availability: 'Busy', activity: 'Busy' });
    expect(await polled()).toMatchObject({ availability: 'Offline', activity: 'OffWork' });
    await set('Available', 'Available');
    expect(await polled()).toMatchObject({ availability: 'Busy', activity: 'Busy' });
  });

  test('a session expires after its expirationDuration; an Available one fades when not kept alive', async () => {
    await start();
    await emu.setPresence(megan, 'Away', 'Away');
    await set('Busy', 'InACall', 'PT10M');
    clock += 9 * 60_000;
    expect(await polled()).toMatchObject({ availability: 'Busy', activity: 'InACall' });
    clock += 60_000;
    expect(await polled()).toMatchObject({ availability: 'Away', activity: 'Away' });
    await emu.setPresence(megan, 'Offline', 'Offline');
    await set('Available', 'Available', 'PT4H');
    clock += 5 * 60_000;
    expect(await polled()).toMatchObject({ availability: 'Available', activity: 'AvailableInactive' });
    clock += 5 * 60_000;
    expect(await polled()).toMatchObject({ availability: 'Away', activity: 'Away' });
    // Calling again keeps it alive.
    await set('Available', 'Available', 'PT4H');
    expect(await polled()).toMatchObject({ availability: 'Available', activity: 'Available' });
  });

  test('refuses undocumented pairs, durations outside 5 to 240 minutes and a sessionId not the caller’s', async () => {
    await start();
    for (const refused of [
      await set('Busy', 'Busy'),
      await set('Available', 'Away'),
      await set('Busy', 'InACall', 'PT4M'),
      await set('Busy', 'InACall', 'PT4H1M'),
      await set('Busy', 'InACall', 'soon'),
      await set('Busy', 'InACall', 'PT15M', 'another-app'),
      await post(`/users/${megan}/presence/setUserPreferredPresence`, { availability: 'Busy', activity: 'InACall' }),
    ])
      expect(refused).toMatchObject({ status: 400, body: { error: { code: 'BadRequest' } } });
    expect(await polled()).toMatchObject({ availability: 'Available', activity: 'Available' });
    expect((await set('Busy', 'InACall', 'PT4H')).status).toBe(200);
  });

  test('a status message shows in polls until cleared with an empty message', async () => {
    await start();
    const res = await post(`/users/${megan}/presence/setStatusMessage`, {
      statusMessage: { message: { content: 'Helping a customer', contentType: 'text' } },
    });
    expect(res.status).toBe(200);
    const seen = await polled();
    expect(seen.statusMessage).toEqual({ message: { content: 'Helping a customer', contentType: 'text' } });
    await post(`/users/${megan}/presence/setStatusMessage`, {
      statusMessage: { message: { content: '', contentType: 'text' } },
    });
    expect(await polled()).not.toHaveProperty('statusMessage');
  });

  test('each change of the aggregate takes a new sequence number; a write that changes nothing does not', async () => {
    await start();
    const first = (await polled()).sequenceNumber as string;
    await set('Available', 'Available');
    expect((await polled()).sequenceNumber).toBe(first);
    await set('Busy', 'InACall');
    const second = (await polled()).sequenceNumber as string;
    expect(second > first).toBe(true);
  });

  test('writes and reads share the presence quota; writes need Presence.ReadWrite.All', async () => {
    await start({ quotaCalls: 3 });
    expect((await set('Busy', 'InACall')).status).toBe(200);
    expect((await clear()).status).toBe(200);
    await polled();
    const over = await post('/communications/getPresencesByUserId', { ids: [megan] });
    expect(over.status).toBe(429);
    expect((await set('Busy', 'InACall')).status).toBe(429);
    expect(emu.counters).toMatchObject({ presenceCalls: 3, presenceWrites: 2, throttled: 2 });
    clock += 30_000;
    emu.directory.denyPermission('Presence.ReadWrite.All');
    expect(await set('Busy', 'InACall')).toMatchObject({ status: 403, body: { error: { code: 'Forbidden' } } });
    expect((await post('/communications/getPresencesByUserId', { ids: [megan] })).status).toBe(200);
  });
});
