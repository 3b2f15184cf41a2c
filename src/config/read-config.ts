/**
 * `readConfig(env, file)`: the one place configuration is read. Pure: the caller passes the environment and the
 * configuration file's text. Invalid configuration gives errors that name the key, the line and the fix.
 */
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { PresenceOptions } from '../adapters/graph/presence-options.js';
import type { TeamsOptions } from '../adapters/teams/teams-options.js';
import { type ConfigFile, configFileSchema } from './config-file-schema.js';
import { envSchema } from './env-schema.js';

/** The connector's configuration. */
export interface Config {
  readonly server: { readonly host: string; readonly port: number; readonly publicBaseUrl: string | null };
  readonly database: { readonly url: string };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly configPath: string;
  readonly file: ConfigFile;
  /** The Teams bot (file settings + credentials from the environment); null when the file has no `teams` section. */
  readonly teams: TeamsOptions | null;
  /** The presence engine (file settings + secrets from the environment); null when the file has no `presence` section. */
  readonly presence: PresenceOptions | null;
  /** `GET /metrics`: the bearer token scrapes must send, or null for an open endpoint. */
  readonly metrics: { readonly token: string | null };
}

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** `PORT`, or `routingPoints[0].members[2]` in the file. */
  readonly key: string;
  readonly where: 'environment' | 'file';
  readonly line: number | null;
  readonly message: string;
  readonly fix: string;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/** The configuration file as read by the caller. */
export interface ConfigFileText {
  readonly path: string;
  readonly text: string;
}

/** Reads configuration from the environment and the file's text. */
export function readConfig(
  env: Readonly<Record<string, string | undefined>>,
  file: ConfigFileText | null,
): ConfigResult {
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
  const fileResult = file ? readFile(file) : { ok: true as const, value: configFileSchema.parse({}) };
  if (!fileResult.ok) problems.push(...fileResult.problems);
  if (problems.length > 0 || !parsedEnv.success || !fileResult.ok) return { ok: false, problems };
  const e = parsedEnv.data;
  const presence = resolvePresence(fileResult.value, e);
  if (!presence.ok) return { ok: false, problems: presence.problems };
  return {
    ok: true,
    config: {
      server: { host: e.HOST, port: e.PORT, publicBaseUrl: e.PUBLIC_BASE_URL ?? null },
      database: { url: e.DATABASE_URL },
      logLevel: e.LOG_LEVEL,
      metrics: { token: e.METRICS_TOKEN ?? null },
      configPath,
      file: fileResult.value,
      teams: fileResult.value.teams
        ? {
            ...fileResult.value.teams,
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

type Env = z.output<typeof envSchema>;

/** The presence section with its secrets, or the problems of a section that cannot work. */
function resolvePresence(
  file: ConfigFile,
  e: Env,
): { ok: true; value: PresenceOptions | null } | { ok: false; problems: ConfigProblem[] } {
  const p = file.presence;
  if (!p) return { ok: true, value: null };
  const problems: ConfigProblem[] = [];
  const need = (key: string, message: string, fix: string, where: 'environment' | 'file' = 'environment') =>
    problems.push({ key, where, line: null, message, fix });
  const clientId = p.clientId ?? e.MICROSOFT_APP_ID;
  if (!clientId)
    need(
      'presence.clientId',
      'the presence engine needs the Graph app registration id',
      "set presence.clientId, or MICROSOFT_APP_ID when the bot's registration also holds the Graph permissions",
      'file',
    );
  if (!e.GRAPH_CLIENT_SECRET)
    need(
      'GRAPH_CLIENT_SECRET',
      'the presence section is configured but the Graph client secret is missing',
      "set GRAPH_CLIENT_SECRET to the app registration's client secret (in .env or the service's environment)",
    );
  let subscriptions: PresenceOptions['subscriptions'] = null;
  if (p.subscriptions) {
    const notificationBaseUrl = p.subscriptions.notificationBaseUrl ?? e.PUBLIC_BASE_URL;
    if (!notificationBaseUrl)
      need(
        'presence.subscriptions.notificationBaseUrl',
        'change notifications need a public address Graph can post to',
        'set PUBLIC_BASE_URL (or presence.subscriptions.notificationBaseUrl) to the connector’s https:// address',
        'file',
      );
    if (!e.PRESENCE_TOKEN_CACHE_KEY)
      need(
        'PRESENCE_TOKEN_CACHE_KEY',
        "subscriber accounts' tokens are kept encrypted and the key is missing",
        'set PRESENCE_TOKEN_CACHE_KEY to 32 random bytes in base64 (openssl rand -base64 32)',
      );
    if (notificationBaseUrl && e.PRESENCE_TOKEN_CACHE_KEY)
      subscriptions = {
        ...p.subscriptions,
        notificationBaseUrl: notificationBaseUrl.replace(/\/+$/, ''),
        tokenCacheKey: e.PRESENCE_TOKEN_CACHE_KEY,
      };
  }
  if (problems.length > 0 || !e.GRAPH_CLIENT_SECRET) return { ok: false, problems };
  const { clientId: _c, jwksUrl, subscriptions: _s, ...rest } = p;
  return {
    ok: true,
    value: {
      ...rest,
      clientId,
      clientSecret: e.GRAPH_CLIENT_SECRET,
      jwksUrl: jwksUrl ?? `${p.authorityBaseUrl.replace(/\/+$/, '')}/common/discovery/v2.0/keys`,
      subscriptions,
    },
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
    case 'METRICS_TOKEN':
      return 'set METRICS_TOKEN to a random string of at least 16 characters, or unset it for an open /metrics';
    default:
      return `correct ${key} in the environment (see docs/configuration.md)`;
  }
}

type FileRead = { ok: true; value: ConfigFile } | { ok: false; problems: ConfigProblem[] };

function readFile(file: ConfigFileText): FileRead {
  const lines = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((err) => ({
        key: '(file)',
        where: 'file',
        line: err.linePos?.[0]?.line ?? lines.linePos(err.pos[0]).line,
        message: `${file.path} is not valid YAML: ${err.message.split('\n')[0]}`,
        fix: 'fix the YAML syntax at that line (indentation, a missing colon or quote)',
      })),
    };
  }
  const raw = doc.toJS() ?? {};
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => fileProblem(issue, doc, lines)) };
  }
  const cross = crossCheck(parsed.data);
  if (cross.length > 0) {
    return { ok: false, problems: cross.map((c) => ({ ...c, where: 'file', line: lineOf(doc, lines, c.path) })) };
  }
  return { ok: true, value: parsed.data };
}

function keyOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: readonly PropertyKey[],
): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
    if (n === 0 && (isMap(doc.contents) || isSeq(doc.contents))) return 1;
  }
  return null;
}

function fileProblem(
  issue: z.core.$ZodIssue,
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
): ConfigProblem {
  const key = keyOf(issue.path);
  let fix = `correct ${key || 'the file'} (see docs/configuration.md)`;
  if (issue.code === 'unrecognized_keys')
    fix = `remove or rename ${issue.keys.join(', ')}: the known keys are listed in docs/configuration.md`;
  else if (issue.code === 'invalid_type' && issue.expected === 'never') fix = `remove ${key} (${issue.message})`;
  else if (issue.code === 'invalid_type') fix = `give ${key} a value of type ${issue.expected}`;
  else if (issue.code === 'too_small' || issue.code === 'too_big') fix = `give ${key} a value within the allowed range`;
  else if (issue.code === 'invalid_value') fix = `use one of the allowed values for ${key}`;
  return { key: key || '(file)', where: 'file', line: lineOf(doc, lines, issue.path), message: issue.message, fix };
}

function crossCheck(c: ConfigFile): { key: string; path: (string | number)[]; message: string; fix: string }[] {
  const out: { key: string; path: (string | number)[]; message: string; fix: string }[] = [];
  const kwIds = new Set(c.directory.knowledgeWorkers.map((kw) => kw.id));
  const agentIds = new Set<string>();
  c.directory.agents.forEach((a, i) => {
    if (agentIds.has(a.id) || kwIds.has(a.id)) out.push(dup(['directory', 'agents', i, 'id'], a.id, 'person'));
    agentIds.add(a.id);
  });
  c.routing.routingPoints.forEach((rp, i) => {
    if (rp.members.kind === 'entra-group' && !c.presence) {
      const path = ['routing', 'routingPoints', i, 'members', 'groupId'];
      out.push({
        key: keyOf(path),
        path,
        message: `${rp.id}'s members are an Entra group, read through Microsoft Graph, and there is no presence section with the Graph app registration`,
        fix: 'add a presence section (tenantId, and GRAPH_CLIENT_SECRET in the environment; docs/admin.md section 2) or list the members statically',
      });
    }
    if (rp.members.kind !== 'static') return;
    rp.members.ids.forEach((m, j) => {
      if (!kwIds.has(m)) {
        const path = ['routing', 'routingPoints', i, 'members', 'ids', j];
        out.push({
          key: keyOf(path),
          path,
          message: `"${m}" is not a knowledge worker in directory.knowledgeWorkers`,
          fix: `add "${m}" to directory.knowledgeWorkers or remove it from ${rp.id}'s members`,
        });
      }
    });
    if (rp.strategy.kind === 'named' && !kwIds.has(rp.strategy.knowledgeWorkerId)) {
      const path = ['routing', 'routingPoints', i, 'strategy', 'knowledgeWorkerId'];
      out.push({
        key: keyOf(path),
        path,
        message: `"${rp.strategy.knowledgeWorkerId}" is not a knowledge worker in directory.knowledgeWorkers`,
        fix: 'name a knowledge worker of the directory',
      });
    }
  });
  if (c.teams?.teamsCatalogAppId && !c.presence) {
    const path = ['teams', 'teamsCatalogAppId'];
    out.push({
      key: keyOf(path),
      path,
      message:
        'proactive install goes through Microsoft Graph, and there is no presence section with the Graph app registration',
      fix: 'add a presence section (tenantId, and GRAPH_CLIENT_SECRET in the environment; docs/admin.md section 2) or remove teams.teamsCatalogAppId',
    });
  }
  c.queues.forEach((q, i) => {
    q.members.forEach((m, j) => {
      if (!agentIds.has(m)) {
        const path = ['queues', i, 'members', j];
        out.push({
          key: keyOf(path),
          path,
          message: `"${m}" is not an agent in directory.agents`,
          fix: `add "${m}" to directory.agents or remove it from the queue`,
        });
      }
    });
  });
  return out;
}

function dup(path: (string | number)[], value: string, what: string) {
  return {
    key: keyOf(path),
    path,
    message: `the ${what} id "${value}" is used twice`,
    fix: 'give each entry its own id',
  };
}

/** One problem as a line for people: `routingPoints[0].members[1] (connector.yaml line 12): … Fix: …`. */
export function formatProblem(p: ConfigProblem, configPath: string): string {
  const where = p.where === 'environment' ? 'environment' : `${configPath}${p.line ? ` line ${p.line}` : ''}`;
  return `${p.key} (${where}): ${p.message}. Fix: ${p.fix}.`;
}
