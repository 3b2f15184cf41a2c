/**
 * The tenant's id (a GUID) from the name the configuration gives it. `presence.tenantId` may be the GUID or one of
 * the tenant's domains (`contoso.onmicrosoft.com`); tokens and notifications carry the GUID (the validation tokens'
 * issuer is `https://sts.windows.net/{GUID}/`, Teams conversations name the GUID). A domain is resolved once, from
 * the authority's OpenID metadata (`{authority}/{tenant}/v2.0/.well-known/openid-configuration`, whose `issuer` is
 * `{authority}/{GUID}/v2.0`).
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a tenant name is already the tenant's id. */
export function isTenantGuid(tenant: string): boolean {
  return GUID.test(tenant);
}

/** The tenant could not be resolved: the message says why and what to do. Never carries a token. */
export class TenantResolutionError extends Error {
  constructor(
    readonly tenant: string,
    reason: string,
  ) {
    super(
      `presence.tenantId ${tenant} could not be resolved to the tenant's id (${reason}); check the domain, or set presence.tenantId to the tenant's GUID (Entra admin center, Overview, Tenant ID)`,
    );
    this.name = 'TenantResolutionError';
  }
}

/** Options of {@link resolveTenantId}. */
export interface ResolveTenantOptions {
  /** The identity platform's base URL (`presence.authorityBaseUrl`). */
  readonly authorityBaseUrl: string;
  /** The HTTP client (default global fetch). */
  readonly fetch?: typeof fetch | undefined;
  /** Attempts before giving up on a network failure or a 5xx. Default 3. */
  readonly attempts?: number | undefined;
}

/** The tenant's GUID: `tenant` itself when it is one, else read from the authority's OpenID metadata. */
export async function resolveTenantId(tenant: string, options: ResolveTenantOptions): Promise<string> {
  if (isTenantGuid(tenant)) return tenant.toLowerCase();
  const url = `${options.authorityBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
  const get = options.fetch ?? fetch;
  const attempts = options.attempts ?? 3;
  let reason = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let res: Response;
    try {
      res = await get(url, { headers: { accept: 'application/json' } });
    } catch (err) {
      reason = `the identity platform could not be reached: ${(err as Error).message}`;
      await pause(attempt);
      continue;
    }
    if (res.status >= 500) {
      reason = `the identity platform answered ${res.status}`;
      await pause(attempt);
      continue;
    }
    if (!res.ok)
      throw new TenantResolutionError(tenant, `the identity platform answered ${res.status}: no such tenant`);
    const body = (await res.json().catch(() => null)) as { issuer?: unknown } | null;
    const issuer = typeof body?.issuer === 'string' ? body.issuer : '';
    const id = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//i.exec(`${issuer}/`)?.[1];
    if (!id) throw new TenantResolutionError(tenant, 'its OpenID metadata names no tenant id in `issuer`');
    return id.toLowerCase();
  }
  throw new TenantResolutionError(tenant, reason);
}

function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 250 * attempt));
}
