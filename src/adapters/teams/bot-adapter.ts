/**
 * The bot's botbuilder adapter: a CloudAdapter on ConfigurationBotFrameworkAuthentication for the bot's credentials
 * and Bot Framework's public cloud (the OpenID metadata URL configurable), that authenticates an activity as a
 * separate step, so `POST /api/messages` can refuse forged tokens and service URLs off the allowlist before the turn
 * runs, and answer them itself. `onTurnError` is the turn's one error boundary.
 */
import {
  type Activity,
  ActivityTypes,
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import type { TeamsOptions } from './teams-options.js';

/** What authenticating an activity gave: the caller's identity and the connector to answer it with. */
export type AuthenticatedRequest = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/**
 * Why an activity was not authenticated: `refused` (no token, a forged, expired or misaddressed one: 401), or
 * `unavailable` (the signing keys could not be fetched, so no token can be checked now: 503).
 */
export type AuthenticationFailure = {
  readonly ok: false;
  readonly cause: 'refused' | 'unavailable';
  /** What the token check said (the library's words, never the token), for the log only. */
  readonly reason: string;
};

/** The outcome of {@link ConnectorAdapter.authenticate}. */
export type AuthenticationOutcome =
  | { readonly ok: true; readonly request: AuthenticatedRequest }
  | AuthenticationFailure;

/**
 * Bot Framework's public cloud, as botframework-connector's `AuthenticationConstants` names it. botbuilder takes
 * either none of these or all of them, so the OpenID metadata URL can only be set with the rest.
 */
const PUBLIC_CLOUD = {
  ValidateAuthority: true,
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: CallerIdConstants.PublicAzureChannel,
} as const;

/** The CloudAdapter of the connector: authentication as a step of its own, then the turn. */
export class ConnectorAdapter extends CloudAdapter {
  /**
   * Checks the activity's `Authorization` header as botbuilder does (signature against the OpenID metadata's keys,
   * issuer, audience = the bot's app id, lifetime, the `serviceUrl` claim against the activity's). Never throws.
   * In local mode (no app id) every activity passes, anonymous.
   */
  async authenticate(activity: Activity, authHeader: string): Promise<AuthenticationOutcome> {
    try {
      return { ok: true, request: await this.botFrameworkAuthentication.authenticateRequest(activity, authHeader) };
    } catch (err) {
      return { ok: false, cause: isKeyFetchFailure(err) ? 'unavailable' : 'refused', reason: reasonOf(err) };
    }
  }

  /** Runs the turn of an authenticated activity; resolves with the invoke response, if the turn gave one. */
  processAuthenticated(
    request: AuthenticatedRequest,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(request, activity, logic);
  }
}

/**
 * The signing keys could not be loaded: botframework-connector's AuthenticationError with a 5xx status ("Failed to
 * load openID config: 404"), or the fetch itself failed (node-fetch's FetchError).
 */
function isKeyFetchFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const status = (err as { statusCode?: unknown }).statusCode;
  return (typeof status === 'number' && status >= 500) || (err as { name?: unknown }).name === 'FetchError';
}

/** The library's reason, with anything shaped like a JWT removed (a token is never logged). */
function reasonOf(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.replace(/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[token]').slice(0, 300);
}

/** Builds the adapter for the bot's credentials, with the turn error boundary installed. */
export function createBotAdapter(
  options: Pick<TeamsOptions, 'botAppId' | 'botAppPassword' | 'botAppType' | 'botTenantId' | 'openIdMetadataUrl'>,
  logger: Logger,
): ConnectorAdapter {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: options.botAppId,
    MicrosoftAppPassword: options.botAppPassword,
    MicrosoftAppType: options.botAppType,
    ...(options.botTenantId ? { MicrosoftAppTenantId: options.botTenantId } : {}),
    ...PUBLIC_CLOUD,
    ToBotFromChannelOpenIdMetadataUrl: options.openIdMetadataUrl,
  };
  const adapter = new ConnectorAdapter(new ConfigurationBotFrameworkAuthentication(auth));
  adapter.onTurnError = async (ctx: TurnContext, err: Error) => {
    logger.error(
      { err: describeError(err), type: ctx.activity.type, conversationId: ctx.activity.conversation?.id },
      'bot turn failed',
    );
    try {
      if (ctx.activity.type === ActivityTypes.Invoke) {
        const body = {
          statusCode: 500,
          type: 'application/vnd.microsoft.error',
          value: { code: 'InternalError', message: 'Sorry, something went wrong. Please try again.' },
        };
        await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 500, body } });
      } else if (ctx.activity.type === ActivityTypes.Message) {
        await ctx.sendActivity('Sorry, something went wrong on our side. Please try again in a moment.');
      }
    } catch (replyErr) {
      logger.error({ err: describeError(replyErr) }, 'could not tell the user about a failed turn');
    }
  };
  return adapter;
}

/** What may be logged of an error: its name, status and message, never its request (which carries tokens). */
export function describeError(err: unknown): { name: string; message: string; status?: number } {
  if (!(err instanceof Error)) return { name: 'NonError', message: String(err) };
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number'
    ? { name: err.name, message: err.message, status }
    : { name: err.name, message: err.message };
}
