/**
 * Local mode: `npm start` without credentials. Brings up, in order, the connector's HTTP server, the Graph presence
 * emulator with the sample directory, the connector against it (config/local.yaml, SQLite under ./data, webhook
 * receivers on this machine allowed), the subscriber sign-in, an agent key for Kate Lewis, and the Microsoft 365
 * Agents Playground signed in as Megan Bowen. A part that cannot start stops those already started, and the error says which part and what to do.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { createHttpServer } from '../../adapters/http/http-server.js';
import { type ConnectorApp, createApp } from '../../app.js';
import { type LoadedConfig, loadConfigFiles, readTextFileIn } from '../../config/config-files.js';
import { formatProblem, readConfig } from '../../config/read-config.js';
import { createLogger } from '../../logger.js';
import {
  type AgentsPlayground,
  agentsPlaygroundCli,
  startAgentsPlayground,
} from '../agents-playground/agents-playground.js';
import { signInLocalSubscriber, startLocalPresence } from '../local-presence.js';
import { localBanner } from './local-banner.js';

/** The files local mode uses, relative to the working directory. */
export const LOCAL_FILES = {
  config: 'config/local.yaml',
  playgroundConfig: 'config/agents-playground.local.yml',
  /** Recreated at every start: each run begins with an empty database. */
  database: 'data/local-mode.db',
  log: 'data/local-mode.log',
  playgroundLog: 'data/agents-playground.log',
} as const;

/** Local mode runs on one machine: webhook receivers there (localhost) are allowed. */
const localWebhooksYaml = '\nagentApi:\n  webhooks:\n    allowPrivateTargets: true\n';

/** Megan Bowen, the knowledge worker the Playground is signed in as (config/local.yaml). */
export const LOCAL_EXPERT_ID = '6e7b768e-07e2-4810-8459-485f84f8f204';

/** A part of local mode could not start; the message names it and the fix. */
export class LocalModeError extends Error {}

/** Stopping was asked for while local mode was starting; what had started is stopped. */
export class LocalModeStopped extends Error {}

/** Options of {@link startLocalMode}. */
export interface LocalModeOptions {
  /** The environment (`.env` merged): PORT, HOST (default 127.0.0.1), LOG_LEVEL and METRICS_TOKEN are used. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly playgroundPort: number;
  /** The Graph emulator's port; 0 for any free one. */
  readonly emulatorPort: number;
  /** The project directory: config files are read and ./data written there. */
  readonly cwd: string;
  /** Progress lines and the banner. */
  readonly print: (line: string) => void;
  /** Aborted when the user stops local mode while it starts. */
  readonly signal?: AbortSignal | undefined;
}

/** Local mode, running. */
export interface LocalMode {
  readonly connectorUrl: string;
  readonly playgroundUrl: string;
  /** Kate Lewis's agent key, made for this run (printed in the banner, never logged). */
  readonly agentKey: string;
  /** A platform key of the default contact center, made for this run (printed in the banner, never logged). */
  readonly platformKey: string;
  readonly app: ConnectorApp;
  /** Resolves with a message when a part stops by itself (the Playground exits). */
  readonly failed: Promise<string>;
  /** Stops everything local mode started; resolves when all of it has stopped. */
  stop(): Promise<void>;
}

interface Part {
  readonly name: string;
  close(): Promise<void>;
}

