/**
 * Starts the Microsoft 365 Agents Playground (`@microsoft/m365agentsplayground`, a devDependency) as a child
 * process: headless (`TEAMSAPPTESTER_BROWSER=none`), pointed at the connector's `/api/messages`, with a
 * configuration file naming the signed-in user and tenant, telemetry off. Its web page is the Teams stand-in; its
 * mock Bot Connector answers at `<url>/_connector`. Used by `npm run playground` and the Playground's e2e test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** Options of {@link startAgentsPlayground}. */
export interface AgentsPlaygroundOptions {
  /** The bot endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  readonly botEndpoint: string;
  /** The Playground's port (default 56150; the Playground picks a random one when it is taken). */
  readonly port?: number;
  /** The Playground's configuration file (`.m365agentsplayground.yml` format: tenant, signed-in user, bot). */
  readonly configPath: string;
  /** Where the Playground writes its log (default `./devTools/m365agentsplayground.log` under `cwd`). */
  readonly logFile?: string;
  /** The child's working directory (default the current one). */
  readonly cwd?: string;
  /** Receives the Playground's output lines (default: dropped). */
  readonly onOutput?: (line: string) => void;
  /** How long to wait for the Playground to listen (default 60 s). */
  readonly startTimeoutMs?: number;
}

/** A running Playground. */
export interface AgentsPlayground {
  /** The web page, e.g. `http://localhost:56150/`. */
  readonly url: string;
  /** The mock Bot Connector's service URL, e.g. `http://localhost:56150/_connector`. */
  readonly serviceUrl: string;
  /** The child process. */
  readonly process: ChildProcess;
  /** Stops the Playground and every process it started (its process group); resolves once it has exited. */
  close(): Promise<void>;
}

/** The Playground's CLI script, resolved from the installed package. */
export function agentsPlaygroundCli(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@microsoft/m365agentsplayground/package.json')), 'cli.js');
}

/** Starts the Playground and resolves once it listens. */
export async function startAgentsPlayground(options: AgentsPlaygroundOptions): Promise<AgentsPlayground> {
  const port = options.port ?? 56150;
  const child = spawn(
    process.execPath,
    [agentsPlaygroundCli(), '--app-endpoint', options.botEndpoint, '--port', String(port), '--disable-telemetry'],
    {
      cwd: options.cwd,
      // Its own process group, so that close() ends everything it started.
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        BOT_ENDPOINT: options.botEndpoint,
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: resolve(options.configPath),
        ...(options.logFile ? { M365_AGENTS_PLAYGROUND_LOGFILE: resolve(options.logFile) } : {}),
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGTERM');
        else child.kill('SIGTERM');
      } catch {
        // Already gone.
      }
      const killer = setTimeout(() => {
        try {
          if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          // Already gone.
        }
      }, 5000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    const listening = await waitForListening(child, options);
    const url = `http://localhost:${listening}/`;
    await waitForPage(child, `http://127.0.0.1:${listening}/`, options);
    return { url, serviceUrl: `http://localhost:${listening}/_connector`, process: child, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Resolves once the page answers. The Playground reads its configuration file after it starts listening and exits
 * when the file is invalid (the reason goes to its log file, named in the error).
 */
async function waitForPage(child: ChildProcess, url: string, options: AgentsPlaygroundOptions): Promise<void> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const where = options.logFile ?? join(options.cwd ?? '.', 'devTools', 'm365agentsplayground.log');
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the Agents Playground stopped (is ${options.configPath} valid?); its log: ${resolve(where)}`);
    }
    const answered = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (answered) return;
  }
  throw new Error(`the Agents Playground did not answer at ${url}; its log: ${resolve(where)}`);
}

/** Resolves with the port from the Playground's `Listening on <port>` line. */
function waitForListening(child: ChildProcess, options: AgentsPlaygroundOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const timer = setTimeout(
      () => reject(new Error(`the Agents Playground did not start: ${output.slice(-5).join(' | ')}`)),
      options.startTimeoutMs ?? 60_000,
    );
    const onLine = (chunk: Buffer) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        output.push(line);
        options.onOutput?.(line);
        const match = /Listening on (\d+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    };
    child.stdout?.on('data', onLine);
    child.stderr?.on('data', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Agents Playground exited (${code}): ${output.slice(-5).join(' | ')}`));
    });
  });
}
