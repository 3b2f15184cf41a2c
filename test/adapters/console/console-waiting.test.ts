/**
 * The agent console in Chromium when a routing point waits for an expert: an IM to a routing point whose one member
 * is busy shows "Waiting for an expert" with its place, and turns into the expert's invitation as soon as her session
 * ends (the connector's waiting router runs on its own; nothing else asks).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { browserSkipReason } from '../../support/browser.js';
import { type ConsoleHarness, startConsoleHarness, waitForText } from './console-harness.js';

const skip = browserSkipReason();
if (skip) console.warn(`agent console tests skipped: ${skip}`);

const directory = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready }
  agents:
    - { id: agent-kate, name: Kate Lewis }
    - { id: agent-jim, name: Jim Miller }
routing:
  routingPoints:
    - id: patient
      name: Patient Experts
      members: { kind: static, ids: [kw-ann] }
      strategy: { kind: round-robin }
      waitMs: 600000
queues: []
`;

// A browser on a shared machine: generous limits (no test asserts on time).
describe.skipIf(skip !== null)('agent console: waiting for an expert', { timeout: 120_000 }, () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness(directory);
  }, 120_000);
  afterAll(async () => h?.close(), 60_000);

  test('an IM to a routing point whose expert is busy shows "Waiting for an expert" with its place, then her invitation', async () => {
    // Jim's IM keeps Ann busy (a limit of one session).
    const busy = await h.app.commands.execute({
      type: 'StartIm',
      interactionId: 'im-jim',
      initiator: { id: 'agent-jim', name: 'Jim Miller', kind: 'agent' },
      target: { kind: 'routing-point', id: 'patient', name: 'Patient Experts' },
      text: 'Jim asks first',
    });
    expect(busy.ok).toBe(true);
    await h.accept('kw-ann', await h.previewTo('kw-ann'));

    const page = await h.signIn(h.keys.kate);
    await page.getByLabel('Search experts, agents and routing points').fill('patient');
    await page.getByRole('button', { name: 'Send instant message to Patient Experts' }).click();
    const im = page.getByRole('region', { name: 'Instant message: Patient Experts' });
    await im.getByLabel('Message', { exact: true }).fill('Can someone help with a refund?');
    await im.getByLabel('Message', { exact: true }).press('Enter');
    await waitForText(im, 'Waiting for an expert at Patient Experts (position 1).');

    // Ann's session with Jim ends: she is offered Kate's IM at once, and the window says so.
    const ended = await h.app.commands.execute({ type: 'End', interactionId: 'im-jim', by: 'agent-jim' });
    expect(ended.ok).toBe(true);
    await expect
      .poll(
        async () => {
          await h.app.outbox.drain();
          return h.experts.to('kw-ann').filter((e) => e.type === 'SendPreview').length;
        },
        { timeout: 20_000 },
      )
      .toBe(2);
    // The window now names the invited expert.
    const offered = page.getByRole('region', { name: 'Instant message: Ann Billing' });
    await waitForText(offered, 'Invitation to Patient Experts is pending.');
    expect(await offered.innerText()).not.toContain('Waiting for an expert');
    expect(h.pageErrors).toEqual([]);
  });
});
