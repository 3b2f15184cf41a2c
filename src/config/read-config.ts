/**
 * `readConfig(env, file)`: the one place configuration is read. Pure: the caller passes the environment and the
 * configuration file's text (src/config/load-config.ts finds and reads it, and the files it names). Invalid
 * configuration gives errors that name the key, the line and the fix. The result is one typed slice per feature.
 */
import type { AgentApiOptions } from '../adapters/agent-api/agent-api-options.js';
import type { PresenceOptions } from '../adapters/graph/presence-options.js';
import type { HttpServerTimeouts } from '../adapters/http/http-server.js';
import { createServiceUrlPolicy } from '../adapters/teams/service-urls.js';
import type { TeamsOptions } from '../adapters/teams/teams-options.js';
import type { Escalation } from '../domain/escalation/voice-target.js';
import type { Directory, QueueEntry } from '../domain/routing/directory.js';
import type { Routing } from '../domain/routing/routing-point.js';
import { configFileSchema, type ScaleOutOptions } from './config-file-schema.js';
import type { ConfigProblem } from './config-problem.js';
import { envSchema } from './env-schema.js';
import { type ConfigFileText, parseConfigFile } from './read-config-file.js';
import { resolvePresence } from './resolve-presence.js';
import { omitSections, type SectionPath } from './yaml-sections.js';

export { type ConfigProblem, formatProblem } from './config-problem.js';
export type { ConfigFileText } from './read-config-file.js';

/** The connector's configuration: one resolved slice per feature. */
export interface Config {
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly publicBaseUrl: string | null;
    /** Limits on slow clients (`HTTP_HEADERS_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`, `HTTP_KEEP_ALIVE_TIMEOUT_MS`). */
    readonly timeouts: HttpServerTimeouts;
  };
  readonly database: { readonly url: string };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The configuration file's path as configured (`CONNECTOR_CONFIG`, default `config/connector.yaml`). */
  readonly configPath: string;
  /** Knowledge workers and agents (`directory`; empty without a file). */
  readonly directory: Directory;
  /** Routing points, the named-target preview timeout and the Entra group sync interval (`routing`). */
  readonly routing: Routing;
  /** Interaction queues for customer chats (`queues`). */
  readonly queues: readonly QueueEntry[];
  /** The agent side: contact centers, rate limits, webhooks, event streams, Entra tokens (`agentApi`). */
  readonly agentApi: AgentApiOptions;
  /** Voice targets: the default country code (`escalation`). */
  readonly escalation: Escalation;
  /** Replicas on one PostgreSQL database: leases and wake-ups (`scaleOut`; ignored on SQLite). */
  readonly scaleOut: ScaleOutOptions;
  /** The Teams bot (file settings + credentials from the environment); null when the file has no `teams` section. */
  readonly teams: TeamsOptions | null;
  /**
   * The presence engine (file settings + secrets from the environment); null when the file has no `presence`
   * section. The files it names are read by `loadConfigFiles` (src/config/config-files.ts).
   */
  readonly presence: PresenceOptions | null;
  /** `GET /metrics`: the bearer token scrapes must send, or null for an open endpoint. */
  readonly metrics: { readonly token: string | null };
}

/** The configuration, or every problem found (named by key, line and fix). */
export type ConfigResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/** What {@link readConfig} reads. */
export interface ReadConfigOptions {
  /**
   * False: skip the directory's knowledge workers and the routing points (`directory.knowledgeWorkers`, `routing`),
   * which may be 100,000 entries, for commands that never use them (`api-key`, `presence sign-in`). They come back
   * empty and unchecked; everything else is read and checked as usual. Default true.
   */
  readonly directory?: boolean;
}

/** The sections left out when the directory is not read. */
const DIRECTORY_SECTIONS: readonly SectionPath[] = [['directory', 'knowledgeWorkers'], ['routing']];

