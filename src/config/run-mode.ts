/**
 * How `npm start` runs, decided in one place: `.env` under the environment first, then local mode (the embedded
 * demo: emulated Graph, the Agents Playground as Teams, the agent console) when nothing names a real installation,
 * or the configured connector otherwise. `LOCAL_MODE=1` or `LOCAL_MODE=0` forces either.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import type { ConfigProblem } from './config-problem.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Variables that name a real installation: any of them set (and not empty) means `npm start` runs the configured
 * connector, unless `LOCAL_MODE=1` says otherwise.
 */
export const INSTALLATION_VARIABLES = [
  'MICROSOFT_APP_ID',
  'MICROSOFT_APP_PASSWORD',
  'GRAPH_CLIENT_SECRET',
  'CONNECTOR_CONFIG',
  'DATABASE_URL',
  'PUBLIC_BASE_URL',
] as const;

/** The environment with `.env`'s variables added beneath it (a variable already set wins), and what was read. */
export interface DotEnv {
  readonly env: Record<string, string | undefined>;
  /** The `.env` file read, or null when there is none. */
  readonly path: string | null;
}

/** Adds the variables of a `.env` text beneath `env`: the environment wins over the file. Pure. */
export function mergeDotEnv(env: Env, text: string): Record<string, string | undefined> {
  return { ...parseEnv(text), ...env };
}

/** Reads `<cwd>/.env` when it exists and merges it beneath `env` (see {@link mergeDotEnv}). */
export function loadDotEnv(env: Env, cwd: string): DotEnv {
  const path = resolve(cwd, '.env');
  if (!existsSync(path)) return { env: { ...env }, path: null };
  return { env: mergeDotEnv(env, readFileSync(path, 'utf8')), path };
}

const flag = z.enum(['1', '0', 'true', 'false']).optional();
const port = z.coerce.number().int().min(0).max(65_535);

/** Local mode's own settings (the connector's PORT, HOST and LOG_LEVEL are read by `readConfig`). */
export const runModeEnvSchema = z.object({
  /** `1`/`true` forces local mode, `0`/`false` forbids it; unset decides from {@link INSTALLATION_VARIABLES}. */
  LOCAL_MODE: flag,
  /** The Agents Playground's port in local mode (it picks a free one when this is taken). */
  PLAYGROUND_PORT: port.min(1).default(56150),
  /** The Graph emulator's port in local mode; 0 (default) is any free port. */
  GRAPH_EMULATOR_PORT: port.default(0),
  /** `production` never falls into local mode by default. */
  NODE_ENV: z.string().optional(),
});

/** How `npm start` runs. */
export type RunMode =
  | {
      readonly kind: 'local';
      /** Why: forced by LOCAL_MODE=1, or no installation variable set. */
      readonly reason: 'forced' | 'no-credentials';
      readonly playgroundPort: number;
      readonly emulatorPort: number;
      /** Installation variables that are set but ignored because LOCAL_MODE=1 forces local mode. */
      readonly ignored: readonly string[];
    }
  | { readonly kind: 'configured' };

/** The run mode, or the problems of its own variables (named with their fix, as `readConfig` does). */
export type RunModeResult =
  | { readonly ok: true; readonly mode: RunMode }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/** Decides how `npm start` runs from the environment (`.env` already merged). Pure. */
export function decideRunMode(env: Env): RunModeResult {
  const parsed = runModeEnvSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        return { key, where: 'environment', line: null, message: issue.message, fix: fixOf(key) };
      }),
    };
  }
  const e = parsed.data;
  const set = INSTALLATION_VARIABLES.filter((name) => (env[name] ?? '').trim() !== '');
  const local = (reason: 'forced' | 'no-credentials', ignored: readonly string[]): RunModeResult => ({
    ok: true,
    mode: { kind: 'local', reason, playgroundPort: e.PLAYGROUND_PORT, emulatorPort: e.GRAPH_EMULATOR_PORT, ignored },
  });
  if (e.LOCAL_MODE === '1' || e.LOCAL_MODE === 'true') return local('forced', set);
  if (e.LOCAL_MODE === '0' || e.LOCAL_MODE === 'false') return { ok: true, mode: { kind: 'configured' } };
  if (set.length > 0 || e.NODE_ENV === 'production') return { ok: true, mode: { kind: 'configured' } };
  return local('no-credentials', []);
}

function fixOf(key: string): string {
  switch (key) {
    case 'LOCAL_MODE':
      return 'set LOCAL_MODE to 1 (local mode) or 0 (the configured connector), or unset it to decide from the credentials';
    case 'PLAYGROUND_PORT':
      return 'set PLAYGROUND_PORT to a TCP port number between 1 and 65535, or unset it for 56150';
    case 'GRAPH_EMULATOR_PORT':
      return 'set GRAPH_EMULATOR_PORT to a TCP port number, or unset it (0) for any free port';
    default:
      return `correct ${key} in the environment (see docs/configuration.md)`;
  }
}