/** Starts local mode and prints the banner. Throws {@link LocalModeError} when a part cannot start. */
export async function startLocalMode(o: LocalModeOptions): Promise<LocalMode> {
  const parts: Part[] = [];
  const closeAll = async () => {
    for (let part = parts.pop(); part; part = parts.pop()) {
      await part.close().catch((error: unknown) => o.print(`  could not stop ${part?.name}: ${messageOf(error)}`));
    }
  };
  const checkpoint = () => {
    if (o.signal?.aborted) throw new LocalModeStopped('stopped while starting');
  };
  try {
    const running = await startParts(o, parts, checkpoint);
    let stopping = false;
    const failed = new Promise<string>((done) =>
      running.playground.process.once('exit', (code, signal) => {
        if (!stopping)
          done(
            `the Agents Playground stopped unexpectedly (${signal ?? `exit code ${code}`}); its log: ${LOCAL_FILES.playgroundLog}`,
          );
      }),
    );
    for (const line of localBanner({
      connectorUrl: running.connectorUrl,
      playgroundUrl: running.playground.url,
      graphUrl: running.graphUrl,
      agentKey: running.agentKey,
      platformKey: running.platformKey,
      logFile: LOCAL_FILES.log,
      playgroundLogFile: LOCAL_FILES.playgroundLog,
    }))
      o.print(line);
    return {
      connectorUrl: running.connectorUrl,
      playgroundUrl: running.playground.url,
      agentKey: running.agentKey,
      platformKey: running.platformKey,
      app: running.app,
      failed,
      stop: async () => {
        stopping = true;
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

interface Running {
  readonly connectorUrl: string;
  readonly graphUrl: string;
  readonly app: ConnectorApp;
  readonly agentKey: string;
  readonly platformKey: string;
  readonly playground: AgentsPlayground;
}

async function startParts(o: LocalModeOptions, parts: Part[], checkpoint: () => void): Promise<Running> {
  const at = (file: string) => resolve(o.cwd, file);
  for (const file of [LOCAL_FILES.config, LOCAL_FILES.playgroundConfig])
    if (!existsSync(at(file)))
      throw new LocalModeError(`${file} is missing in ${o.cwd}. Fix: run npm start in the project's directory.`);
  const env = connectorEnv(o.env, at(LOCAL_FILES.database));
  const settings = readConfig(env, null);
  if (!settings.ok) throw configError(settings.problems, 'environment');
  const { port, host, timeouts } = settings.config.server;
  const connectorUrl = `http://localhost:${port}`;

  let handler: ConnectorApp['http'] | undefined;
  const server = createHttpServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503, { 'retry-after': '1' }).end('starting');
  }, timeouts);
  await listen(server, port, host);
  const closeServer = once(() => {
    server.closeAllConnections();
    return new Promise<void>((done) => server.close(() => done()));
  });
  parts.push({ name: 'the connector', close: closeServer });
  // Only once the port is ours: another local mode still running on it keeps its database.
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(`${at(LOCAL_FILES.database)}${suffix}`, { force: true });
  mkdirSync(at('data'), { recursive: true });
  o.print(`• connector listening on ${connectorUrl} (database ${LOCAL_FILES.database}, log ${LOCAL_FILES.log})`);
  checkpoint();

  const presence = await startLocalPresence({
    connectorBaseUrl: `http://127.0.0.1:${port}`,
    port: o.emulatorPort,
    fastIntervalMs: 5_000,
    // An expert who accepts shows Busy/InACall in the emulator (as Teams would show it), with a status message.
    // Agents' states reported through the API show on the emulator's users too (Kate Lewis uses Teams).
    write: 'experts: { statusMessage: "Helping a customer" }, agents: {}',
  }).catch((error: unknown) => {
    throw new LocalModeError(
      isAddressInUse(error)
        ? `the Graph emulator's port ${o.emulatorPort} is in use. Fix: set GRAPH_EMULATOR_PORT to a free port, or unset it for any free port.`
        : `the Graph emulator did not start: ${messageOf(error)}`,
    );
  });
  parts.push({ name: 'the Graph emulator', close: () => presence.close() });
  const graphUrl = presence.emulator.baseUrl;
  o.print(`• Graph presence emulator on ${graphUrl}: 5 sample experts with varied presence`);
  checkpoint();

  const file = {
    path: LOCAL_FILES.config,
    text: readFileSync(at(LOCAL_FILES.config), 'utf8') + presence.yaml + localWebhooksYaml,
  };
  const result = readConfig({ ...env, ...presence.env }, file);
  const loaded = result.ok ? loadConfigFiles(result.config, readTextFileIn(o.cwd)) : result;
  if (!loaded.ok) throw configError(loaded.problems, LOCAL_FILES.config);
  const app = await createLocalApp(loaded.config, at(LOCAL_FILES.log));
  parts.push({
    name: 'the connector',
    close: async () => {
      await closeServer();
      await app.stop();
    },
  });
  handler = app.http;
  const delegated = app.presence?.delegated;
  if (delegated) await signInLocalSubscriber(presence.emulator, (a, onCode) => delegated.signIn(a, onCode));
  const { key: agentKey } = await app.agentSide.keys.create({
    contactCenter: 'default',
    agentId: 'agent-kate',
    label: 'local mode: Kate Lewis',
  });
  const { key: platformKey } = await app.agentSide.keys.create({
    contactCenter: 'default',
    agentId: null,
    label: 'local mode: platform',
  });
  app.start();
  const state = await waitForReady(app, LOCAL_EXPERT_ID, 30_000);
  o.print(
    state === 'Ready'
      ? '• subscriber account signed in; Megan Bowen is Ready'
      : `• subscriber account signed in; Megan Bowen is not Ready yet (${state}): the console shows her state as it changes`,
  );
  checkpoint();

  o.print('• starting the Microsoft 365 Agents Playground (takes a few seconds)…');
  const playground = await startPlayground(o, port);
  parts.push({ name: 'the Agents Playground', close: () => playground.close() });
  o.print(`• Agents Playground (pid ${playground.process.pid}) on ${playground.url}`);
  checkpoint();
  return { connectorUrl, graphUrl, app, agentKey, platformKey, playground };
}

/** The connector's environment in local mode: no credentials, loopback by default, the local database. */
function connectorEnv(
  env: Readonly<Record<string, string | undefined>>,
  database: string,
): Record<string, string | undefined> {
  const kept: Record<string, string | undefined> = {
    HOST: env.HOST ?? '127.0.0.1',
    DATABASE_URL: database,
    CONNECTOR_CONFIG: LOCAL_FILES.config,
  };
  const passed = [
    'PORT',
    'LOG_LEVEL',
    'METRICS_TOKEN',
    'HTTP_HEADERS_TIMEOUT_MS',
    'HTTP_REQUEST_TIMEOUT_MS',
    'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  ] as const;
  for (const name of passed) if (env[name] !== undefined) kept[name] = env[name];
  return kept;
}

async function createLocalApp(config: LoadedConfig, logFile: string): Promise<ConnectorApp> {
  const logger = createLogger(config.logLevel, pino.destination({ dest: logFile, mkdir: true, sync: true }));
  try {
    return await createApp(config, { logger });
  } catch (error) {
    throw new LocalModeError(`the connector did not start: ${messageOf(error)}`);
  }
}

async function startPlayground(o: LocalModeOptions, port: number): Promise<AgentsPlayground> {
  try {
    agentsPlaygroundCli();
  } catch {
    throw new LocalModeError(
      'the Microsoft 365 Agents Playground (@microsoft/m365agentsplayground, a devDependency) is not installed. ' +
        'Fix: run npm install (without --omit=dev).',
    );
  }
  try {
    return await startAgentsPlayground({
      botEndpoint: `http://127.0.0.1:${port}/api/messages`,
      port: o.playgroundPort,
      configPath: resolve(o.cwd, LOCAL_FILES.playgroundConfig),
      logFile: resolve(o.cwd, LOCAL_FILES.playgroundLog),
      // It writes its working files (devTools/) under its working directory: keep them in ./data.
      cwd: join(o.cwd, 'data'),
    });
  } catch (error) {
    // The launcher's errors start with "the Agents Playground …" and mostly name its log already.
    const message = messageOf(error);
    throw new LocalModeError(/its log:/.test(message) ? message : `${message}; its log: ${LOCAL_FILES.playgroundLog}`);
  }
}

/** Polls the presence engine until the knowledge worker is Ready; returns the last state seen. */
async function waitForReady(app: ConnectorApp, id: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  let state = app.presence?.stateOf(id).kind ?? 'Unknown';
  while (state !== 'Ready' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    state = app.presence?.stateOf(id).kind ?? 'Unknown';
  }
  return state;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', (error) =>
      fail(
        new LocalModeError(
          isAddressInUse(error)
            ? `port ${port} is in use (another connector running?). Fix: stop it, or set PORT to a free port (PORT=3979 npm start).`
            : `the connector cannot listen on ${host}:${port}: ${messageOf(error)}. Fix: set HOST and PORT.`,
        ),
      ),
    );
    server.listen(port, host, () => done());
  });
}

function configError(problems: Parameters<typeof formatProblem>[0][], where: string): LocalModeError {
  return new LocalModeError(
    `local mode's configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${formatProblem(p, where)}`).join('\n')}`,
  );
}

function once(run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= run();
    return done;
  };
}

function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
