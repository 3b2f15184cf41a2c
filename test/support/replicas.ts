/**
 * Replicas as separate processes for the replica tests and the scale-out benchmark: each runs `src/main.ts` (the
 * real `npm start`) with its own PORT on one PostgreSQL database; the Bot Connector emulator, started by the
 * caller, is Teams. Also an SSE reader that keeps collecting, Teams activities for an expert, and a poll helper.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The tenant the emulated Teams activities come from. */
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** One replica process. */
export interface Replica {
  readonly name: string;
  readonly base: string;
  readonly child: ChildProcess;
  /** Everything it wrote (JSON log lines and errors). */
  readonly output: string[];
  /** SIGKILL: a crash, nothing is cleaned up. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop. */
  stop(): Promise<void>;
}

const live = new Set<Replica>();

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  return port;
}

/** Writes a configuration file to a temp directory; returns its path. */
export function writeConfig(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ucc-replica-')), 'connector.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `deadlineMs` naming `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  deadlineMs = 60_000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `src/main.ts` as a child process and waits until `/readyz` answers. */
export async function startReplica(
  name: string,
  env: { readonly DATABASE_URL: string; readonly CONNECTOR_CONFIG: string; readonly [name: string]: string },
): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
  const exited = once(child, 'exit');
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
    live.delete(replica);
  };
  const replica: Replica = {
    name,
    base: `http://127.0.0.1:${port}`,
    child,
    output,
    kill: () => signal('SIGKILL'),
    stop: async () => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await signal('SIGTERM');
      clearTimeout(timer);
    },
  };
  live.add(replica);
  try {
    await eventually(`replica ${name} to be ready`, async () => {
      if (child.exitCode !== null) throw new Error(`replica ${name} exited: ${output.join('')}`);
      const res = await fetch(`${replica.base}/readyz`).catch(() => null);
      return res?.ok === true;
    });
  } catch (error) {
    await replica.kill();
    throw error;
  }
  return replica;
}

/** The replica id a replica's process holds leases under (`<host>/<pid>/<random>`) matches this replica. */
export function isReplica(replica: Replica, replicaId: string): boolean {
  return replicaId.split('/')[1] === String(replica.child.pid);
}

/** Kills every replica still running (for afterEach/afterAll). */
export async function killAllReplicas(): Promise<void> {
  await Promise.all([...live].map((r) => r.kill()));
}

/** A Teams activity from the fixtures, from expert `user` in their personal chat with the bot. */
export function teamsActivity(
  fixture: string,
  serviceUrl: string,
  user: { id: string; name: string },
  patch: Record<string, unknown> = {},
): Record<string, unknown> {
  const a = JSON.parse(readFileSync(path.join(root, 'test/fixtures/teams', `${fixture}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
  return {
    ...a,
    serviceUrl,
    from: { id: `29:${user.id}`, name: user.name, aadObjectId: user.id },
    conversation: { conversationType: 'personal', tenantId: TENANT, id: `a:${user.id}` },
    channelData: { tenant: { id: TENANT } },
    ...patch,
  };
}

/** The Accept (or Decline) of a preview card, as Teams invokes it. */
export function cardAction(
  serviceUrl: string,
  user: { id: string; name: string },
  verb: 'accept' | 'decline',
  data: { interactionId: string; invitationId: string },
): Record<string, unknown> {
  return teamsActivity('invoke-adaptive-card-action', serviceUrl, user, {
    id: `f:${data.interactionId}/${data.invitationId}/${verb}`,
    value: { action: { type: 'Action.Execute', title: verb, verb, data }, trigger: 'manual' },
  });
}

/** POSTs an activity to a replica's bot endpoint. */
export async function postActivity(base: string, activity: Record<string, unknown>): Promise<Response> {
  return fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
}

/** The SSE stream reader (every event checked against the served AsyncAPI document). */
export { openStream, type SseEvent, type SseStream } from './event-readers.js';

/**
 * Schemas of their own on the test server, for replicas sharing one database: `fresh()` creates one (a random name:
 * other suites share the server) and answers its URL; `dropAll()` drops every one created so far.
 */
export function replicaSchemas(server: string | undefined) {
  const created: string[] = [];
  const admin = async (work: (client: pg.Client) => Promise<void>) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    async fresh(): Promise<string> {
      const schema = `r_${randomUUID().replaceAll('-', '')}`;
      await admin((c) => c.query(`create schema ${schema}`).then(() => undefined));
      created.push(schema);
      const url = new URL(server ?? '');
      url.searchParams.set('options', `-c search_path=${schema}`);
      return url.toString();
    },
    dropAll: () =>
      admin(async (c) => {
        for (const s of created.splice(0)) await c.query(`drop schema if exists ${s} cascade`);
      }),
  };
}
