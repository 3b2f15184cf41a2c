/**
 * The one Microsoft Graph client of the connector (app token through MSAL), built from the `presence` section, which
 * holds the Graph app registration, and the one budget of Graph's presence quota (1,500 calls per 30 s per app and
 * tenant, of which `quotaShare`) that every presence caller draws from: the poller, the subscription calls, and
 * presence writes. Presence, the Entra group sync and proactive install all call Graph through the client. Null
 * without a `presence` section.
 */
import { createAppTokenSource } from '../adapters/graph/app-token.js';
import { GraphClient } from '../adapters/graph/graph-client.js';
import type { PresenceOptions } from '../adapters/graph/presence-options.js';
import { QuotaBudget } from '../adapters/graph/quota-budget.js';
import { resolveTenantId } from '../adapters/graph/tenant-id.js';

/** The Graph client and the tenant it acts in. */
export interface GraphAccess {
  readonly client: GraphClient;
  /** The tenant's id: a GUID, also when the configuration names the tenant by one of its domains. */
  readonly tenantId: string;
  readonly graphBaseUrl: string;
  /**
   * The presence quota's sliding-window budget, shared by every presence caller. Draw from it by passing
   * `{ quota: { budget: presenceQuota, caller: '<name>', priority } }` to `client.request` (see quota-budget.ts).
   */
  readonly presenceQuota: QuotaBudget;
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
  const presenceQuota = new QuotaBudget({ share: options.quotaShare });
  return { client, tenantId, graphBaseUrl: options.graphBaseUrl, presenceQuota };
}
