/**
 * The first run, as a newcomer meets it: a fresh clone of this repository, `npm start` with no credentials in the
 * environment and no `.env`, and nothing else. Local mode must bring up the connector, the Graph emulator and the
 * Agents Playground and print the banner; then, in Chromium, Megan Bowen opens the Playground, Kate Lewis signs in
 * to the agent console with the printed key, searches an expert, starts a consultation with Megan, Megan accepts
 * it in the Playground, and messages go both ways. Ctrl-C (SIGINT to the terminal's process group) must stop
 * everything: npm and its children, the Playground's own process group, every port.
 *
 * The clone is `git clone` of the repository this test runs from (its committed HEAD: commit before running).
 * `node_modules` is linked in from that repository, because a real `npm install` (better-sqlite3 compiles from
 * source) takes minutes; the README's `npm install` is the only step not taken here.
 *
 * Screenshots go to a temporary directory; with UPDATE_SCREENSHOTS=1 they replace docs/images/first-run-*.png.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { cardSaying, said, WELCOME_TEXT, writeInPlayground } from '../support/playground-page.js';
import { freePort, isListening } from '../support/ports.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/first-run.test.ts skipped: ${skip}`);

/** Deadlines only bound a broken run on a shared machine; nothing asserts on time. */
const SLOW = 120_000;

/** What the banner and the progress lines tell. */
interface Banner {
  readonly consoleUrl: string;
  readonly playgroundUrl: string;
  readonly apiKey: string;
  readonly playgroundPid: number;
  readonly emulatorPort: number;
}

function readBanner(out: string): Banner | null {
  const consoleUrl = /Agent console +(\S+)/.exec(out)?.[1];
  const apiKey = /API key +(\S+)/.exec(out)?.[1];
  const playgroundUrl = /Teams +(http\S+)/.exec(out)?.[1];
  const playgroundPid = /Agents Playground \(pid (\d+)\)/.exec(out)?.[1];
  const emulatorPort = /Graph presence emulator on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
  if (!consoleUrl || !apiKey || !playgroundUrl || !playgroundPid || !emulatorPort) return null;
  return {
    consoleUrl,
    playgroundUrl,
    apiKey,
    playgroundPid: Number(playgroundPid),
    emulatorPort: Number(emulatorPort),
  };
}

