/**
 * startup-100k: the connector started as `npm start` starts it (`node --import tsx src/main.ts`, the configured
 * connector, not local mode) with 100,000 knowledge workers, timed from spawn until `GET /healthz` answers; and
 * `uc-connector api-key create` (`node bin/uc-connector.js`) with the same configuration, timed to its exit.
 * - `startup-100k`: the 100,000 in the YAML file (about 20 MB), one routing point listing all of them, and the
 *   `presence` section pointing at a Graph emulator that knows them (polling only), so the presence shards, tracker
 *   and poller are built for all of them.
 * - `startup-100k-api-key`: `api-key create` with that file.
 * - `startup-100k-entra-group`: no knowledge worker in the YAML; one routing point whose members are an Entra group
 *   of 100,000 users on the emulator. First start on an empty database (time to /healthz, and until the log says
 *   the group's members were synced), then a restart that reads the stored membership.
 * Each start is run 3 times (median quoted). `STARTUP_RUNS` (read only here) changes that.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGraphEmulator } from '../src/dev/graph-emulator/graph-emulator.js';
import type { BenchFigure } from './run.js';

export const name = 'startup-100k';

const USERS = 100_000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const idOf = (i: number) => `3f2a1c00-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function yamlWithWorkers(presence: string): string {
  const lines = ['directory:', '  knowledgeWorkers:'];
  for (let i = 1; i <= USERS; i++) {
    lines.push(`    - id: ${idOf(i)}`, `      name: Worker ${i}`, `      email: worker${i}@contoso.example`);
    lines.push(`      skills: [{ name: ${['billing', 'legal', 'engineering'][i % 3]}, level: ${1 + (i % 9)} }]`);
  }
  lines.push('routing:', '  routingPoints:', '    - id: everyone', '      name: Everyone', '      members:');
  lines.push('        kind: static', '        ids:');
  for (let i = 1; i <= USERS; i++) lines.push(`          - ${idOf(i)}`);
  lines.push('      strategy: { kind: round-robin }');
  return `${lines.join('\n')}\n${presence}`;
}

function yamlWithGroup(presence: string): string {
  return [
    'routing:',
    '  routingPoints:',
    '    - id: everyone',
    '      name: Everyone',
    '      members: { kind: entra-group, groupId: 6a1f0000-0000-4000-8000-000000100000 }',
    '      strategy: { kind: round-robin }',
    presence,
  ].join('\n');
}

interface Started {
  readonly child: ChildProcess;
  readonly readyMs: number;
  readonly logs: string[];
  readonly spawnedAt: number;
}

/** Starts the connector and resolves once /healthz answers 200. */
async function startConnector(env: NodeJS.ProcessEnv, port: number): Promise<Started> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (d: string) => logs.push(d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => logs.push(d));
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`the connector exited during start-up:\n${logs.join('').slice(-2000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return { child, readyMs: performance.now() - spawnedAt, logs, spawnedAt };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopConnector(s: Started): Promise<void> {
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  s.child.kill('SIGINT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  if (s.child.exitCode === null) s.child.kill('SIGKILL');
}

/** Runs `uc-connector <args>`; resolves with its wall time and exit code. */
function cli(env: NodeJS.ProcessEnv, args: string[]): Promise<{ ms: number; code: number | null; out: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/uc-connector.js', ...args], { cwd: root, env, stdio: 'pipe' });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ ms: performance.now() - t0, code, out })));
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const s = (ms: number) => Math.round(ms / 10) / 100;

export async function run(): Promise<Record<string, BenchFigure>> {
  const runs = Number(process.env.STARTUP_RUNS ?? 3);
  const emu = await startGraphEmulator();
  const ids = Array.from({ length: USERS }, (_, i) => idOf(i + 1));
  emu.seedUsers(ids);
  emu.directory.setGroup('6a1f0000-0000-4000-8000-000000100000', ids);
  const dir = await mkdtemp(path.join(tmpdir(), 'startup-100k-'));
  try {
    const presence = [
      'presence:',
      `  tenantId: ${emu.identity.tenantId}`,
      `  authorityBaseUrl: ${emu.baseUrl}`,
      `  graphBaseUrl: ${emu.graphBaseUrl}`,
      '',
    ].join('\n');
    const workersFile = path.join(dir, 'workers.yaml');
    const groupFile = path.join(dir, 'group.yaml');
    await writeFile(workersFile, yamlWithWorkers(presence));
    await writeFile(groupFile, yamlWithGroup(presence));
    const baseEnv = (config: string, db: string): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOCAL_MODE: '0',
      MICROSOFT_APP_ID: '00000000-0000-0000-0000-0000000000aa',
      MICROSOFT_APP_PASSWORD: 'bench-secret',
      GRAPH_CLIENT_SECRET: 'bench-secret',
      CONNECTOR_CONFIG: config,
      DATABASE_URL: path.join(dir, db),
      LOG_LEVEL: 'info',
    });

    // The 100,000 in the YAML file.
    const yamlStarts: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = await startConnector(baseEnv(workersFile, `workers-${i}.db`), await freePort());
      yamlStarts.push(started.readyMs);
      await stopConnector(started);
    }
    const keyTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await cli(baseEnv(workersFile, 'workers-0.db'), ['api-key', 'create', '--contact-center', 'default']);
      if (r.code !== 0) throw new Error(`api-key create failed (${r.code}):\n${r.out}`);
      keyTimes.push(r.ms);
    }

    // The 100,000 in an Entra group: a first start on an empty database, then restarts with the stored members.
    const groupEnv = baseEnv(groupFile, 'group.db');
    const first = await startConnector(groupEnv, await freePort());
    for (;;) {
      if (first.logs.join('').includes('Entra group members synced')) break;
      if (performance.now() - first.spawnedAt > 300_000) throw new Error('the group was not synced within 300 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const syncedMs = performance.now() - first.spawnedAt;
    await stopConnector(first);
    const restarts: number[] = [];
    for (let i = 0; i < runs; i++) {
      const again = await startConnector(groupEnv, await freePort());
      restarts.push(again.readyMs);
      await stopConnector(again);
    }
    const target = '< 10 s';
    return {
      'startup-100k': {
        value: s(median(yamlStarts)),
        unit: 's from spawn to /healthz (median)',
        runsSeconds: yamlStarts.map(s),
        knowledgeWorkers: USERS,
        source: 'YAML file (about 20 MB), one routing point listing all, presence polling against the emulator',
        command: 'node --import tsx src/main.ts (npm start)',
        target,
      },
      'startup-100k-api-key': {
        value: s(median(keyTimes)),
        unit: 's for uc-connector api-key create (median)',
        runsSeconds: keyTimes.map(s),
        knowledgeWorkers: USERS,
        command: 'node bin/uc-connector.js api-key create --contact-center default',
        target: 'does not read the directory',
      },
      'startup-100k-entra-group': {
        value: s(median(restarts)),
        unit: 's from spawn to /healthz with the stored membership (median of restarts)',
        runsSeconds: restarts.map(s),
        firstStartSeconds: s(first.readyMs),
        firstSyncedSeconds: s(syncedMs),
        groupMembers: USERS,
        target,
      },
    };
  } finally {
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
}
