/**
 * The agent console in Chromium with customer chats (003, 004): a chat offered by its queue is accepted from the
 * interactive notification; a consultation IM carries the chat's case information to an expert; the chat is
 * conferenced to that active consultation and the expert deleted from the conference; then it is transferred to
 * another agent, who accepts in their own console.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bearer } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { browserSkipReason } from '../../support/browser.js';
import { screenshotPath } from '../../support/screenshots.js';
import { type ConsoleHarness, isFocused, startConsoleHarness, waitForText } from './console-harness.js';

const skip = browserSkipReason();
if (skip) console.warn(`agent console tests skipped: ${skip}`);

const caseInformation = { CallType: 'Support', Priority: 'High', Reason: 'Broken TV', Segment: 'Gold' };

// A browser on a shared machine: generous limits (no test asserts on time).
describe.skipIf(skip !== null)('agent console: customer chats', { timeout: 120_000 }, () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness();
  }, 120_000);
  afterAll(async () => h?.close(), 60_000);

  const platform = (path: string, body: object) =>
    request(h.app.http).post(`/api/v1${path}`).set(bearer(h.keys.platform)).send(body).expect(200);

  test('consultation with case information, conference to the active consultation, transfer to an agent', async () => {
    const kate = await h.signIn(h.keys.kate);
    await request(h.app.http)
      .post('/api/v1/chats')
      .set(bearer(h.keys.platform))
      .send({
        id: 'chat-avril',
        customer: { name: 'Avril Mai' },
        queueId: 'inbound-chat',
        text: 'I am having an issue with an online purchase.',
        attachedData: caseInformation,
      })
      .expect(201);
    await platform('/chats/chat-avril/route', { queueId: 'inbound-chat' });

    // The interactive notification: origin, case information, the customer's words; Accept.
    const invitation = kate.getByRole('article', { name: 'Inbound chat' });
    await waitForText(invitation, 'Broken TV');
    await waitForText(invitation, 'I am having an issue with an online purchase.');
    await waitForText(invitation, 'Inbound Chat');
    await invitation.getByRole('button', { name: 'Accept' }).click();
    const chat = kate.getByRole('region', { name: 'Chat: Avril Mai' });
    await waitForText(chat.locator('.window-head'), 'Connected');
    await expect.poll(() => isFocused(chat.getByLabel('Message', { exact: true })), { timeout: 5_000 }).toBe(true);
    await invitation.waitFor({ state: 'detached' });
    h.clock.advance(20_000);
    await kate.keyboard.type('Hello, how can I help you today?');
    await kate.keyboard.press('Enter');
    h.clock.advance(15_000);
    await platform('/chats/chat-avril/customer-messages', { text: 'There seems to be an issue with my credit card.' });
    await waitForText(chat.getByRole('log'), 'There seems to be an issue with my credit card.');

    // Consult: the Team Communicator turns to a consultation of this chat.
    await chat.getByRole('button', { name: 'Consult' }).click();
    const search = kate.getByLabel('Search experts, agents and routing points');
    await expect.poll(() => isFocused(search), { timeout: 5_000 }).toBe(true);
    await waitForText(kate.getByRole('complementary'), 'Consult about: Chat: Avril Mai');
    await search.fill('billing');
    await kate.getByRole('button', { name: 'Start instant message consultation with Billing Experts' }).click();
    const consultation = kate.getByRole('region', { name: 'Consultation: Billing Experts' });
    await waitForText(consultation, 'Not Connected');
    const consultationCase = consultation.getByRole('region', { name: 'Case information' });
    await waitForText(consultationCase, 'Consultation instant messaging from Kate Lewis');
    await waitForText(consultationCase, 'Broken TV');
    h.clock.advance(10_000);
    await kate.keyboard.type('Hey Ann, Ms. Mai is having a credit card issue. Can you help me with this call?');
    await kate.keyboard.press('Enter');

    const preview = await h.previewTo('kw-ann');
    expect(preview).toMatchObject({
      origin: { kind: 'consultation', parentInteractionId: 'chat-avril' },
      attachedData: caseInformation,
    });
    h.clock.advance(12_000);
    await h.accept('kw-ann', preview);
    await h.expertSays('kw-ann', preview.interactionId, 'Sure, conference me in.');
    const accepted = kate.getByRole('region', { name: 'Consultation: Ann Billing' });
    await waitForText(accepted.getByRole('log'), 'Sure, conference me in.');
    await waitForText(accepted.getByRole('region', { name: 'Case information' }), 'Gold');
    await waitForText(accepted, '+14255550101');
    await kate.screenshot({ path: screenshotPath('console-consultation.png') });

    // Conference the chat to the active consultation.
    await chat.getByRole('button', { name: 'Conference' }).click();
    const toConsultation = kate.getByRole('button', {
      name: 'Instant chat conference with Ann Billing (active consultation)',
    });
    await toConsultation.click();
    await waitForText(chat, 'Conference to Ann Billing is pending.');
    const conferencePreview = await h.previewTo('kw-ann', 'conference');
    h.clock.advance(9_000);
    await h.accept('kw-ann', conferencePreview);
    await h.expertSays('kw-ann', 'chat-avril', 'Hello Ms. Mai, I can take care of that.');
    await waitForText(chat.getByRole('log'), 'Hello Ms. Mai, I can take care of that.');
    const parties = chat.getByRole('list', { name: 'Parties' });
    await waitForText(parties, 'Ann Billing');
    await waitForText(accepted.locator('.window-head'), 'Ended');
    await kate.screenshot({ path: screenshotPath('console-conference.png') });
    await chat.getByRole('button', { name: 'Delete Ann Billing from conference' }).click();
    await waitForText(chat.getByRole('log'), "Party 'Ann Billing' has left the session");
    await accepted.getByRole('button', { name: 'Done' }).click();

    // Transfer to another agent, who accepts in their own console.
    const jim = await h.signIn(h.keys.jim);
    await chat.getByRole('button', { name: 'Transfer' }).click();
    await search.fill('jim');
    await kate.getByRole('button', { name: 'Instant chat transfer to Jim Miller' }).click();
    await waitForText(chat, 'Transfer to Jim Miller is pending.');
    const offered = jim.getByRole('article', { name: 'Chat transfer from Kate Lewis' });
    await waitForText(offered, 'Broken TV');
    h.clock.advance(30_000);
    await offered.getByRole('button', { name: 'Accept' }).click();
    const jimChat = jim.getByRole('region', { name: 'Chat: Avril Mai' });
    await waitForText(jimChat.locator('.window-head'), 'Connected');
    await waitForText(jimChat.getByRole('log'), 'Hello, how can I help you today?');
    await jim.keyboard.type('Hi Ms. Mai, I have your case here.');
    await jim.keyboard.press('Enter');
    await waitForText(jimChat.getByRole('log'), 'Hi Ms. Mai, I have your case here.');
    await waitForText(chat.locator('.window-head'), 'Ended');
    await jim.screenshot({ path: screenshotPath('console-transfer.png'), fullPage: true });
    await chat.getByRole('button', { name: 'Done' }).click();
    await chat.waitFor({ state: 'detached' });
    expect(h.pageErrors).toEqual([]);
  });
});