/** Reads configuration from the environment and the file's text (null: no file, every default). Pure. */
export function readConfig(
  env: Readonly<Record<string, string | undefined>>,
  configFile: ConfigFileText | null,
  options: ReadConfigOptions = {},
): ConfigResult {
  // Without the directory: its lines are cut before parsing (when the layout allows; else the whole file is read).
  const cut = configFile && options.directory === false ? omitSections(configFile.text, DIRECTORY_SECTIONS) : undefined;
  const file = configFile && cut !== undefined ? { path: configFile.path, text: cut } : configFile;
  const problems: ConfigProblem[] = [];
  const parsedEnv = envSchema.safeParse(env);
  if (!parsedEnv.success) {
    for (const issue of parsedEnv.error.issues) {
      const key = String(issue.path[0] ?? '');
      problems.push({ key, where: 'environment', line: null, message: issue.message, fix: envFix(key) });
    }
  }
  const configPath = parsedEnv.success
    ? parsedEnv.data.CONNECTOR_CONFIG
    : (env.CONNECTOR_CONFIG ?? 'config/connector.yaml');
  const fileResult = file ? parseConfigFile(file) : { ok: true as const, value: configFileSchema.parse({}) };
  if (!fileResult.ok) problems.push(...fileResult.problems);
  if (problems.length > 0 || !parsedEnv.success || !fileResult.ok) return { ok: false, problems };
  const e = parsedEnv.data;
  const f = fileResult.value;
  const presence = resolvePresence(f, e);
  if (!presence.ok) return { ok: false, problems: presence.problems };
  const teamsProblem = f.teams ? defaultServiceUrlProblem(f.teams, e.MICROSOFT_APP_ID) : null;
  if (teamsProblem) return { ok: false, problems: [teamsProblem] };
  return {
    ok: true,
    config: {
      server: {
        host: e.HOST,
        port: e.PORT,
        publicBaseUrl: e.PUBLIC_BASE_URL ?? null,
        timeouts: {
          headersMs: e.HTTP_HEADERS_TIMEOUT_MS,
          requestMs: e.HTTP_REQUEST_TIMEOUT_MS,
          keepAliveMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        },
      },
      database: { url: e.DATABASE_URL },
      logLevel: e.LOG_LEVEL,
      metrics: { token: e.METRICS_TOKEN ?? null },
      configPath,
      directory: f.directory,
      routing: f.routing,
      queues: f.queues,
      agentApi: f.agentApi,
      escalation: f.escalation,
      scaleOut: f.scaleOut,
      teams: f.teams
        ? {
            ...f.teams,
            botAppId: e.MICROSOFT_APP_ID,
            botAppPassword: e.MICROSOFT_APP_PASSWORD,
            botAppType: e.MICROSOFT_APP_TYPE,
            ...(e.MICROSOFT_APP_TENANT_ID ? { botTenantId: e.MICROSOFT_APP_TENANT_ID } : {}),
          }
        : null,
      presence: presence.value,
    },
  };
}

/**
 * With an app id, proactive installs write to `teams.defaultServiceUrl` with the bot's token: it must be on
 * `teams.allowedServiceUrls`. (Local mode sends to loopback service URLs only, whatever this says.)
 */
function defaultServiceUrlProblem(
  teams: Pick<TeamsOptions, 'defaultServiceUrl' | 'allowedServiceUrls'>,
  appId: string,
): ConfigProblem | null {
  if (appId.trim() === '') return null;
  const policy = createServiceUrlPolicy({ allowed: teams.allowedServiceUrls, localMode: false });
  if (policy.allows(teams.defaultServiceUrl)) return null;
  return {
    key: 'teams.defaultServiceUrl',
    where: 'file',
    line: null,
    message: `${teams.defaultServiceUrl} is not on teams.allowedServiceUrls (${policy.description})`,
    fix: 'set teams.defaultServiceUrl to your tenant’s Bot Connector service URL, or add its origin to teams.allowedServiceUrls',
  };
}

function envFix(key: string): string {
  switch (key) {
    case 'PORT':
      return 'set PORT to a TCP port number between 1 and 65535, or leave it unset for 3978';
    case 'DATABASE_URL':
      return 'set DATABASE_URL to a SQLite file path (default ./data/connector.db) or a postgres:// URL';
    case 'LOG_LEVEL':
      return 'set LOG_LEVEL to one of fatal, error, warn, info, debug, trace, silent';
    case 'MICROSOFT_APP_TYPE':
      return 'set MICROSOFT_APP_TYPE to MultiTenant, SingleTenant or UserAssignedMSI (as registered in Azure)';
    case 'MICROSOFT_APP_ID':
      return "set MICROSOFT_APP_ID to the bot's app id, or unset MICROSOFT_APP_PASSWORD for local mode (loopback only)";
    case 'PRESENCE_TOKEN_CACHE_KEY':
      return 'set PRESENCE_TOKEN_CACHE_KEY to 32 random bytes in base64 (openssl rand -base64 32)';
    case 'PUBLIC_BASE_URL':
      return 'set PUBLIC_BASE_URL to the https:// address where Teams and Graph reach this connector';
    case 'HTTP_HEADERS_TIMEOUT_MS':
    case 'HTTP_REQUEST_TIMEOUT_MS':
    case 'HTTP_KEEP_ALIVE_TIMEOUT_MS':
      return `set ${key} to a number of milliseconds (at least 100; the headers limit not above the request limit), or unset it`;
    case 'METRICS_TOKEN':
      return 'set METRICS_TOKEN to a random string of at least 16 characters, or unset it for an open /metrics';
    default:
      return `correct ${key} in the environment (see docs/configuration.md)`;
  }
}
