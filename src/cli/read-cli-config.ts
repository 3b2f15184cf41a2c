/**
 * The configuration a CLI command runs with, read exactly as `npm start` reads it (src/config/load-config.ts: the
 * environment, and the file `--config` or `CONNECTOR_CONFIG` names, default `config/connector.yaml`). Paths are
 * resolved against the command's working directory, so a SQLite `DATABASE_URL` names the same file the connector
 * uses. Problems come back as the same lines startup prints.
 */
import path from 'node:path';
import { type LoadedConfig, readTextFileIn } from '../config/config-files.js';
import { type ConfigLoad, type ConfigSource, loadConfig, readConfigFrom } from '../config/load-config.js';
import type { Config } from '../config/read-config.js';
import type { CliIo } from './cli-io.js';

/** The configuration, or every problem as a line for people (key, where, message, fix), split by cause. */
export type CliConfig<C extends Config | LoadedConfig = Config> =
  | { readonly ok: true; readonly config: C; readonly file: string | null }
  | {
      readonly ok: false;
      /** `config-file`: the file could not be read; `invalid`: the configuration (or a file it names) is wrong. */
      readonly cause: 'config-file' | 'invalid';
      readonly problems: readonly string[];
      readonly file: string | null;
    };

/** Whether a `DATABASE_URL` is a SQLite file path (not PostgreSQL, not in-memory). */
export function isSqliteFile(url: string): boolean {
  return !/^postgres(ql)?:\/\//.test(url) && url !== ':memory:';
}

/**
 * Reads the configuration for a command that uses neither the files it names nor the directory's knowledge workers
 * and routing points (`api-key`, `presence sign-in`): those sections are not even parsed, so a directory of 100,000
 * does not slow the command down, and come back empty. `configPath` (a `--config` flag) wins over `CONNECTOR_CONFIG`.
 */
export function readCliConfig(io: CliIo, configPath?: string): CliConfig<Config> {
  return inWorkingDirectory(io, readConfigFrom({ ...sourceOf(io, configPath), directory: false }));
}

/**
 * Reads the configuration and the files it names (rules, certificate, private key), as the connector does at
 * startup (`doctor`); `configPath` (a `--config` flag) wins over `CONNECTOR_CONFIG`.
 */
export function loadCliConfig(io: CliIo, configPath?: string): CliConfig<LoadedConfig> {
  return inWorkingDirectory(io, loadConfig(sourceOf(io, configPath)));
}

function sourceOf(io: CliIo, configPath: string | undefined): ConfigSource {
  return { env: io.env, configPath, readFile: readTextFileIn(io.cwd) };
}

function inWorkingDirectory<C extends Config | LoadedConfig>(io: CliIo, read: ConfigLoad<C>): CliConfig<C> {
  if (!read.ok) return { ok: false, cause: read.cause, problems: read.lines, file: read.file };
  const url = read.config.database.url;
  const config: C = isSqliteFile(url) ? { ...read.config, database: { url: path.resolve(io.cwd, url) } } : read.config;
  return { ok: true, config, file: read.file };
}
