/** How `npm start` runs: `.env` beneath the environment, then local mode or the configured connector. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../../src/config/read-config.js';
import { decideRunMode, loadDotEnv, mergeDotEnv } from '../../src/config/run-mode.js';

describe('.env', () => {
  test('adds its variables beneath the environment: a variable already set wins', () => {
    const env = mergeDotEnv({ PORT: '4000' }, 'PORT=5000\nMICROSOFT_APP_ID="abc"\n# a comment\nLOG_LEVEL=debug\n');
    expect(env).toEqual({ PORT: '4000', MICROSOFT_APP_ID: 'abc', LOG_LEVEL: 'debug' });
  });

  test('is read from the working directory when it exists, and is optional', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    expect(loadDotEnv({ PORT: '1' }, dir)).toEqual({ env: { PORT: '1' }, path: null });
    writeFileSync(join(dir, '.env'), 'GRAPH_CLIENT_SECRET=s3cret\n');
    const loaded = loadDotEnv({}, dir);
    expect(loaded.path).toBe(join(dir, '.env'));
    expect(loaded.env.GRAPH_CLIENT_SECRET).toBe('s3cret');
  });
});

describe('decideRunMode', () => {
  test('no credentials and nothing naming an installation: local mode with its default ports', () => {
    expect(decideRunMode({ PORT: '3978', LOG_LEVEL: 'debug', HOST: '127.0.0.1' })).toEqual({
      ok: true,
      mode: { kind: 'local', reason: 'no-credentials', playgroundPort: 56150, emulatorPort: 0, ignored: [] },
    });
  });

  test.each([
    'MICROSOFT_APP_ID',
    'MICROSOFT_APP_PASSWORD',
    'GRAPH_CLIENT_SECRET',
    'CONNECTOR_CONFIG',
    'DATABASE_URL',
    'PUBLIC_BASE_URL',
  ])('%s set: the configured connector', (name) => {
    expect(decideRunMode({ [name]: 'x' })).toEqual({ ok: true, mode: { kind: 'configured' } });
  });

  test('an empty variable names nothing', () => {
    expect(decideRunMode({ MICROSOFT_APP_ID: '', DATABASE_URL: ' ' })).toMatchObject({ mode: { kind: 'local' } });
  });

  test('NODE_ENV=production never falls into local mode by itself', () => {
    expect(decideRunMode({ NODE_ENV: 'production' })).toEqual({ ok: true, mode: { kind: 'configured' } });
  });

  test('LOCAL_MODE=0 runs the configured connector without credentials', () => {
    expect(decideRunMode({ LOCAL_MODE: '0' })).toEqual({ ok: true, mode: { kind: 'configured' } });
    expect(decideRunMode({ LOCAL_MODE: 'false' })).toEqual({ ok: true, mode: { kind: 'configured' } });
  });

  test('LOCAL_MODE=1 forces local mode and names the installation variables it leaves unused', () => {
    expect(
      decideRunMode({
        LOCAL_MODE: '1',
        MICROSOFT_APP_ID: 'app',
        DATABASE_URL: 'postgres://x',
        PLAYGROUND_PORT: '56200',
        GRAPH_EMULATOR_PORT: '56201',
      }),
    ).toEqual({
      ok: true,
      mode: {
        kind: 'local',
        reason: 'forced',
        playgroundPort: 56200,
        emulatorPort: 56201,
        ignored: ['MICROSOFT_APP_ID', 'DATABASE_URL'],
      },
    });
  });

  test('a bad value is named with its fix', () => {
    const result = decideRunMode({ LOCAL_MODE: 'yes', PLAYGROUND_PORT: '0' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.key).sort()).toEqual(['LOCAL_MODE', 'PLAYGROUND_PORT']);
    const lines = result.problems.map((p) => formatProblem(p, 'environment'));
    expect(lines.find((l) => l.startsWith('LOCAL_MODE'))).toContain('Fix: set LOCAL_MODE to 1 (local mode) or 0');
    expect(lines.find((l) => l.startsWith('PLAYGROUND_PORT'))).toContain('Fix: set PLAYGROUND_PORT to a TCP port');
  });
});