/** Whether any process is left in a process group. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + SLOW;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}\n--- npm start said:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(skip !== null)('first run: npm start on a fresh clone, no credentials', () => {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  const work = mkdtempSync(join(tmpdir(), 'ucc-first-run-'));
  const clone = join(work, 'teams-uc-connector');
  const shots = process.env.UPDATE_SCREENSHOTS ? join(root, 'docs', 'images') : work;
  let npm: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let output = '';
  let browser: Browser | undefined;
  let banner: Banner;
  let ports: { connector: number; playground: number };

  beforeAll(async () => {
    execFileSync('git', ['clone', '--quiet', root, clone]);
    symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
    ports = { connector: await freePort(), playground: await freePort() };
    npm = spawn('npm', ['start'], {
      cwd: clone,
      // A terminal's foreground job: its own process group, which Ctrl-C signals as a whole.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Nothing of this machine's configuration: no credentials, no database, no CI flags.
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LANG: 'C.UTF-8',
        PORT: String(ports.connector),
        PLAYGROUND_PORT: String(ports.playground),
      },
    });
    const child = npm;
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += String(chunk);
    });
    await until(
      () => readBanner(output) !== null || child.exitCode !== null,
      'the banner',
      () => output,
    );
    const read = readBanner(output);
    if (!read) throw new Error(`npm start stopped before its banner:\n${output}`);
    banner = read;
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    // A failed run must not leave anything behind either.
    if (npm?.pid && groupAlive(npm.pid)) process.kill(-npm.pid, 'SIGKILL');
    if (banner?.playgroundPid && groupAlive(banner.playgroundPid)) process.kill(-banner.playgroundPid, 'SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  test('the banner names the console, the Playground and a key, and tells what to try', () => {
    expect(banner.consoleUrl).toBe(`http://localhost:${ports.connector}/console/`);
    expect(banner.playgroundUrl).toBe(`http://localhost:${ports.playground}/`);
    expect(banner.apiKey).toMatch(/^ucc_/);
    expect(output).toContain('Starting in local mode');
    expect(output).toContain('1. Search an expert');
    expect(output).toContain('2. Start a consultation');
    expect(output).toContain('3. Accept it in the Playground');
  });

  test('one consultation through the console and the Playground, then Ctrl-C stops everything', async () => {
    const pageOf = async (url: string, width: number): Promise<Page> => {
      const context = await (browser as Browser).newContext({ viewport: { width, height: 900 }, locale: 'en-US' });
      const page = await context.newPage();
      page.setDefaultTimeout(SLOW);
      await page.goto(url);
      return page;
    };

    // Megan opens her Teams first: the app is installed for her and the bot greets her.
    const megan = await pageOf(banner.playgroundUrl, 1280);
    await said(megan, WELCOME_TEXT).waitFor();

    // Kate signs in to the console with the printed key and searches an expert.
    const kate = await pageOf(banner.consoleUrl, 1360);
    await kate.getByLabel('API key').fill(banner.apiKey);
    await kate.getByLabel('API key').press('Enter');
    await kate.getByText('Live', { exact: true }).waitFor();
    await kate.getByLabel('Search experts, agents and routing points').fill('billing');
    const results = kate.getByRole('list', { name: 'Search results' });
    const meganEntry = results.getByRole('listitem').filter({ hasText: 'Megan Bowen' });
    await meganEntry.filter({ hasText: 'Ready' }).waitFor();
    await results.getByRole('listitem').filter({ hasText: 'Alex Wilber' }).waitFor();

    // She starts a consultation with Megan.
    await kate.getByRole('button', { name: 'Send instant message to Megan Bowen' }).click();
    const im = kate.getByRole('region', { name: 'Instant message: Megan Bowen' });
    await im.getByLabel('Message', { exact: true }).fill('Hi Megan, a customer was billed twice. Can you help?');
    await im.getByLabel('Message', { exact: true }).press('Enter');
    await im.locator('.window-head').getByText('Establishing').waitFor();

    // Megan sees the preview card in the Playground and accepts.
    const preview = cardSaying(megan, 'Hi Megan, a customer was billed twice. Can you help?');
    await preview.waitFor();
    await expect(preview.textContent()).resolves.toContain('from Kate Lewis');
    await megan.screenshot({ path: join(shots, 'first-run-card.png') });
    await preview.getByRole('button', { name: 'Accept' }).click();
    await cardSaying(megan, 'You are connected with Kate Lewis').waitFor();

    // The console shows the session connected, and Megan busy in the Team Communicator; messages are relayed both
    // ways.
    await im.locator('.window-head').getByText('Connected').waitFor();
    await meganEntry.filter({ hasText: 'Busy' }).waitFor();
    await writeInPlayground(megan, 'Sure, send me the invoice number.');
    await im.getByRole('log').getByText('Sure, send me the invoice number.').waitFor();
    await im.getByLabel('Message', { exact: true }).fill('Invoice 4711, charged twice on 2 December.');
    await im.getByLabel('Message', { exact: true }).press('Enter');
    await said(megan, 'Kate Lewis: Invoice 4711, charged twice on 2 December.').waitFor();
    await kate.screenshot({ path: join(shots, 'first-run-console.png') });

    // Ctrl-C: the terminal signals npm's whole process group.
    const npmPid = npm?.pid ?? 0;
    process.kill(-npmPid, 'SIGINT');
    await exited;
    expect(output).toContain(
      'Local mode stopped: the connector, the Graph emulator and the Agents Playground are down.',
    );
    // Grandchildren (the decryption process, esbuild services) end just after npm; init reaps them.
    await until(
      () => !groupAlive(npmPid),
      "npm's process group ends",
      () => output,
    );
    await until(
      () => !groupAlive(banner.playgroundPid),
      "the Playground's process group ends",
      () => output,
    );
    expect(await isListening(ports.connector)).toBe(false);
    expect(await isListening(ports.playground)).toBe(false);
    expect(await isListening(banner.emulatorPort)).toBe(false);
    expect(existsSync(join(clone, 'data', 'local-mode.db'))).toBe(true);
    // Nothing written outside ./data (the node_modules link is this test's own).
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: clone, encoding: 'utf8' });
    expect(status.split('\n').filter((line) => line && line !== '?? node_modules')).toEqual([]);
  }, 300_000);
});
