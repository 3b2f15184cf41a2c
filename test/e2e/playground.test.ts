/**
 * The core loop in the Microsoft 365 Agents Playground, driven like a person would in Chromium: the connector runs
 * for real (createApp, HTTP, the database, local mode), the Playground runs headless as a child process with the
 * shipped `config/agents-playground.yml` (its signed-in user is Ann Billing), and an agent works through the agent
 * API. Kate consults the billing routing point; Ann sees the preview card, accepts, the card is replaced, messages
 * go both ways, Ann ends. Then the outcomes Decline and time-out replace their cards.
 *
 * Screenshots go to a temporary directory; with UPDATE_SCREENSHOTS=1 they replace docs/images/playground-*.png.
 */
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ConnectorApp, createApp } from '../../src/app.js';
import { type AgentsPlayground, startAgentsPlayground } from '../../src/dev/agents-playground/agents-playground.js';
import { createLogger } from '../../src/logger.js';
import { checkedFetch } from '../support/api-request.js';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { testDatabases } from '../support/databases.js';
import { readEvents } from '../support/event-readers.js';
import { cardSaying, said, WELCOME_TEXT, writeInPlayground } from '../support/playground-page.js';
import { freePort } from '../support/ports.js';
import { testConfig } from '../support/test-app.js';

/** The tenant and Ann's aadObjectId, as in config/agents-playground.yml. */
const TENANT = '00000000-0000-0000-0000-000000000001';
const ANN = '3f2a1c00-0000-4000-8000-000000000001';
const SLOW = 60_000;

