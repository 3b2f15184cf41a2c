/**
 * Prometheus's own linter, `promtool check metrics`, run on scraped text. A missing promtool fails the suite in CI;
 * elsewhere the suite is skipped with a message naming what to install.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian installs promtool (`apt-get install prometheus`). */
export const promtoolPath = '/usr/bin/promtool';

/** Why promtool tests cannot run here, or null when they can (always null in CI: a missing promtool fails there). */
export function promtoolSkipReason(): string | null {
  if (existsSync(promtoolPath) || process.env.CI) return null;
  return `${promtoolPath} is missing: install Debian's prometheus package to lint /metrics`;
}

/** What promtool said: its exit code and each problem it printed, one a line. */
export interface PromtoolVerdict {
  readonly exitCode: number | null;
  readonly problems: readonly string[];
}

/** Pipes Prometheus text into `promtool check metrics`; exit code 0 and no problems is a clean result. */
export function checkMetrics(text: string): Promise<PromtoolVerdict> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtoolPath, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const problems = output
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      resolve({ exitCode, problems });
    });
    child.stdin.end(text);
  });
}
