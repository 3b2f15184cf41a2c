/**
 * Where the configuration comes from, in one place for `npm start` and every CLI command: the file named by
 * `--config` (CLI), else `CONNECTOR_CONFIG`, else `config/connector.yaml` (optional: without it, every default), read
 * and handed to `readConfig`, then the files it names (`loadConfigFiles`). `.env` is merged into the environment
 * before this, by run-mode.ts. Expected failures are values, split by cause: the file is missing or unreadable, or
 * the configuration is invalid.
 */
import { type LoadedConfig, loadConfigFiles, type ReadTextFile, readTextFileIn } from './config-files.js';
import { formatProblem } from './config-problem.js';
import { type Config, type ConfigFileText, readConfig } from './read-config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The configuration file used when neither `--config` nor `CONNECTOR_CONFIG` names one. */
export const DEFAULT_CONFIG_PATH = 'config/connector.yaml';

/** Where to look for the configuration. */
export interface ConfigSource {
  /** The environment, `.env` already merged beneath it. */
  readonly env: Env;
  /** A `--config <file>` flag: wins over `CONNECTOR_CONFIG`. */
  readonly configPath?: string | undefined;
  /**
   * Reads files; relative paths (the configuration file and the files it names) are its business. Default: relative
   * to the process's working directory ({@link readTextFileIn}).
   */
  readonly readFile?: ReadTextFile | undefined;
  /** False: the knowledge workers and routing points are not read (see `ReadConfigOptions.directory`). */
  readonly directory?: boolean | undefined;
}

/** Why the configuration file could not be read. */
export interface ConfigFileFailure {
  /** What named the file: the flag, the variable, or nothing (the default path). */
  readonly namedBy: '--config' | 'CONNECTOR_CONFIG' | null;
  readonly path: string;
  /** `missing`: a named file does not exist (the default path may be absent); `unreadable`: any other error. */
  readonly reason: 'missing' | 'unreadable';
  /** Node's error code for `unreadable` (`EACCES`, `EISDIR`, …). */
  readonly code?: string | undefined;
}

/** The configuration file found (or none, at the default path), or why it could not be read. */
export type FoundConfigFile =
  | {
      readonly ok: true;
      /** The file's path as shown to people and its text; null when the default file does not exist. */
      readonly file: ConfigFileText | null;
      /** The environment with `CONNECTOR_CONFIG` set to the `--config` flag, when there is one. */
      readonly env: Env;
    }
  | { readonly ok: false; readonly failure: ConfigFileFailure };

/** Finds and reads the configuration file. Only a named file must exist; the default one is optional. */
export function findConfigFile(source: ConfigSource): FoundConfigFile {
  const namedBy =
    source.configPath !== undefined ? '--config' : source.env.CONNECTOR_CONFIG ? 'CONNECTOR_CONFIG' : null;
  const path = source.configPath ?? (source.env.CONNECTOR_CONFIG || DEFAULT_CONFIG_PATH);
  const env = source.configPath !== undefined ? { ...source.env, CONNECTOR_CONFIG: source.configPath } : source.env;
  const readFile = source.readFile ?? readTextFileIn();
  try {
    return { ok: true, file: { path, text: readFile(path) }, env };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT')
      return namedBy === null
        ? { ok: true, file: null, env }
        : { ok: false, failure: { namedBy, path, reason: 'missing' } };
    return {
      ok: false,
      failure: { namedBy, path, reason: 'unreadable', code: typeof code === 'string' ? code : undefined },
    };
  }
}

/** A {@link ConfigFileFailure} as a line for people, with its fix. */
export function describeConfigFileFailure(f: ConfigFileFailure): string {
  if (f.reason === 'missing')
    return `${f.namedBy ?? 'The configuration'} names ${f.path}, which does not exist. Fix: point ${f.namedBy ?? 'CONNECTOR_CONFIG'} at your configuration file.`;
  const elsewhere = f.namedBy ? `, or point ${f.namedBy} at another file` : '';
  return `The configuration file ${f.path} cannot be read (${f.code ?? 'unknown error'}). Fix: let the connector's user read it${elsewhere}.`;
}

/** The configuration, or why not: one line per problem (with its fix), split by cause. */
export type ConfigLoad<C> =
  | {
      readonly ok: true;
      readonly config: C;
      /** The configuration file's path as shown, or null when there is none (every default). */
      readonly file: string | null;
    }
  | {
      readonly ok: false;
      /** `config-file`: the file could not be read; `invalid`: the configuration (or a file it names) is wrong. */
      readonly cause: 'config-file' | 'invalid';
      readonly lines: readonly string[];
      readonly file: string | null;
    };

/** Finds and reads the configuration file, then reads the configuration (without the files it names). */
export function readConfigFrom(source: ConfigSource): ConfigLoad<Config> {
  const found = findConfigFile(source);
  if (!found.ok)
    return {
      ok: false,
      cause: 'config-file',
      lines: [describeConfigFileFailure(found.failure)],
      file: found.failure.path,
    };
  const shown = found.file?.path ?? null;
  const result = readConfig(found.env, found.file, { directory: source.directory });
  if (!result.ok)
    return {
      ok: false,
      cause: 'invalid',
      lines: result.problems.map((p) => formatProblem(p, shown ?? 'config')),
      file: shown,
    };
  return { ok: true, config: result.config, file: shown };
}

/**
 * What the connector starts from: {@link readConfigFrom}, then the files the configuration names, read and checked
 * ({@link loadConfigFiles}): a missing rules file or a bad key is a configuration problem like any other.
 */
export function loadConfig(source: ConfigSource): ConfigLoad<LoadedConfig> {
  const read = readConfigFrom(source);
  if (!read.ok) return read;
  const loaded = loadConfigFiles(read.config, source.readFile ?? readTextFileIn());
  if (!loaded.ok)
    return {
      ok: false,
      cause: 'invalid',
      lines: loaded.problems.map((p) => formatProblem(p, read.file ?? 'config')),
      file: read.file,
    };
  return { ok: true, config: loaded.config, file: read.file };
}
