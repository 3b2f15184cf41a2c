/**
 * Local mode when a part cannot start or stops by itself: the error names the part and the fix, and whatever had
 * started is stopped (its ports closed). Its keys: the banner's platform key administers the running connector, and
 * `uc-connector api-key` pointed at local mode's database makes keys the running connector accepts. The whole first run, from `npm start` on a clone, is
 * test/e2e/first-run.test.ts.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { LocalModeError, LocalModeStopped, startLocalMode } from '../../src/dev/local-mode/local-mode.js';
import { freePort, isListening } from '../support/ports.js';

/** A project directory with local mode's configuration files. */
function projectDir(playgroundConfig?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ucc-local-mode-'));
  mkdirSync(join(dir, 'config'));
  cpSync('config/local.yaml', join(dir, 'config', 'local.yaml'));
  if (playgroundConfig === undefined)
    cpSync('config/agents-playground.local.yml', join(dir, 'config', 'agents-playground.local.yml'));
  else writeFileSync(join(dir, 'config', 'agents-playground.local.yml'), playgroundConfig);
  return dir;
}

const blockers: Server[] = [];
afterEach(async () => {
  for (const b of blockers.splice(0)) await new Promise((r) => b.close(r));
});

/** Something else listening on a port. */
async function occupy(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  blockers.push(server);
}

async function ports() {
  return { connector: await freePort(), playground: await freePort(), emulator: await freePort() };
}

function start(
  cwd: string,
  p: { connector: number; playground: number; emulator: number },
  lines: string[],
  signal?: AbortSignal,
) {
  return startLocalMode({
    env: { PORT: String(p.connector), LOG_LEVEL: 'warn' },
    playgroundPort: p.playground,
    emulatorPort: p.emulator,
    cwd,
    print: (line) => lines.push(line),
    signal,
  });
}

describe('local mode: failures', () => {
  test('run outside the project: names the missing file, starts nothing', async () => {
    const p = await ports();
    const lines: string[] = [];
    const cwd = mkdtempSync(join(tmpdir(), 'ucc-elsewhere-'));
    const error = await start(cwd, p, lines).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalModeError);
    expect((error as Error).message).toBe(
      `config/local.yaml is missing in ${cwd}. Fix: run npm start in the project's directory.`,
    );
    expect(lines).toEqual([]);
    expect(await isListening(p.connector)).toBe(false);
  });

  test("the connector port in use: names PORT, starts nothing else, keeps the running one's database", async () => {
    const p = await ports();
    await occupy(p.connector);
    const lines: string[] = [];
    const cwd = projectDir();
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data', 'local-mode.db'), 'in use');
    const error = await start(cwd, p, lines).catch((e: unknown) => e);
    expect(readFileSync(join(cwd, 'data', 'local-mode.db'), 'utf8')).toBe('in use');
    expect(error).toBeInstanceOf(LocalModeError);
    expect((error as Error).message).toBe(
      `port ${p.connector} is in use (another connector running?). Fix: stop it, or set PORT to a free port (PORT=3979 npm start).`,
    );
    expect(lines).toEqual([]);
    expect(await isListening(p.emulator)).toBe(false);
  });

  test("the Graph emulator's port in use: names GRAPH_EMULATOR_PORT and closes the connector's port again", async () => {
    const p = await ports();
    await occupy(p.emulator);
    const lines: string[] = [];
    const error = await start(projectDir(), p, lines).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalModeError);
    expect((error as Error).message).toContain(`the Graph emulator's port ${p.emulator} is in use`);
    expect((error as Error).message).toContain('Fix: set GRAPH_EMULATOR_PORT to a free port');
    expect(lines).toEqual([expect.stringContaining(`connector listening on http://localhost:${p.connector}`)]);
    expect(await isListening(p.connector)).toBe(false);
  });

  test('a Playground that cannot start: names its log, and stops the connector and the emulator', async () => {
    const p = await ports();
    const lines: string[] = [];
    const error = await start(projectDir('version: "0.1.1"\ntenantId: [not, a, tenant]\n'), p, lines).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LocalModeError);
    expect((error as Error).message).toMatch(
      /^the Agents Playground stopped \(is .*agents-playground\.local\.yml valid\?\); its log: .*data\/agents-playground\.log$/,
    );
    expect(lines.at(-1)).toContain('starting the Microsoft 365 Agents Playground');
    expect(await isListening(p.connector)).toBe(false);
    expect(await isListening(p.emulator)).toBe(false);
    expect(await isListening(p.playground)).toBe(false);
  }, 120_000);

  test('stopped while starting: what had started is stopped', async () => {
    const p = await ports();
    const abort = new AbortController();
    const lines: string[] = [];
    const print = (line: string) => {
      lines.push(line);
      if (line.includes('connector listening')) abort.abort();
    };
    const error = await startLocalMode({
      env: { PORT: String(p.connector) },
      playgroundPort: p.playground,
      emulatorPort: p.emulator,
      cwd: projectDir(),
      print,
      signal: abort.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalModeStopped);
    expect(lines).toHaveLength(1);
    expect(await isListening(p.connector)).toBe(false);
  });

  test('a Playground that stops by itself is reported, and stop() closes the rest', async () => {
    const p = await ports();
    const lines: string[] = [];
    const local = await start(projectDir(), p, lines);
    try {
      expect(await isListening(p.emulator)).toBe(true);
      const pid = Number(/Agents Playground \(pid (\d+)\)/.exec(lines.join('\n'))?.[1]);
      process.kill(-pid, 'SIGKILL');
      expect(await local.failed).toMatch(
        /^the Agents Playground stopped unexpectedly \(SIGKILL\); its log: data\/agents-playground\.log$/,
      );
    } finally {
      await local.stop();
    }
    expect(await isListening(p.connector)).toBe(false);
    expect(await isListening(p.emulator)).toBe(false);
  }, 120_000);
});

describe('local mode: keys', () => {
  test("the banner's platform key and the CLI on data/local-mode.db both give keys the running connector accepts", async () => {
    const p = await ports();
    const lines: string[] = [];
    const cwd = projectDir();
    const local = await start(cwd, p, lines);
    try {
      const printed = /Platform key +(ucc_\S+)/.exec(lines.join('\n'))?.[1];
      expect(printed).toBe(local.platformKey);
      const api = (key: string, path: string) =>
        fetch(`${local.connectorUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
      const me = await api(local.platformKey, '/me');
      expect(await me.json()).toEqual({ contactCenter: 'default', platform: true, agent: null });
      expect((await api(local.platformKey, '/keys')).status).toBe(200);
      // The CLI, while local mode runs, on local mode's database and configuration (docs/api.md).
      const bin = fileURLToPath(new URL('../../bin/uc-connector.js', import.meta.url));
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [bin, 'api-key', 'create', '--contact-center', 'default', '--agent', 'agent-kate', '--label', 'CLI'],
        {
          cwd,
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: 'data/local-mode.db',
            CONNECTOR_CONFIG: 'config/local.yaml',
            LOG_LEVEL: 'silent',
          },
        },
      );
      const made = /\b(ucc_[A-Za-z0-9_-]{43})\b/.exec(stdout)?.[1] ?? '';
      const kate = await api(made, '/me');
      expect(kate.status).toBe(200);
      expect(await kate.json()).toMatchObject({ platform: false, agent: { id: 'agent-kate' } });
    } finally {
      await local.stop();
    }
  }, 180_000);
});
