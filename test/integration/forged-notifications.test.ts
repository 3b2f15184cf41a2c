import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { encryptContent, publicKeyOfCertificate } from '../../src/dev/graph-emulator/encrypt-content.js';
import { describeState } from '../../src/domain/presence/agent-state.js';
import { APP_ID, certificateBase64, type Harness, startHarness, users } from './presence-harness.js';

const [megan = ''] = users;
let h: Harness;
let subId = '';
let clientState = '';
beforeEach(async () => {
  h = await startHarness();
  await h.poller.pollOnce();
  await h.signIn();
  await h.manager.assign(users);
  const [s] = h.manager.subscriptions();
  subId = s?.id ?? '';
  clientState = s?.clientState ?? '';
});
afterEach(async () => {
  await h.close();
});

const post = (path: string, body: string) =>
  fetch(`${h.base}/graph/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const item = (over: Record<string, unknown> = {}) => ({
  subscriptionId: subId,
  clientState,
  changeType: 'updated',
  resource: `communications/presences('${megan}')`,
  resourceData: { id: megan },
  encryptedContent: encryptContent(
    { id: megan, availability: 'Offline', activity: 'Offline', sequenceNumber: '999999999999' },
    publicKeyOfCertificate(certificateBase64),
    'cert-1',
  ),
  ...over,
});
const validToken = () => h.emu.identity.validationToken(APP_ID, Date.now());
const stateOf = () => describeState(h.tracker.stateFor(megan, h.clock.now()));

describe('the notification endpoint', () => {
  test('echoes the URL-decoded validation token as text/plain on both URLs', async () => {
    for (const path of ['notifications', 'lifecycle']) {
      const res = await fetch(`${h.base}/graph/${path}?validationToken=${encodeURIComponent('a b&c=d<>')}`, {
        method: 'POST',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe('a b&c=d<>');
    }
  });

  test('garbage JSON is answered 400 and never applied', async () => {
    expect((await post('notifications', '{"value": [')).status).toBe(400);
    expect((await post('notifications', '{"nothing": true}')).status).toBe(400);
    expect(stateOf()).toBe('Ready');
  });

  test('a wrong clientState or unknown subscription gets 202 but is never applied, logged once', async () => {
    const body = (o: Record<string, unknown>) => JSON.stringify({ value: [item(o)], validationTokens: [] });
    expect((await post('notifications', body({ clientState: 'forged' }))).status).toBe(202);
    expect((await post('notifications', body({ clientState: 'forged' }))).status).toBe(202);
    expect((await post('notifications', body({ subscriptionId: 'nope' }))).status).toBe(202);
    expect(h.inbox.size()).toBe(0);
    expect(h.warnings.filter((w) => w.includes('clientState'))).toHaveLength(1);
    expect(stateOf()).toBe('Ready');
  });

  test('a bad data signature is refused before decryption', async () => {
    const forged = item();
    const enc = forged.encryptedContent as { dataSignature: string };
    enc.dataSignature = Buffer.alloc(32, 1).toString('base64');
    expect(
      (await post('notifications', JSON.stringify({ value: [forged], validationTokens: [await validToken()] }))).status,
    ).toBe(202);
    await vi.waitFor(() => expect(h.processor.stats.refused).toBe(1));
    expect(h.warnings.some((w) => w.includes('bad-signature'))).toBe(true);
    expect(stateOf()).toBe('Ready');
  });

  test('a missing or forged validation token is refused', async () => {
    expect((await post('notifications', JSON.stringify({ value: [item()] }))).status).toBe(202);
    const [head = '', payload = ''] = (await validToken()).split('.');
    const forgedJwt = `${head}.${payload}.${Buffer.alloc(256, 3).toString('base64url')}`;
    expect(
      (await post('notifications', JSON.stringify({ value: [item()], validationTokens: [forgedJwt] }))).status,
    ).toBe(202);
    await vi.waitFor(() => expect(h.processor.stats.refused).toBe(2));
    expect(stateOf()).toBe('Ready');
  });

  test('a genuine collection is applied', async () => {
    expect(
      (await post('notifications', JSON.stringify({ value: [item()], validationTokens: [await validToken()] }))).status,
    ).toBe(202);
    await vi.waitFor(() => expect(stateOf()).toBe('LoggedOut'));
  });
});
