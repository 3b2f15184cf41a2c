/**
 * Debian's Chromium driven by playwright-core, for the console tests. A missing browser fails the suite in CI;
 * elsewhere the suite is skipped with a message naming what to install.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian installs Chromium (`apt-get install chromium`). */
export const chromiumPath = '/usr/bin/chromium';

/** Why browser tests cannot run here, or null when they can (always null in CI: a missing browser fails there). */
export function browserSkipReason(): string | null {
  if (existsSync(chromiumPath) || process.env.CI) return null;
  return `${chromiumPath} is missing: install Debian's chromium package to run the console tests`;
}

/** Launches headless Chromium with the flags our CI and shared machines need. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
