/**
 * Local mode: `npm start` without credentials. One command brings up the connector on SQLite under `./data`, the
 * Graph presence emulator with the sample directory (config/local.yaml), and the agent console, prints the URLs and
 * what to try, and stops everything it started on Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { type ConnectorApp, createApp } from '../app.js';
import { type ConfigFileText, formatProblem, readConfig } from '../config/read-config.js';
import { LOCAL_TENANT_ID, type LocalPresence, signInLocalSubscriber, startLocalPresence } from './local-presence.js';

/** The configuration file local mode runs with. */
export const LOCAL_CONFIG_PATH = 'config/local.yaml';

/** Whether `npm start` should run in local mode: no Microsoft credentials anywhere, and not switched off. */
export function isLocalMode(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.LOCAL_MODE === '0' || env.LOCAL_MODE === 'false') return false;
  if (env.LOCAL_MODE === '1' || env.LOCAL_MODE === 'true') return true;
  return !env.MICROSOFT_APP_ID && !env.GRAPH_CLIENT_SECRET && !env.CONNECTOR_CONFIG;
}

/** What local mode started. */
export interface LocalMode {
  readonly app: ConnectorApp;
  readonly baseUrl: string;
  readonly presence: LocalPresence;
  /** The agent key printed for the console (Kate Lewis). */
  readonly agentKey: string;
  /** Stops everything local mode started. */
  stop(): Promise<void>;
}

/** Options of {@link startLocalMode}. */
export interface LocalModeOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where progress and the banner go; default stdout. */
  readonly print?: ((line: string) => void) | undefined;
  readonly logger?: Logger | undefined;
}

/** Starts local mode. Throws with a readable message when a part cannot start (e.g. the port is taken). */
export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const port = Number(options.env.PORT ?? 3978);
  const host = options.env.HOST ?? '127.0.0.1';
  let handler: ConnectorApp['http'] | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) handler(req, res);
    else {
      res.writeHead(503, { 'retry-after': '1' }).end('starting');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `port ${port} is in use (another connector running?). Fix: stop it, or set PORT to a free port.`
            : err.message,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const baseUrl = `http://localhost:${port}`;
  print(`• connector listening on ${baseUrl}`);

  const presence = await startLocalPresence({ connectorBaseUrl: `http://127.0.0.1:${port}`, fastIntervalMs: 5_000 });
  print(`• Graph presence emulator on ${presence.emulator.baseUrl} (5 sample knowledge workers)`);
  const stopAll = async (app?: ConnectorApp) => {
    await app?.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await presence.close();
  };

  const file: ConfigFileText = {
    path: LOCAL_CONFIG_PATH,
    text: `${readFileSync(LOCAL_CONFIG_PATH, 'utf8')}${presence.yaml}
teams:
  allowedTenants: [${LOCAL_TENANT_ID}]
`,
  };
  const result = readConfig({ ...options.env, ...presence.env, CONNECTOR_CONFIG: LOCAL_CONFIG_PATH }, file);
  if (!result.ok) {
    await stopAll();
    throw new Error(
      `local mode's configuration has problems:\n${result.problems.map((p) => `  - ${formatProblem(p, LOCAL_CONFIG_PATH)}`).join('\n')}`,
    );
  }
  let app: ConnectorApp;
  try {
    app = await createApp(result.config, { logger: options.logger });
  } catch (err) {
    await stopAll();
    throw err;
  }
  handler = app.http;
  const delegated = app.presence?.delegated;
  if (delegated) await signInLocalSubscriber(presence.emulator, (a, onCode) => delegated.signIn(a, onCode));
  const agentKey = (
    await app.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'local mode console' })
  ).key;
  app.start();
  print(`• database ${app.database.location}`);
  return { app, baseUrl, presence, agentKey, stop: () => stopAll(app) };
}
