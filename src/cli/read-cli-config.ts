/**
 * Reads the connector's configuration for a CLI command exactly as `npm start` does: the environment plus the file
 * `CONNECTOR_CONFIG` names (default `config/connector.yaml`), through `readConfig`. Paths are resolved against the
 * command's working directory, so a SQLite `DATABASE_URL` names the same file the connector uses.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, type ConfigFileText, formatProblem, readConfig } from '../config/read-config.js';
import type { CliIo } from './cli-io.js';

/** The configuration, or every problem as a line for people (key, where, message, fix). */
export type CliConfig =
  | { readonly ok: true; readonly config: Config; readonly file: string | null }
  | { readonly ok: false; readonly problems: readonly string[]; readonly file: string | null };

/** Whether a `DATABASE_URL` is a SQLite file path (not PostgreSQL, not in-memory). */
export function isSqliteFile(url: string): boolean {
  return !/^postgres(ql)?:\/\//.test(url) && url !== ':memory:';
}

/** Reads the configuration; `configPath` (a `--config` flag) wins over `CONNECTOR_CONFIG`. */
export function readCliConfig(io: CliIo, configPath?: string): CliConfig {
  const named = configPath ?? io.env.CONNECTOR_CONFIG;
  const shown = named ?? 'config/connector.yaml';
  const absolute = path.resolve(io.cwd, shown);
  let file: ConfigFileText | null = null;
  if (existsSync(absolute)) file = { path: shown, text: readFileSync(absolute, 'utf8') };
  else if (named !== undefined)
    return {
      ok: false,
      file: shown,
      problems: [
        `${shown} does not exist. Fix: point ${configPath ? '--config' : 'CONNECTOR_CONFIG'} at your configuration file.`,
      ],
    };
  const result = readConfig({ ...io.env, ...(configPath ? { CONNECTOR_CONFIG: configPath } : {}) }, file);
  if (!result.ok)
    return { ok: false, file: file?.path ?? null, problems: result.problems.map((p) => formatProblem(p, shown)) };
  const url = result.config.database.url;
  const config: Config = isSqliteFile(url)
    ? { ...result.config, database: { url: path.resolve(io.cwd, url) } }
    : result.config;
  return { ok: true, config, file: file?.path ?? null };
}
