/**
 * The bot's local mode: with no Microsoft App ID configured, botbuilder validates no Bot Framework tokens, so the
 * bot accepts anonymous activities. That serves the Microsoft 365 Agents Playground and the Bot Connector emulator
 * on a developer's machine, and nothing else: in local mode an activity must come from a loopback address and name
 * a loopback service URL (where replies and proactive cards go). With an app id, every activity needs a valid token.
 */
import { isIP } from 'node:net';
import type { TeamsOptions } from './teams-options.js';

/** True when the bot runs without Microsoft app credentials (no app id): anonymous inbound, loopback only. */
export function isLocalMode(options: Pick<TeamsOptions, 'botAppId'>): boolean {
  return options.botAppId.trim() === '';
}

/** The warning logged once at startup in local mode. */
export const LOCAL_MODE_WARNING =
  'LOCAL MODE: MICROSOFT_APP_ID is empty, so the bot accepts activities WITHOUT authentication, from this machine ' +
  'only (loopback address and loopback service URL), for the Agents Playground and emulators. Never run like this ' +
  'in production: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD.';

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and ::1 (also as IPv4-mapped IPv6). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  // The URL parser writes every spelling of the IPv6 loopback as [::1].
  return isIP(h) === 6 && new URL(`http://[${h}]/`).hostname === '[::1]';
}

/** True when `url` is an http(s) URL on a loopback host. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && isLoopbackHost(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Why local mode refuses an activity, or null when it may pass: the peer address and the activity's service URL
 * must both be loopback.
 */
export function localModeRefusal(peerAddress: string | undefined, serviceUrl: string): string | null {
  if (!peerAddress || !isLoopbackHost(peerAddress)) return 'the request does not come from this machine';
  if (!isLoopbackUrl(serviceUrl)) return 'the service URL is not a loopback address';
  return null;
}
