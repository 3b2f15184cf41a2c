/**
 * A local installation for the admin commands' tests: the Graph emulator (knowing the Graph app's secret), the Bot
 * Connector emulator (knowing the bot's secret), the real connector listening on an ephemeral port with its SQLite
 * database, and a configuration file plus environment as an admin would write them. Each test varies one thing.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqlConversationReferenceStore } from '../../src/adapters/store/sql-teams-stores.js';
import { type ConnectorApp, createApp } from '../../src/app.js';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/main.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { type GraphEmulator, startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.js';
import { createLogger } from '../../src/logger.js';
import { loadTestConfig } from '../support/test-app.js';

export const TENANT = '00000000-0000-0000-0000-00000000e1e1';
export const GRAPH_APP = '11111111-2222-3333-4444-555555555555';
export const BOT_APP = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
export const ACCOUNT = 'svc-presence@contoso.example';
export const megan = { id: '6e7b768e-07e2-4810-8459-485f84f8f204', name: 'Megan Bowen' };
export const alex = { id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', name: 'Alex Wilber' };
export const bin = fileURLToPath(new URL('../../bin/uc-connector.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/graph/${name}`, import.meta.url));

/** What a test may change about the configuration file. */
export interface YamlOptions {
  readonly accounts?: readonly string[];
  /** Extra knowledge workers (beyond Megan and Alex), e.g. ones the bot has no conversation with. */
  readonly extraKnowledgeWorkers?: readonly { id: string; name: string }[];
  readonly notificationBaseUrl?: string;
  /** An Entra group feeding a second routing point, `group`. */
  readonly groupId?: string;
}

/** The running installation. */
export interface DoctorWorld {
  readonly graph: GraphEmulator;
  readonly bot: BotConnectorEmulator;
  readonly app: ConnectorApp;
  readonly dir: string;
  readonly connectorUrl: string;
  /** The environment an admin sets (secrets included). */
  readonly env: Record<string, string>;
  /** Writes a configuration file (the healthy one unless options say otherwise); returns its path. */
  writeConfig(options?: YamlOptions): string;
  close(): Promise<void>;
}

function yamlFor(
  world: { connectorUrl: string; graphAuthority: string; graphBase: string },
  o: YamlOptions = {},
): string {
  const kws = [megan, alex, ...(o.extraKnowledgeWorkers ?? [])];
  return `
directory:
  knowledgeWorkers:
${kws.map((kw) => `    - { id: "${kw.id}", name: "${kw.name}" }`).join('\n')}
routing:
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: static, ids: ["${megan.id}", "${alex.id}"] }
      strategy: { kind: round-robin }
${
  o.groupId
    ? `    - id: group
      name: Group
      members: { kind: entra-group, groupId: ${o.groupId} }
      strategy: { kind: round-robin }
`
    : ''
}teams:
  allowedTenants: ["${TENANT}"]
presence:
  tenantId: "${TENANT}"
  clientId: "${GRAPH_APP}"
  authorityBaseUrl: ${world.graphAuthority}
  graphBaseUrl: ${world.graphBase}
  poll: { fastIntervalMs: 600000, slowIntervalMs: 600000 }
  subscriptions:
    accounts: [${(o.accounts ?? [ACCOUNT]).join(', ')}]
    certificateFile: ${fixture('notification-cert.pem')}
    privateKeyFile: ${fixture('notification-key.pem')}
    certificateId: test-cert
    notificationBaseUrl: ${o.notificationBaseUrl ?? world.connectorUrl}
`;
}

/** Starts the emulators and the connector, with Megan and Alex in the directory and in Teams. */
export async function startDoctorWorld(): Promise<DoctorWorld> {
  const graph = await startGraphEmulator({ tenantId: TENANT });
  graph.identity.registerClient(GRAPH_APP, 'graph-secret');
  graph.seedUsers([megan.id, alex.id]);
  graph.directory.addUsers([
    { id: megan.id, displayName: megan.name },
    { id: alex.id, displayName: alex.name },
  ]);
  const bot = await startBotConnectorEmulator({ botCredentials: { appId: BOT_APP, password: 'bot-secret' } });
  let handler: ConnectorApp['http'] | undefined;
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const connectorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'ucc-doctor-'));
  const env: Record<string, string> = {
    DATABASE_URL: path.join(dir, 'connector.db'),
    GRAPH_CLIENT_SECRET: 'graph-secret',
    PRESENCE_TOKEN_CACHE_KEY: randomBytes(32).toString('base64'),
    MICROSOFT_APP_ID: BOT_APP,
    MICROSOFT_APP_PASSWORD: 'bot-secret',
    MICROSOFT_APP_TYPE: 'MultiTenant',
    LOG_LEVEL: 'silent',
  };
  const shape = { connectorUrl, graphAuthority: graph.baseUrl, graphBase: graph.graphBaseUrl };
  const writeConfig = (options?: YamlOptions) => {
    const file = path.join(dir, `connector-${randomBytes(4).toString('hex')}.yaml`);
    writeFileSync(file, yamlFor(shape, options));
    return file;
  };
  const app = await createApp(loadTestConfig(env, yamlFor(shape), 'connector.yaml'), {
    logger: createLogger('silent'),
  });
  handler = app.http;
  const references = createSqlConversationReferenceStore(app.database);
  for (const kw of [megan, alex])
    await references.put({
      userId: kw.id,
      tenantId: TENANT,
      serviceUrl: bot.serviceUrl,
      conversationId: `a:${kw.id}`,
      reference: {
        channelId: 'msteams',
        serviceUrl: bot.serviceUrl,
        conversation: { id: `a:${kw.id}`, conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' },
        user: { id: `29:${kw.id}`, name: kw.name, aadObjectId: kw.id },
        bot: { id: `28:${BOT_APP}`, name: 'UC Connector' },
      },
      updatedAt: Date.now(),
    });
  return {
    graph,
    bot,
    app,
    dir,
    connectorUrl,
    env,
    writeConfig,
    async close() {
      await app.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await bot.close();
      await graph.close();
    },
  };
}

/** An http:// address on which nothing listens (a port that was free a moment ago). */
export async function closedAddress(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** What a command run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `uc-connector <args>` in this process through the dispatcher, with the given environment; `onStdout` sees
 * the output as it is written.
 */
export async function runInProcess(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  onStdout?: (soFar: string) => void,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    env,
    cwd,
    stdout: {
      write: (t: string) => {
        stdout += t;
        onStdout?.(stdout);
      },
    },
    stderr: { write: (t: string) => (stderr += t) },
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

/**
 * Runs `node bin/uc-connector.js <args>` as a child process; `onStdout` sees the output as it arrives (to answer a
 * device code while the command waits).
 */
export function runBin(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  onStdout?: (soFar: string) => void,
): Promise<CliRun> {
  return new Promise((resolve) => {
    let stdout = '';
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, out, err) => {
        const code = error ? ((error as { code?: number }).code ?? -1) : 0;
        resolve({ code: typeof code === 'number' ? code : -1, stdout: out, stderr: err });
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
      onStdout?.(stdout);
    });
  });
}
