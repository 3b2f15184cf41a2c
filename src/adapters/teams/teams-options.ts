/**
 * The options of the Teams adapter (bot credentials, tenants served, case-information fields, invoke deadline,
 * proactive install, where Bot Framework's signing keys are published, the service URLs the bot may send to, and send
 * limits) with the zod schema the config module composes into the config file's.
 */
import { z } from 'zod';
import { DEFAULT_CASE_INFO_FIELDS } from './cards/preview-card.js';
import { sendLimitsSchema } from './send-limits.js';
import { DEFAULT_ALLOWED_SERVICE_URLS, serviceUrlPatternSchema } from './service-urls.js';

/** Where Bot Framework publishes the keys that sign its tokens to bots (the public cloud's OpenID metadata). */
export const DEFAULT_OPENID_METADATA_URL = 'https://login.botframework.com/v1/.well-known/openidconfiguration';

/** The schema of {@link TeamsOptions}. */
export const teamsOptionsSchema = z.object({
  /**
   * The bot's Microsoft App ID. Empty (the default) is local mode: no JWT validation and no outbound tokens, for
   * the Agents Playground and the Bot Connector emulator. Never run empty in production.
   */
  botAppId: z.string().default(''),
  /** The bot's client secret (required with a MultiTenant or SingleTenant app id). Never logged. */
  botAppPassword: z.string().default(''),
  /** MultiTenant (default), SingleTenant (needs botTenantId) or UserAssignedMSI. */
  botAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  /** The bot's home tenant, for SingleTenant and UserAssignedMSI apps. */
  botTenantId: z.string().optional(),
  /** Entra tenant ids whose activities are served; others get a polite refusal and change nothing. */
  allowedTenants: z.array(z.string().min(1)).min(1),
  /** The case-information fields the preview shows, in order (default call type, priority, reason, segment). */
  caseInfoFields: z
    .array(z.object({ key: z.string().min(1), label: z.string().min(1) }))
    .default([...DEFAULT_CASE_INFO_FIELDS]),
  /**
   * How long an Accept / Decline may take before the invoke is answered anyway (default 4,000 ms: Teams waits
   * about 5 s). A late command still completes; its card update then arrives proactively.
   */
  invokeDeadlineMs: z.number().int().positive().default(4000),
  /**
   * The Teams app's id in the org catalog (not the manifest id), for proactive install through Graph: with it (and a
   * `presence` section for Graph), a knowledge worker without a conversation gets the app installed before routing
   * offers them work. Find it with `GET /appCatalogs/teamsApps?$filter=externalId eq '{manifest id}'`.
   */
  teamsCatalogAppId: z.string().trim().min(1).optional(),
  /** The Bot Connector service URL used for users reached by proactive install (default the global one). */
  defaultServiceUrl: z.string().url().default('https://smba.trafficmanager.net/teams/'),
  /** After how long an install that failed is tried again when routing next picks the person (ms). Default 1 hour. */
  unreachableRetryMs: z
    .number()
    .int()
    .min(60_000)
    .max(7 * 24 * 3_600_000)
    .default(3_600_000),
  /**
   * The OpenID metadata document naming the keys that sign the Bot Connector's tokens to the bot (default Bot
   * Framework's public cloud). Tokens signed by any other key are refused with a 401.
   */
  openIdMetadataUrl: z.url({ protocol: /^https?$/ }).default(DEFAULT_OPENID_METADATA_URL),
  /**
   * Where the bot may send (its replies carry its Bot Framework token): origins `scheme://host[:port]`, a leading
   * `*.` in the host matching any subdomain. An incoming activity naming another service URL gets a 401 before
   * anything is sent or stored; a stored conversation naming one is not written to. Default Microsoft's Teams and
   * Bot Framework service hosts. Local mode ignores it: loopback service URLs only.
   */
  allowedServiceUrls: z
    .array(serviceUrlPatternSchema)
    .min(1)
    .default([...DEFAULT_ALLOWED_SERVICE_URLS]),
  /** Rate limits and retries of outbound sends. */
  send: sendLimitsSchema.default(sendLimitsSchema.parse({})),
});

/** The Teams adapter's options, defaults applied (see {@link teamsOptionsSchema}). */
export type TeamsOptions = z.infer<typeof teamsOptionsSchema>;

/** The options as written in a config file, before defaults. */
export type TeamsOptionsInput = z.input<typeof teamsOptionsSchema>;
