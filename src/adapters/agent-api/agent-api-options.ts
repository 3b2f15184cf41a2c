/**
 * Settings of the agent side (config file key `agentApi`): contact centers and their agents, the rate limit,
 * webhook delivery and the event stream. Secrets never live here (API keys are created with the CLI or the API).
 */
import { z } from 'zod';

/**
 * One contact center: the agents its keys may act for and the queues its platform hands chats to. Agents and queues
 * belong to one contact center; knowledge workers and routing points are shared by all.
 */
export const contactCenterSchema = z.strictObject({
  id: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(200).optional(),
  /** Agent ids (from `directory.agents`) of this contact center. */
  agents: z.array(z.string().min(1)).default([]),
  /** Queue ids (from `queues`) of this contact center. */
  queues: z.array(z.string().min(1)).default([]),
});

/** One client app allowed to call with Entra ID client-credential tokens, and the contact center it acts for. */
export const entraClientSchema = z.strictObject({
  /** The client's application (client) id: the token's `azp` (v2) or `appid` (v1) claim. */
  appId: z.string().trim().min(1).max(100),
  contactCenter: z.string().trim().min(1).max(100),
});

/**
 * Entra ID client-credential tokens (`Authorization: Bearer <JWT>`) as an alternative to API keys: verified against
 * the tenant's signing keys (JWKS), for this connector's audience, from the listed client apps only. Such a caller
 * acts as a platform key of its contact center.
 */
export const entraOptionsSchema = z
  .strictObject({
    /** The tenant issuing the tokens; gives the default issuers (v2 and v1) and JWKS address. */
    tenantId: z.string().trim().min(1).max(100).optional(),
    /** The connector's application id URI (`api://…`) or application id: the token's `aud`. */
    audience: z.string().trim().min(1).max(300),
    /** Accepted issuers. Default `https://login.microsoftonline.com/<tenantId>/v2.0` and `https://sts.windows.net/<tenantId>/`. */
    issuers: z.array(z.string().trim().min(1)).min(1).optional(),
    /** Where the signing keys are. Default `https://login.microsoftonline.com/<tenantId>/discovery/v2.0/keys`. */
    jwksUri: z.url({ protocol: /^https?$/ }).optional(),
    clients: z.array(entraClientSchema).min(1),
  })
  .refine((e) => e.tenantId !== undefined || (e.issuers !== undefined && e.jwksUri !== undefined), {
    message: 'give tenantId, or both issuers and jwksUri',
    path: ['tenantId'],
  });

/** Entra ID token settings, as validated. */
export type EntraOptions = z.infer<typeof entraOptionsSchema>;

/** The agent side's options. */
export const agentApiOptionsSchema = z
  .strictObject({
    /** Contact centers; agents and queues in none belong to `defaultContactCenter`. Default: none. */
    contactCenters: z.array(contactCenterSchema).default([]),
    /** The contact center of agents and queues listed in no contact center. Default `default`. */
    defaultContactCenter: z.string().trim().min(1).max(100).default('default'),
    /**
     * Requests per key per minute, with bursts of up to `burst` (defaults 600 and 60); and `refused`: requests with
     * a missing, unknown or revoked key (or an invalid token) per client address per minute, with bursts of up to
     * its `burst` (defaults 30 and 10).
     */
    rateLimit: z
      .strictObject({
        requestsPerMinute: z.number().int().min(1).max(1_000_000).default(600),
        burst: z.number().int().min(1).max(100_000).default(60),
        refused: z
          .strictObject({
            requestsPerMinute: z.number().int().min(1).max(1_000_000).default(30),
            burst: z.number().int().min(1).max(100_000).default(10),
          })
          .default({ requestsPerMinute: 30, burst: 10 }),
      })
      .default({ requestsPerMinute: 600, burst: 60, refused: { requestsPerMinute: 30, burst: 10 } }),
    /**
     * Webhook delivery: attempts before giving up (default 12), first retry delay doubled per attempt (default 2 s,
     * capped at 1 h), request timeout (default 10 s), and whether targets on loopback, private, link-local or
     * unspecified addresses are allowed (default false: refused when registered, and not sent to when the host
     * resolves to one at delivery).
     */
    webhooks: z
      .strictObject({
        maxAttempts: z.number().int().min(1).max(100).default(12),
        retryBaseMs: z.number().int().min(1).max(3_600_000).default(2_000),
        timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
        allowPrivateTargets: z.boolean().default(false),
      })
      .default({ maxAttempts: 12, retryBaseMs: 2_000, timeoutMs: 10_000, allowPrivateTargets: false }),
    /** Server-Sent Events: a comment line every `heartbeatMs` keeps proxies from closing idle streams (default 15 s). */
    events: z
      .strictObject({ heartbeatMs: z.number().int().min(1_000).max(300_000).default(15_000) })
      .default({ heartbeatMs: 15_000 }),
    /** Entra ID client-credential tokens besides API keys. Default: off. */
    entra: entraOptionsSchema.optional(),
  })
  .superRefine((options, ctx) => {
    for (const field of ['agents', 'queues'] as const) {
      const seen = new Map<string, string>();
      options.contactCenters.forEach((cc, i) => {
        cc[field].forEach((id, j) => {
          const first = seen.get(id);
          if (first !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['contactCenters', i, field, j],
              message: `"${id}" already belongs to contact center "${first}"; ${field} belong to one contact center`,
            });
          } else seen.set(id, cc.id);
        });
      });
    }
    const known = new Set([options.defaultContactCenter, ...options.contactCenters.map((c) => c.id)]);
    options.entra?.clients.forEach((client, i) => {
      if (!known.has(client.contactCenter)) {
        ctx.addIssue({
          code: 'custom',
          path: ['entra', 'clients', i, 'contactCenter'],
          message: `"${client.contactCenter}" is not a contact center (known: ${[...known].join(', ')})`,
        });
      }
    });
  });

/** The agent side's options, as validated (defaults applied). */
export type AgentApiOptions = z.infer<typeof agentApiOptionsSchema>;

/** The agent side's options as written in the config file. */
export type AgentApiOptionsInput = z.input<typeof agentApiOptionsSchema>;

/** The contact center an agent belongs to. */
export function contactCenterOfAgent(options: AgentApiOptions): (agentId: string) => string {
  const map = new Map<string, string>();
  for (const cc of options.contactCenters) for (const a of cc.agents) map.set(a, cc.id);
  return (agentId) => map.get(agentId) ?? options.defaultContactCenter;
}

/** The contact center a queue belongs to. */
export function contactCenterOfQueue(options: AgentApiOptions): (queueId: string) => string {
  const map = new Map<string, string>();
  for (const cc of options.contactCenters) for (const q of cc.queues) map.set(q, cc.id);
  return (queueId) => map.get(queueId) ?? options.defaultContactCenter;
}
