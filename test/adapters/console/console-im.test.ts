/**
 * The agent console in Chromium: signing in, the Team Communicator with live state dots, and an instant message
 * to an expert (001): Not Connected until the first message, Establishing, Connected, names in different colors
 * with timestamps, the escalation target with Copy, End IM and Done. Keyboard only where an agent would type.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { browserSkipReason } from '../../support/browser.js';
import { screenshotPath } from '../../support/screenshots.js';
import { type ConsoleHarness, colorOf, isFocused, startConsoleHarness, waitForText } from './console-harness.js';

const skip = browserSkipReason();
if (skip) console.warn(`agent console tests skipped: ${skip}`);

// A browser on a shared machine: generous limits (no test asserts on time).
describe.skipIf(skip !== null)('agent console: sign-in and instant messages', { timeout: 120_000 }, () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness();
  }, 120_000);
  afterAll(async () => h?.close(), 60_000);

  test('a wrong key and a platform key are refused with a readable reason', async () => {
    const context = await h.browser.newContext({ baseURL: h.base });
    const page = await context.newPage();
    const response = await page.goto('/console');
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(page.url()).toBe(`${h.base}/console/`);
    const key = page.getByLabel('API key');
    await expect.poll(() => isFocused(key), { timeout: 5_000 }).toBe(true);
    await key.fill('ucc_forged');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page.getByRole('alert'), 'This API key is unknown or revoked.');
    await key.fill(h.keys.platform);
    await key.press('Enter');
    await waitForText(page.getByRole('alert'), "This is a platform key. Sign in with an agent's API key.");
    await context.close();
  });

  test('an IM to an expert: search, Enter sends, Connected, colors and timestamps, escalation target, End IM, Done', async () => {
    const page = await h.signIn(h.keys.kate);
    await waitForText(page.getByRole('banner'), 'Kate Lewis');
    const search = page.getByLabel('Search experts, agents and routing points');
    await expect.poll(() => isFocused(search), { timeout: 5_000 }).toBe(true);
    await search.fill('ann');
    const sendIm = page.getByRole('button', { name: 'Send instant message to Ann Billing' });
    await sendIm.waitFor();
    const results = page.getByRole('list', { name: 'Search results' });
    await expect.poll(() => results.getByRole('listitem').count(), { timeout: 20_000 }).toBe(1);
    await waitForText(results, 'Ready');

    // Focus order: from the search box, Tab reaches the first result's action; Enter opens the IM window.
    await search.press('Tab');
    await expect.poll(() => isFocused(sendIm), { timeout: 5_000 }).toBe(true);
    await page.keyboard.press('Enter');
    const draft = page.getByRole('region', { name: 'Instant message: Ann Billing' });
    await waitForText(draft, 'Not Connected');
    await waitForText(draft, 'Send a message to start the session');
    const message = draft.getByLabel('Message', { exact: true });
    await expect.poll(() => isFocused(message), { timeout: 5_000 }).toBe(true);
    await page.keyboard.type('Hello Ann, can you help me with a refund?');
    await page.keyboard.press('Enter');
    await waitForText(draft, 'Establishing');
    expect(await message.inputValue()).toBe('');

    const preview = await h.previewTo('kw-ann');
    expect(preview).toMatchObject({ kind: 'route', previewText: 'Hello Ann, can you help me with a refund?' });
    h.clock.advance(7_000);
    await h.accept('kw-ann', preview);
    h.clock.advance(19_000);
    await h.expertSays('kw-ann', preview.interactionId, 'Hello Kate, sure. What is the order number?');
    const im = page.getByRole('region', { name: 'Instant message: Ann Billing' });
    await waitForText(im.locator('.window-head'), 'Connected');
    const transcript = im.getByRole('log');
    await waitForText(transcript, 'Hello Kate, sure. What is the order number?');
    await waitForText(transcript, 'Ann Billing accepted the Instant Messaging invitation.');
    expect(await transcript.innerText()).toMatch(/2:41:26 PM/);
    const kateColor = await colorOf(transcript.getByText('Kate Lewis', { exact: true }).first());
    const annColor = await colorOf(transcript.getByText('Ann Billing', { exact: true }).first());
    expect(kateColor).not.toBe(annColor);

    // Shift+Enter adds a line; Enter sends both lines as one message.
    h.clock.advance(12_000);
    await message.fill('Order 4711');
    await message.press('Shift+Enter');
    await page.keyboard.type('Billed twice in December.');
    await message.press('Enter');
    await waitForText(transcript, 'Billed twice in December.');
    const sent = (await h.app.commands.get(preview.interactionId))?.transcript.at(-1);
    expect(sent?.text).toBe('Order 4711\nBilled twice in December.');

    // The escalation target of the accepted expert, with Copy.
    const target = im.getByRole('region', { name: 'Escalation target: Ann Billing' });
    await waitForText(target, '+14255550101');
    await target.getByRole('button', { name: 'Copy direct number +14255550101' }).click();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe('+14255550101');
    await waitForText(im.getByRole('status'), 'Copied direct number +14255550101.');

    // A reload keeps the tab's session: the window reopens and the stream resumes with Last-Event-ID.
    await page.reload();
    await page.getByText('Live', { exact: true }).waitFor();
    await waitForText(im.getByRole('log'), 'Billed twice in December.');
    await h.expertSays('kw-ann', preview.interactionId, 'I see the double charge; refunding one now.');
    await waitForText(im.getByRole('log'), 'I see the double charge; refunding one now.');
    await search.fill('ann');
    await expect.poll(() => results.getByRole('listitem').count(), { timeout: 20_000 }).toBe(1);

    // Live state dots: Ann turns Busy in Teams.
    await h.app.agentSide.publishKnowledgeWorkerState('kw-ann', { kind: 'Busy' }, h.clock.now());
    await waitForText(results, 'Busy');
    await page.screenshot({ path: screenshotPath('console-im.png') });

    await im.getByRole('button', { name: 'End IM' }).click();
    await waitForText(im.locator('.window-head'), 'Ended');
    expect(await message.isDisabled()).toBe(true);
    await im.getByRole('button', { name: 'Done' }).click();
    await im.waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(search), { timeout: 5_000 }).toBe(true);
    expect(h.pageErrors).toEqual([]);
  });
});