const directory = `
directory:
  knowledgeWorkers:
    - { id: ${ANN}, name: Ann Billing, staticState: Ready, businessPhones: ["+1 425 555 0101"] }
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - { id: billing, name: Billing Experts, members: { kind: static, ids: [${ANN}] }, strategy: { kind: round-robin }, previewTimeoutMs: 300000, maxOffers: 1 }
    - { id: quick, name: Quick Questions, members: { kind: static, ids: [${ANN}] }, strategy: { kind: round-robin }, previewTimeoutMs: 2000, maxOffers: 1 }
teams:
  allowedTenants: ["${TENANT}"]
`;

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/playground.test.ts skipped: ${skip}`);

/** Polls `read` until `check` holds (no timing assertion: the deadline only bounds a broken run). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + SLOW;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}; last seen ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

describe.skipIf(skip !== null)('the core loop in the Microsoft 365 Agents Playground', () => {
  let app: ConnectorApp | undefined;
  let server: Server | undefined;
  let playground: AgentsPlayground | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base = '';
  let kate = '';
  const work = mkdtempSync(join(tmpdir(), 'ucc-playground-'));
  const shots = process.env.UPDATE_SCREENSHOTS ? join(process.cwd(), 'docs', 'images') : work;
  const playgroundOutput: string[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await checkedFetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${kate}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { id: string } };
  };
  const eventsOf = async (interactionId: string) => {
    const events = await readEvents(base, kate, '?after=0&limit=1000');
    return events.filter((e) => e.data.interactionId === interactionId);
  };

  beforeAll(async () => {
    const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
    app = await createApp(testConfig(directory, url), { logger: createLogger('silent') });
    kate = (await app.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'Kate' })).key;
    app.start();
    server = app.http.listen(0, '127.0.0.1');
    await new Promise((resolve) => server?.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    playground = await startAgentsPlayground({
      botEndpoint: `${base}/api/messages`,
      port: await freePort(),
      configPath: 'config/agents-playground.yml',
      cwd: work,
      logFile: join(work, 'playground.log'),
      onOutput: (line) => playgroundOutput.push(line),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(SLOW);
    await page.goto(playground.url);
    // Opening the Playground installs the app for Ann: the bot stores her conversation and welcomes her.
    await said(page, WELCOME_TEXT).waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await playground?.close();
    server?.close();
    server?.closeAllConnections();
    await app?.stop();
  }, 60_000);

  test('a consultation: preview card, Accept, card replaced, messages both ways, End', async () => {
    // Kate consults the billing routing point: Ann's preview card appears in the Playground.
    const consult = await api('POST', '/interactions', {
      target: { kind: 'routing-point', id: 'billing' },
      text: 'Can you help with a refund for Ms. Tran?',
      attachedData: { CallType: 'Support', Priority: 'High', Reason: 'Refund' },
    });
    expect(consult.status).toBe(201);
    const id = consult.body.id;
    const preview = cardSaying(page, 'Can you help with a refund for Ms. Tran?');
    await preview.waitFor();
    await expect(preview.textContent()).resolves.toContain('from Kate Lewis');
    await expect(preview.textContent()).resolves.toContain('High');
    await page.screenshot({ path: join(shots, 'playground-preview.png') });

    // Ann accepts: the card is replaced (no Accept left), and Kate is told.
    await preview.getByRole('button', { name: 'Accept' }).click();
    await cardSaying(page, 'You are connected with Kate Lewis').waitFor();
    await expect(page.getByRole('button', { name: 'Accept' }).count()).resolves.toBe(0);
    await eventually(
      () => eventsOf(id),
      (events) => events.some((e) => e.type === 'invitation.accepted'),
      'Kate hears that Ann accepted',
    );
    const connected = await api('GET', `/interactions/${id}`);
    expect((connected.body.parties as { person: { name: string }; status: string }[]).map((p) => p.status)).toEqual([
      'connected',
      'connected',
    ]);

    // Kate writes: Ann reads it, attributed to Kate.
    expect((await api('POST', `/interactions/${id}/messages`, { text: 'Order 1234, refund of 40 USD' })).status).toBe(
      200,
    );
    await said(page, 'Kate Lewis: Order 1234, refund of 40 USD').waitFor();

    // Ann answers in the Playground: Kate sees it in the transcript and the events.
    await writeInPlayground(page, 'Approved, the refund goes out today.');
    const transcript = await eventually(
      () => api('GET', `/interactions/${id}/transcript`),
      (t) => JSON.stringify(t.body).includes('Approved, the refund goes out today.'),
      "Ann's answer reaches the transcript",
    );
    expect(
      (transcript.body.entries as { kind: string; name: string; text: string }[])
        .filter((e) => e.kind === 'message')
        .map((e) => `${e.name}: ${e.text}`),
    ).toEqual([
      'Kate Lewis: Can you help with a refund for Ms. Tran?',
      'Kate Lewis: Order 1234, refund of 40 USD',
      'Ann Billing: Approved, the refund goes out today.',
    ]);
    const events = await eventsOf(id);
    expect(events.filter((e) => e.type === 'message').map((e) => (e.data.entry as { text: string }).text)).toContain(
      'Approved, the refund goes out today.',
    );
    await page.screenshot({ path: join(shots, 'playground-session.png') });

    // Ann presses End: the consultation ends, and Kate is told.
    await cardSaying(page, 'You are connected with Kate Lewis').getByRole('button', { name: 'End' }).click();
    await eventually(
      () => api('GET', `/interactions/${id}`),
      (ix) => ix.body.status === 'ended',
      'the consultation ends',
    );
    await cardSaying(page, 'This session has ended').waitFor();
    const ended = await eventually(
      () => eventsOf(id),
      (list) => list.some((e) => e.type === 'interaction.ended'),
      'Kate hears that the consultation ended',
    );
    expect(ended.map((e) => e.type)).toContain('party.left');
  }, 300_000);

  test('Decline replaces the card; Kate hears Ann rejected it and no one else is available', async () => {
    const consult = await api('POST', '/interactions', {
      target: { kind: 'routing-point', id: 'billing' },
      text: 'Is a second refund possible?',
    });
    expect(consult.status).toBe(201);
    const preview = cardSaying(page, 'Is a second refund possible?');
    await preview.waitFor();
    await preview.getByRole('button', { name: 'Decline' }).click();
    const declined = cardSaying(page, 'You declined this request.');
    await declined.waitFor();
    await expect(declined.getByRole('button').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Accept' }).count()).resolves.toBe(0);
    const events = await eventually(
      () => eventsOf(consult.body.id),
      (list) => list.some((e) => e.type === 'invitation.failed'),
      'Kate hears the request failed',
    );
    expect(events.map((e) => (e.data.entry as { event?: { type: string } } | undefined)?.event?.type)).toContain(
      'rejected',
    );
  }, 300_000);

  test('an unanswered preview expires and its card says so', async () => {
    const consult = await api('POST', '/interactions', {
      target: { kind: 'routing-point', id: 'quick' },
      text: 'Quick one: which form for a refund?',
    });
    expect(consult.status).toBe(201);
    await cardSaying(page, 'Quick one: which form for a refund?').waitFor();
    const expired = cardSaying(page, 'This request expired before it was answered.');
    await expired.waitFor();
    await expect(expired.getByRole('button').count()).resolves.toBe(0);
    await eventually(
      () => eventsOf(consult.body.id),
      (list) => list.some((e) => e.type === 'invitation.failed'),
      'Kate hears the request failed',
    );
    const events = await eventsOf(consult.body.id);
    expect(events.map((e) => (e.data.entry as { event?: { type: string } } | undefined)?.event?.type)).toContain(
      'timed_out',
    );
  }, 300_000);
});
