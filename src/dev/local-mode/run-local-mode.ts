/**
 * `npm start` in local mode, in the terminal: says why local mode was chosen, starts it, and stops everything on
 * Ctrl-C (SIGINT) or SIGTERM, also while it is still starting, or when a part stops by itself. Resolves with the
 * process's exit code once everything it started has stopped.
 */
import type { RunMode } from '../../config/run-mode.js';
import { LocalModeError, LocalModeStopped, startLocalMode } from './local-mode.js';

type LocalRunMode = Extract<RunMode, { kind: 'local' }>;

/** Options of {@link runLocalMode}. */
export interface RunLocalModeOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly mode: LocalRunMode;
  readonly cwd: string;
  /** Whether a `.env` file was read. */
  readonly dotEnv: boolean;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs local mode until a stop signal or a failure; resolves with the exit code. */
export async function runLocalMode(o: RunLocalModeOptions): Promise<number> {
  o.out(whyLine(o.mode, o.dotEnv));
  for (const name of o.mode.ignored) o.out(`  (${name} is set but not used in local mode)`);
  const abort = new AbortController();
  let stopSignal: ((signal: string) => void) | undefined;
  const stopped = new Promise<string>((done) => {
    stopSignal = done;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (!abort.signal.aborted) o.out(`\n${signal}: stopping local mode…`);
    abort.abort();
    stopSignal?.(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const local = await startLocalMode({
      env: o.env,
      playgroundPort: o.mode.playgroundPort,
      emulatorPort: o.mode.emulatorPort,
      cwd: o.cwd,
      print: o.out,
      signal: abort.signal,
    });
    const outcome = await Promise.race([stopped.then(() => null), local.failed.then((message) => message)]);
    if (outcome !== null) o.err(`Local mode stops: ${outcome}.`);
    await local.stop();
    o.out('Local mode stopped: the connector, the Graph emulator and the Agents Playground are down.');
    return outcome === null ? 0 : 1;
  } catch (error) {
    if (error instanceof LocalModeStopped) {
      o.out('Local mode stopped before it had started.');
      return 0;
    }
    if (error instanceof LocalModeError) {
      o.err(`Local mode cannot start: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function whyLine(mode: LocalRunMode, dotEnv: boolean): string {
  const from = dotEnv ? 'the environment or .env' : 'the environment (no .env file)';
  return mode.reason === 'forced'
    ? 'Starting in local mode (LOCAL_MODE=1)…'
    : `Starting in local mode: ${from} names no installation (no MICROSOFT_APP_ID, GRAPH_CLIENT_SECRET, ` +
        'CONNECTOR_CONFIG or DATABASE_URL). Set LOCAL_MODE=0 to run config/connector.yaml instead.';
}
