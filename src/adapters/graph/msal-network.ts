/**
 * An MSAL network module on `fetch` that keeps MSAL offline-capable and pointable at the Graph emulator.
 *
 * MSAL insists on `https:` authorities. For a loopback emulator served over plain HTTP, the app token and delegated
 * token clients give MSAL `https://127.0.0.1:PORT/...` and this module rewrites exactly that origin back to
 * `http://` — only for loopback hosts, never for a real identity platform.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

/** True for `http://127.0.0.1`, `http://localhost` and `http://[::1]` base URLs. */
export function isLoopbackHttp(baseUrl: string): boolean {
  const u = new URL(baseUrl);
  return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
}

/** The base URL MSAL should see: loopback `http:` becomes `https:`; anything else is unchanged. */
export function msalVisibleBaseUrl(baseUrl: string): string {
  return isLoopbackHttp(baseUrl) ? baseUrl.replace(/^http:/, 'https:') : baseUrl;
}

/** Creates the network module; `insecureLoopbackOrigin` is the `http://` origin to restore, when any. */
export function createMsalNetwork(insecureLoopbackOrigin?: string): INetworkModule {
  const secure = insecureLoopbackOrigin?.replace(/^http:/, 'https:');
  const fix = (url: string) =>
    secure && insecureLoopbackOrigin && url.startsWith(secure)
      ? insecureLoopbackOrigin + url.slice(secure.length)
      : url;
  const send = async <T>(method: string, url: string, options?: NetworkRequestOptions, timeout?: number) => {
    const res = await fetch(fix(url), {
      method,
      headers: options?.headers ?? {},
      ...(options?.body !== undefined ? { body: options.body } : {}),
      ...(timeout ? { signal: AbortSignal.timeout(timeout) } : {}),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: 'invalid_response', error_description: 'non-JSON response from the identity platform' };
    }
    return { headers, body: body as T, status: res.status } satisfies NetworkResponse<T>;
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

/** Static authority metadata so MSAL needs no discovery round trips (offline, emulator and nock friendly). */
export function authorityMetadataFor(authorityBaseUrl: string, tenantId: string) {
  const visible = msalVisibleBaseUrl(authorityBaseUrl).replace(/\/$/, '');
  const host = new URL(visible).host;
  const base = `${visible}/${tenantId}`;
  const authorityMetadata = JSON.stringify({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    issuer: `${base}/v2.0`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
  });
  const cloudDiscoveryMetadata = JSON.stringify({
    tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
  return { authority: base, knownAuthorities: [host], authorityMetadata, cloudDiscoveryMetadata };
}
