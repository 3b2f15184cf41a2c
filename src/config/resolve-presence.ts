/**
 * The `presence` section resolved with the secrets the environment supplies (`GRAPH_CLIENT_SECRET`,
 * `PRESENCE_TOKEN_CACHE_KEY`) and its defaults (the app registration, the JWKS address, the notification address).
 * A section that cannot work is refused with every missing piece named. Pure; the files it names are read later
 * (src/config/config-files.ts).
 */
import type { PresenceOptions } from '../adapters/graph/presence-options.js';
import type { ConfigFile } from './config-file-schema.js';
import type { ConfigProblem } from './config-problem.js';
import type { ConfigEnv } from './env-schema.js';

/** The presence section with its secrets, or the problems of a section that cannot work. */
export function resolvePresence(
  file: ConfigFile,
  e: ConfigEnv,
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
