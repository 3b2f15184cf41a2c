/**
 * `npm start` (src/main.ts as its own process) with the credentials in `.env` and nothing in the environment: it
 * runs the configured connector, not local mode. The bot then authenticates every activity (an unsigned one gets
 * 401), no emulator or Playground starts, and SIGTERM stops it cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { freePort } from '../support/ports.js';

const main = resolve('src/main.ts');
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

test('credentials in .env: the configured connector, with an authenticating bot', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'ucc-dotenv-'));
  const port = await freePort();
  writeFileSync(
    join(cwd, 'connector.yaml'),
    `directory:\n  knowledgeWorkers:\n    - { id: kw-ann, name: Ann Billing }\nteams:\n  allowedTenants: ["${TENANT}"]\n`,
  );
  writeFileSync(
    join(cwd, '.env'),
    [
      'MICROSOFT_APP_ID=2b3c4d5e-0000-4000-8000-000000000abc',
      'MICROSOFT_APP_PASSWORD="a secret that must not be logged"',
      `MICROSOFT_APP_TENANT_ID=${TENANT}`,
      'MICROSOFT_APP_TYPE=SingleTenant',
      'CONNECTOR_CONFIG=connector.yaml',
      'DATABASE_URL=data/connector.db',
      '',
    ].join('\n'),
  );
  child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += String(d);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += String(d);
  });
  const exited = new Promise<number | null>((done) => child?.once('exit', (code) => done(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (
    !(await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the connector did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  const unsigned = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // A loopback service URL: local mode would take this activity; only the authenticating bot refuses it.
    body: JSON.stringify({
      ...JSON.parse(readFileSync('test/fixtures/teams/message.json', 'utf8')),
      serviceUrl: 'http://127.0.0.1:9/',
    }),
  });
  expect(unsigned.status).toBe(401);
  expect(output).toContain('read .env beneath the environment');
  expect(output).toContain('Teams UC Connector listening');
  expect(output).not.toContain('local mode');
  expect(output).not.toContain('LOCAL MODE');
  expect(output).not.toContain('a secret that must not be logged');

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 180_000);
