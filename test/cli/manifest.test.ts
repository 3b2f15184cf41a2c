/**
 * `uc-connector manifest` through its real entry point (`node bin/uc-connector.js`): what an admin sees and the
 * exit codes scripts rely on.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { botId, scratchDir } from './manifest/package-fixtures.js';

const bin = fileURLToPath(new URL('../../bin/uc-connector.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('uc-connector manifest', () => {
  it('writes dist/teams-app.zip from the environment and exits 0', async () => {
    const cwd = await scratchDir();
    const result = await run(
      ['manifest'],
      { MICROSOFT_APP_ID: botId, PUBLIC_BASE_URL: 'https://uc.contoso.example', TEAMS_APP_VERSION: '1.4.0' },
      cwd,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote ${path.join('dist', 'teams-app.zip')}`);
    const entries = unzipSync(readFileSync(path.join(cwd, 'dist', 'teams-app.zip')));
    const manifest = JSON.parse(Buffer.from(entries['manifest.json'] ?? []).toString('utf8'));
    expect(manifest).toMatchObject({ id: botId, version: '1.4.0', validDomains: ['uc.contoso.example'] });
  });

  it('lets flags override the environment', async () => {
    const cwd = await scratchDir();
    const result = await run(
      ['manifest', '--public-url', 'https://experts.contoso.example', '--name', 'Ask an Expert', '--out', 'pkg.zip'],
      { MICROSOFT_APP_ID: botId, PUBLIC_BASE_URL: 'http://wrong.example', TEAMS_APP_NAME: 'Other' },
      cwd,
    );
    expect(result.code).toBe(0);
    const entries = unzipSync(readFileSync(path.join(cwd, 'pkg.zip')));
    const manifest = JSON.parse(Buffer.from(entries['manifest.json'] ?? []).toString('utf8'));
    expect(manifest).toMatchObject({ name: { short: 'Ask an Expert' }, validDomains: ['experts.contoso.example'] });
  });

  it('refuses a broken configuration with exit 1, naming each error with its setting and fix', async () => {
    const cwd = await scratchDir();
    const result = await run(
      ['manifest', '--name', 'The Contoso Expert Consultation Desk'],
      { MICROSOFT_APP_ID: 'not-a-guid', PUBLIC_BASE_URL: 'http://uc.contoso.example' },
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not written: 3 problems');
    expect(result.stderr).toMatch(/--bot-id \/ MICROSOFT_APP_ID must be a GUID/);
    expect(result.stderr).toMatch(/--public-url \/ PUBLIC_BASE_URL must use https/);
    expect(result.stderr).toMatch(/--name \/ TEAMS_APP_NAME must be at most 30 characters/);
    expect(result.stderr.match(/fix: /g)).toHaveLength(3);
    expect(existsSync(path.join(cwd, 'dist'))).toBe(false);
  });

  it('names missing required settings', async () => {
    const result = await run(['manifest'], {}, await scratchDir());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--bot-id \/ MICROSOFT_APP_ID is missing/);
    expect(result.stderr).toMatch(/--public-url \/ PUBLIC_BASE_URL is missing/);
  });

  it('exits 2 on an unknown flag or command, and 0 for help', async () => {
    const cwd = await scratchDir();
    const flag = await run(['manifest', '--bogus'], {}, cwd);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--bogus'");
    const command = await run(['frobnicate'], {}, cwd);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "frobnicate"');
    const help = await run(['manifest', '--help'], {}, cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('MICROSOFT_APP_ID');
  });
});
