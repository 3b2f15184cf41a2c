/**
 * Where the bot may send. Every reply and proactive message goes to the `serviceUrl` an activity named, carrying the
 * bot's Bot Framework token, so the bot only writes to service URLs on an allowlist of origins (Microsoft's Teams and
 * Bot Framework service hosts by default); local mode, whose bot has no credentials, writes to loopback only.
 */
import { z } from 'zod';
import { isLoopbackUrl } from './local-mode.js';

/**
 * Microsoft's documented service hosts: Teams' `https://smba.trafficmanager.net/{region}/` (amer, emea, apac, in,
 * teams…), Teams in the US Government Community Cloud (GCC, served by the public Bot Framework), and the Bot
 * Framework channels (`*.botframework.com`: Direct Line, Web Chat…).
 */
export const DEFAULT_ALLOWED_SERVICE_URLS: readonly string[] = [
  'https://smba.trafficmanager.net',
  'https://smba.infra.gcc.teams.microsoft.com',
  'https://*.botframework.com',
];

const PATTERN = /^(https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?\/?$/i;

/** One allowlist entry: an origin `scheme://host[:port]`, the host possibly starting with `*.` (any subdomain). */
export const serviceUrlPatternSchema = z
  .string()
  .trim()
  .regex(PATTERN, 'must be an origin such as https://smba.trafficmanager.net or https://*.botframework.com')
  .refine((p) => !/^https?:\/\/\*\.[^.]+\/?$/i.test(p.replace(/:\d+\/?$/, '')), {
    message: 'a wildcard must be followed by at least two labels (https://*.botframework.com, not https://*.com)',
  });

/** Decides whether the bot may send to a service URL. */
export interface ServiceUrlPolicy {
  /** True when the bot may send to `serviceUrl` (and so carry its token there). */
  allows(serviceUrl: string): boolean;
  /** What is allowed, for logs and errors. */
  readonly description: string;
}

interface Origin {
  readonly protocol: string;
  readonly wildcard: boolean;
  readonly host: string;
  readonly port: string;
}

function parsePattern(pattern: string): Origin {
  const m = PATTERN.exec(pattern.trim());
  if (!m) throw new Error(`not a service URL pattern: ${pattern}`);
  const protocol = `${(m[1] ?? '').toLowerCase()}:`;
  const port = m[4] ?? '';
  const defaultPort = protocol === 'https:' ? '443' : '80';
  return {
    protocol,
    wildcard: m[2] !== undefined,
    host: (m[3] ?? '').toLowerCase(),
    port: port === defaultPort ? '' : String(Number(port) || ''),
  };
}

function matches(origin: Origin, url: URL): boolean {
  if (url.protocol !== origin.protocol || url.port !== origin.port) return false;
  const host = url.hostname.toLowerCase();
  return origin.wildcard ? host.endsWith(`.${origin.host}`) : host === origin.host;
}

/**
 * The policy for the bot's credentials: outside local mode the allowlist (`teams.allowedServiceUrls`); in local mode
 * (no app id, so no token to leak, but also no check of who sent the activity) loopback service URLs only.
 */
export function createServiceUrlPolicy(options: {
  readonly allowed: readonly string[];
  readonly localMode: boolean;
}): ServiceUrlPolicy {
  if (options.localMode) return { allows: isLoopbackUrl, description: 'loopback service URLs (local mode)' };
  const origins = options.allowed.map(parsePattern);
  return {
    allows(serviceUrl) {
      let url: URL;
      try {
        url = new URL(serviceUrl);
      } catch {
        return false;
      }
      if (url.username || url.password) return false;
      return origins.some((o) => matches(o, url));
    },
    description: options.allowed.join(', '),
  };
}
