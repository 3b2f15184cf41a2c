/**
 * The real connector listening on an ephemeral port with its workers running, a Chromium page per agent, and the
 * knowledge worker's side (Teams stands in as a recording channel; the expert answers through the engine's
 * commands, as the bot would).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { SendPreview } from '../../../src/domain/interaction/effects.js';
import { type ApiTestApp, startApiApp } from '../../support/api-app.js';
import { launchChromium } from '../../support/browser.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

/** A running connector and a browser. */
export interface ConsoleHarness extends ApiTestApp {
  readonly base: string;
  readonly clock: TestClock;
  readonly browser: Browser;
  /** Errors thrown in any page (a test asserts there are none). */
  readonly pageErrors: string[];
  /** Opens the console signed in with `key`; waits until the event stream is live. */
  signIn(key: string): Promise<Page>;
  /** The latest preview card sent to a knowledge worker (waits for the outbox). */
  previewTo(knowledgeWorkerId: string, kind?: SendPreview['kind']): Promise<SendPreview>;
  /** The knowledge worker accepts a preview. */
  accept(knowledgeWorkerId: string, preview: SendPreview): Promise<void>;
  /** The knowledge worker writes. */
  expertSays(knowledgeWorkerId: string, interactionId: string, text: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the connector (SQLite) with `directory` (default the sample directory) and Chromium. */
export async function startConsoleHarness(directory?: string): Promise<ConsoleHarness> {
  const clock = new TestClock(Date.UTC(2026, 0, 15, 14, 41, 0));
  const database = testDatabases()[0];
  if (!database) throw new Error('no test database');
  const t = await startApiApp(await database.create(), clock, '', {}, directory);
  t.app.start();
  const server: Server = t.app.http.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const previewTo = async (kwId: string, kind?: SendPreview['kind']) => {
    let found: SendPreview | undefined;
    await expect
      .poll(
        async () => {
          await t.app.outbox.drain();
          found = t.experts
            .to(kwId)
            .filter((e): e is SendPreview => e.type === 'SendPreview' && (!kind || e.kind === kind))
            .at(-1);
          return found !== undefined;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    if (!found) throw new Error('unreachable');
    return found;
  };

  return {
    ...t,
    base,
    clock,
    browser,
    pageErrors,
    async signIn(key) {
      const context = await browser.newContext({
        baseURL: base,
        viewport: { width: 1360, height: 900 },
        timezoneId: 'UTC',
        locale: 'en-US',
      });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto('/console/');
      await page.getByLabel('API key').fill(key);
      await page.getByLabel('API key').press('Enter');
      await page.getByText('Live', { exact: true }).waitFor();
      return page;
    },
    previewTo,
    async accept(kwId, preview) {
      const result = await t.app.commands.execute({
        type: 'Accept',
        interactionId: preview.interactionId,
        invitationId: preview.invitationId,
        by: kwId,
      });
      if (!result.ok) throw new Error(`accept refused: ${result.refusal.message}`);
    },
    async expertSays(kwId, interactionId, text) {
      const result = await t.app.commands.execute({ type: 'SendMessage', interactionId, from: kwId, text });
      if (!result.ok) throw new Error(`message refused: ${result.refusal.message}`);
    },
    async close() {
      for (const c of contexts) await c.close();
      await browser.close();
      server.closeAllConnections();
      server.close();
      await t.app.stop();
      await database.cleanup();
    },
  };
}

/** The computed text color of an element. */
export function colorOf(locator: Locator): Promise<string> {
  return locator.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).color ?? '');
}

/** Waits until a locator's text contains `text`. */
export async function waitForText(locator: Locator, text: string): Promise<void> {
  await expect.poll(() => locator.innerText(), { timeout: 20_000 }).toContain(text);
}

/** Whether the element has the keyboard focus. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === el.ownerDocument.activeElement);
}
