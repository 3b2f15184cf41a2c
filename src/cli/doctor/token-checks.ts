/**
 * The doctor's credential checks: the bot's client credentials obtain a Bot Framework token (as botbuilder asks for
 * one before every send), and the Graph app registration's client credentials obtain an app-only Graph token.
 */
import type { TokenSource } from '../../adapters/graph/app-token.js';
import { createAppTokenSource } from '../../adapters/graph/app-token.js';
import type { PresenceOptions } from '../../adapters/graph/presence-options.js';
import type { TeamsOptions } from '../../adapters/teams/teams-options.js';
import { type CheckResult, describeFailure, failed, passed, skipped, warned } from './check-result.js';

/** Bot Framework's token scope, and the tenant multi-tenant bots ask for tokens in. */
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com/.default';
const BOT_FRAMEWORK_TENANT = 'botframework.com';

/** What an identity-platform error means for the admin: the cause and the fix, by MSAL's error code. */
function explainTokenFailure(
  reason: string,
  error: unknown,
  names: { secret: string; appId: string; authority: string },
): { detail: string; fix: string } {
  if (reason === 'invalid_client')
    return {
      detail: `the identity platform refused the client secret (invalid_client) of app ${names.appId}`,
      fix: `set ${names.secret} to a current client secret VALUE of that app registration (Entra ID → App registrations → Certificates & secrets; secrets expire), then restart the connector`,
    };
  if (reason === 'unauthorized_client' || reason === 'invalid_request')
    return {
      detail: `the identity platform does not know app ${names.appId} in that tenant (${reason})`,
      fix: `check ${names.appId === '' ? 'the app id' : 'the app id and tenant'}: the registration must exist in the tenant named (docs/admin.md section 1)`,
    };
  const network = describeFailure(error);
  if (/^E[A-Z]+|no answer/.test(network))
    return {
      detail: `the identity platform at ${names.authority} could not be reached (${network})`,
      fix: `allow outbound HTTPS from this host to ${names.authority} (proxy, firewall, DNS)`,
    };
  return {
    detail: `no token could be obtained (${reason})`,
    fix: 'check the app id, tenant and secret of the registration (docs/admin.md section 1)',
  };
}

/** Options of {@link checkBotToken}. */
export interface BotTokenCheckOptions {
  /** Where the bot's tokens come from. Default `https://login.microsoftonline.com`. */
  readonly loginBaseUrl: string;
}

/** The bot's credentials (MICROSOFT_APP_ID / MICROSOFT_APP_PASSWORD) obtain a Bot Framework token. */
export async function checkBotToken(teams: TeamsOptions | null, options: BotTokenCheckOptions): Promise<CheckResult> {
  const name = 'bot credentials';
  if (!teams) return skipped(name, 'no teams section in the configuration: the Teams bot is off');
  if (!teams.botAppId)
    return warned(
      name,
      'MICROSOFT_APP_ID is empty: local mode, no token is needed and Teams cannot reach this connector',
      'set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TYPE to the Azure Bot’s registration for production',
    );
  if (teams.botAppType === 'UserAssignedMSI')
    return warned(
      name,
      'the bot uses a user-assigned managed identity, which only works inside Azure; it is not checked from here',
      'check the Azure Bot’s messaging endpoint with "Test in Web Chat" in the Azure portal',
    );
  if (!teams.botAppPassword)
    return failed(
      name,
      `MICROSOFT_APP_PASSWORD is empty for bot ${teams.botAppId}`,
      'set MICROSOFT_APP_PASSWORD to the bot registration’s client secret (docs/admin.md section 1)',
    );
  if (teams.botAppType === 'SingleTenant' && !teams.botTenantId)
    return failed(
      name,
      'MICROSOFT_APP_TYPE is SingleTenant but MICROSOFT_APP_TENANT_ID is not set',
      'set MICROSOFT_APP_TENANT_ID to the tenant id of the bot’s registration',
    );
  const tenantId = teams.botAppType === 'SingleTenant' ? (teams.botTenantId ?? '') : BOT_FRAMEWORK_TENANT;
  const source = createAppTokenSource({
    tenantId,
    clientId: teams.botAppId,
    clientSecret: teams.botAppPassword,
    authorityBaseUrl: options.loginBaseUrl,
    scope: BOT_FRAMEWORK_SCOPE,
  });
  try {
    await source.getToken();
    return passed(name, `bot ${teams.botAppId} (${teams.botAppType}) obtained a Bot Framework token`);
  } catch (error) {
    const reason = (error as { reason?: string }).reason ?? 'unknown';
    const { detail, fix } = explainTokenFailure(reason, error, {
      secret: 'MICROSOFT_APP_PASSWORD',
      appId: teams.botAppId,
      authority: options.loginBaseUrl,
    });
    return failed(name, detail, fix);
  }
}

/** The Graph app registration obtains an app-only token; returns the token source for the permission checks. */
export async function checkGraphToken(
  presence: PresenceOptions | null,
): Promise<{ result: CheckResult; tokens: TokenSource | null }> {
  const name = 'Graph app token';
  if (!presence)
    return {
      result: skipped(name, 'no presence section in the configuration: routing reads the directory’s static states'),
      tokens: null,
    };
  const tokens = createAppTokenSource({
    tenantId: presence.tenantId,
    clientId: presence.clientId,
    clientSecret: presence.clientSecret,
    authorityBaseUrl: presence.authorityBaseUrl,
  });
  try {
    await tokens.getToken();
    return {
      result: passed(name, `app ${presence.clientId} obtained a Graph token in tenant ${presence.tenantId}`),
      tokens,
    };
  } catch (error) {
    const reason = (error as { reason?: string }).reason ?? 'unknown';
    const { detail, fix } = explainTokenFailure(reason, error, {
      secret: 'GRAPH_CLIENT_SECRET',
      appId: presence.clientId,
      authority: presence.authorityBaseUrl,
    });
    return { result: failed(name, detail, fix), tokens: null };
  }
}
