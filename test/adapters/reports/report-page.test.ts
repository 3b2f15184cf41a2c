/**
 * The report page in real Chromium (playwright-core): a supervisor enters a platform key, the page reads the
 * report API for the known data set and draws the charts (inline SVG) with their tables; with UPDATE_SCREENSHOTS=1
 * its screenshot replaces docs/images/reports.png.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MemoryPresenceHistoryStore } from '../../../src/ports/presence/presence-history-store.js';
import { browserSkipReason, launchChromium } from '../../support/browser.js';
import { testDatabases } from '../../support/databases.js';
import { at, knownFacts, knownHistory, range } from '../../support/report-data-set.js';
import { screenshotPath } from '../../support/screenshots.js';
import { sampleDirectory, startTestApp, type TestApp, TestClock, testConfig } from '../../support/test-app.js';

const skip = browserSkipReason();
if (skip) console.warn(`report page tests skipped: ${skip}`);
const run = describe.skipIf(skip !== null);

run('the report page in Chromium', () => {
  let t: TestApp;
  let server: Server;
  let browser: Browser;
  let base: string;
  let key: string;

  beforeAll(async () => {
    const history = new MemoryPresenceHistoryStore();
    await history.record(knownHistory, []);
    const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
    t = await startTestApp(testConfig(sampleDirectory, url), new TestClock(at(12, 30)), { presenceHistory: history });
    await t.app.store.transaction((tx) => tx.recordFacts(knownFacts));
    key = (await t.app.agentSide.keys.create({ contactCenter: 'default', agentId: null, label: 'Supervisor' })).key;
    server = t.app.http.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    await t?.app.stop();
  });

  test('is served with a strict content security policy', async () => {
    const res = await request(t.app.http).get('/reports').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    await request(t.app.http)
      .get('/reports/charts.js')
      .expect('content-type', /javascript/);
  });

  test('asks for a key, then draws the charts and tables for the range', async () => {
    const context = await browser.newContext({ timezoneId: 'UTC', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Script errors only: the refused key's 401 answers are logged by Chromium as failed loads, as they should be.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
    const query = `from=${new Date(range.from).toISOString()}&to=${new Date(range.to).toISOString()}`;
    await page.goto(`${base}/reports?${query}`);

    // A wrong key is refused and asked for again.
    await page.getByLabel('Platform API key').fill('ucc_not-a-key');
    await page.getByRole('button', { name: 'Open reports' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('not a valid platform key');
    expect(await page.locator('#key-form').isVisible()).toBe(true);

    await page.getByLabel('Platform API key').fill(key);
    await page.getByRole('button', { name: 'Open reports' }).click();
    await page.locator('#report').waitFor({ state: 'visible' });
    expect(await page.locator('#status').textContent()).toBe('Showing 01-15 09:30 to 01-15 12:00.');

    // Totals (routing points): 9 offered, 4 accepted, 3 abandoned.
    const totals = await page.locator('#totals div').allTextContents();
    expect(totals.slice(0, 5)).toEqual(['Offered9', 'Accepted4', 'Declined1', 'Timed out1', 'Abandoned3']);

    // Offered versus accepted: 3 hourly intervals, two bars each, and its table.
    expect(await page.locator('#series-chart svg rect').count()).toBe(6);
    expect(await page.locator('#series-chart svg title').first().textContent()).toBe(
      'Offered 10, accepted 5 over 3 intervals',
    );
    const seriesRows = await page.locator('#series-chart tbody tr').allTextContents();
    // interval, offered, accepted, abandoned
    expect(seriesRows).toEqual(['01-15 09:30412', '01-15 10:30641', '01-15 11:30000']);

    // Time to accept: 7 bins; median 4 s, 90th percentile 12 s over every knowledge worker's accepted offers.
    expect(await page.locator('#tta-chart svg rect').count()).toBe(7);
    expect(await page.locator('#tta-chart .hint').textContent()).toBe('Median 4 s · 90th percentile 12 s');

    // State timeline: Ann's 4 periods in the range; the table says minutes per state.
    expect(await page.locator('#states-chart svg rect').count()).toBe(4);
    const annRow = await page.locator('#states-chart tbody tr').first().locator('th, td').allTextContents();
    expect(annRow).toEqual(['Ann Billing', '30', '30', '90']);

    // The per routing point table.
    const billing = page.locator('#rp-table tbody tr', { hasText: 'Billing Experts' });
    expect((await billing.locator('td').allTextContents()).slice(0, 2)).toEqual(['9', '4']);
    expect(errors).toEqual([]);

    await page.screenshot({ path: screenshotPath('reports.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
