/**
 * The one Microsoft Graph client of the connector (app token through MSAL, one throttle on the presence quota), built
 * from the `presence` section, which holds the Graph app registration. Presence, the Entra group sync and proactive
 * install all call Graph through it. Null without a `presence` section.
 */
import { createAppTokenSource } from '../adapters/graph/app-token.js';
import { GraphClient } from '../adapters/graph/graph-client.js';
import type { PresenceOptions } from '../adapters/graph/presence-options.js';
import { resolveTenantId } from '../adapters/graph/tenant-id.js';

/** The Graph client and the tenant it acts in. */
export interface GraphAccess {
  readonly client: GraphClient;
  /** The tenant's id: a GUID, also when the configuration names the tenant by one of its domains. */
  readonly tenantId: string;
  readonly graphBaseUrl: string;
}

/**
 * Builds the Graph client; null without the `presence` section. A tenant named by a domain is resolved to its id
 * first (tokens and notifications name the id); a tenant that cannot be resolved stops start-up with the fix.
 */
export async function createGraph(
  options: PresenceOptions | null,
  fetcher?: typeof fetch | undefined,
): Promise<GraphAccess | null> {
  if (!options) return null;
  const tenantId = await resolveTenantId(options.tenantId, {
    authorityBaseUrl: options.authorityBaseUrl,
    fetch: fetcher,
  });
  const tokens = createAppTokenSource({
    tenantId: options.tenantId,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    authorityBaseUrl: options.authorityBaseUrl,
  });
  const client = new GraphClient({ graphBaseUrl: options.graphBaseUrl, quotaShare: options.quotaShare }, { tokens });
  return { client, tenantId, graphBaseUrl: options.graphBaseUrl };
}
