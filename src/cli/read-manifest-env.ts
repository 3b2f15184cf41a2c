/**
 * Reads the Teams app package inputs from environment variables. The one place the `manifest` command looks at
 * the environment; the config module will absorb it.
 */
import type { ManifestOptionsInput } from './manifest/manifest-options.js';

/** Environment variables the package reads, and the input each fills. */
export const manifestEnvNames = {
  botId: 'MICROSOFT_APP_ID',
  teamsAppId: 'TEAMS_APP_ID',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  name: 'TEAMS_APP_NAME',
  version: 'TEAMS_APP_VERSION',
} as const satisfies Partial<Record<keyof ManifestOptionsInput, string>>;

/**
 * Maps `MICROSOFT_APP_ID` (bot id), `TEAMS_APP_ID` (defaults to the bot id), `PUBLIC_BASE_URL`, `TEAMS_APP_NAME`
 * and `TEAMS_APP_VERSION` onto package inputs. Empty values count as unset. Nothing is validated here.
 */
export function readManifestEnv(env: Readonly<Record<string, string | undefined>>): Partial<ManifestOptionsInput> {
  const input: Partial<Record<keyof typeof manifestEnvNames, string>> = {};
  for (const [key, name] of Object.entries(manifestEnvNames) as [keyof typeof manifestEnvNames, string][]) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') input[key] = value;
  }
  return input;
}
