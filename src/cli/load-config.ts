/**
 * The configuration a CLI command runs with: read exactly as `npm start` reads it (the environment, and the file
 * named by CONNECTOR_CONFIG, default `config/connector.yaml`), relative paths resolved against the working
 * directory. Problems come back as the same lines startup prints.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, type ConfigFileText, formatProblem, readConfig } from '../config/read-config.js';
import type { CliIo } from './cli-io.js';

/** The configuration, or the lines saying why it cannot be used. */
export type LoadedConfig =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly lines: string[] };

/** Reads the connector's configuration for a command. */
export function loadConfig(io: CliIo): LoadedConfig {
  const named = io.env.CONNECTOR_CONFIG;
  const file = path.resolve(io.cwd, named ?? 'config/connector.yaml');
  let text: ConfigFileText | null = null;
  if (existsSync(file)) text = { path: named ?? 'config/connector.yaml', text: readFileSync(file, 'utf8') };
  else if (named) {
    return {
      ok: false,
      lines: [
        `CONNECTOR_CONFIG names ${named}, which does not exist. Fix: point CONNECTOR_CONFIG at your configuration file.`,
      ],
    };
  }
  const result = readConfig(io.env, text);
  if (!result.ok) {
    return {
      ok: false,
      lines: [
        `The configuration has ${result.problems.length} problem(s).`,
        ...result.problems.map((p) => `  - ${formatProblem(p, text?.path ?? 'config')}`),
      ],
    };
  }
  const url = result.config.database.url;
  const database = /^postgres(ql)?:\/\//.test(url) ? url : path.resolve(io.cwd, url);
  return { ok: true, config: { ...result.config, database: { url: database } } };
}
