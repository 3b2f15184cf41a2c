/**
 * The doctor's notification-endpoint check: performs Graph's validation handshake against the connector's public
 * notification and lifecycle URLs — `POST <url>?validationToken=<random>` must be answered 200, `text/plain`, with
 * the URL-decoded token, within 10 seconds — as Graph does before it creates a subscription.
 */
import { randomBytes } from 'node:crypto';
import { graphNotificationsMount } from '../../adapters/graph/notification-endpoint.js';
import type { PresenceOptions } from '../../adapters/graph/presence-options.js';
import { type CheckResult, describeFailure, failed, passed, warned } from './check-result.js';

/** Graph's deadline for the validation answer. */
export const VALIDATION_DEADLINE_MS = 10_000;

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** One handshake; undefined when it succeeded, else what went wrong and the fix. */
async function handshake(url: string, fetcher: typeof fetch): Promise<{ detail: string; fix: string } | undefined> {
  const token = `doctor check ${randomBytes(9).toString('base64url')}+/=`;
  const reachFix =
    'the connector must be running with this configuration, and this address must reach it from the internet ' +
    '(reverse proxy, DNS, firewall; docs/admin.md section 3)';
  let res: Response;
  try {
    res = await fetcher(`${url}?validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '',
      signal: AbortSignal.timeout(VALIDATION_DEADLINE_MS),
    });
  } catch (error) {
    return { detail: `nothing answered at ${url} (${describeFailure(error)})`, fix: reachFix };
  }
  const body = await res.text();
  if (res.status !== 200)
    return {
      detail: `${url} answered ${res.status} instead of echoing the validation token`,
      fix: `make the proxy forward ${graphNotificationsMount}/ to the connector unchanged (no authentication in front of it), and keep presence.subscriptions configured on the running connector`,
    };
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain') || body !== token)
    return {
      detail: `${url} answered 200 but not with the token as text/plain (got ${type || 'no content type'})`,
      fix: 'make sure nothing between Graph and the connector rewrites the answer (proxy error pages, sign-in pages, compression of text/plain)',
    };
  return undefined;
}

/** Checks both URLs Graph posts to. `fetcher` defaults to the global fetch. */
export async function checkNotificationEndpoint(
  presence: PresenceOptions | null,
  fetcher: typeof fetch = fetch,
): Promise<CheckResult[]> {
  const s = presence?.subscriptions;
  if (!s) return [];
  const name = 'notification endpoint';
  const base = `${s.notificationBaseUrl}${graphNotificationsMount}`;
  const urls = [`${base}/notifications`, `${base}/lifecycle`];
  for (const url of urls) {
    const problem = await handshake(url, fetcher);
    if (problem) return [failed(name, problem.detail, problem.fix)];
  }
  const parsed = new URL(s.notificationBaseUrl);
  if (parsed.protocol !== 'https:' && !isLoopback(parsed))
    return [
      warned(
        name,
        `${base} answers the validation handshake, but over ${parsed.protocol.replace(':', '')}`,
        'Graph only posts to https:// addresses: publish the connector behind HTTPS and set PUBLIC_BASE_URL to it',
      ),
    ];
  return [
    passed(
      name,
      `${urls.join(' and ')} answered the validation handshake${isLoopback(parsed) ? ' (a local address: fine for the emulator; Graph needs a public https:// one)' : ''}`,
    ),
  ];
}
