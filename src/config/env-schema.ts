/** The environment variables the connector reads, with their defaults. Secrets only come from here. */
import { z } from 'zod';

const envVariables = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3978),
  DATABASE_URL: z.string().min(1).default('./data/connector.db'),
  CONNECTOR_CONFIG: z.string().min(1).default('config/connector.yaml'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_BASE_URL: z.url({ protocol: /^https$/ }).optional(),
  /** The bot's Microsoft App ID; empty is local mode (no JWT validation: the Agents Playground, the emulator). */
  MICROSOFT_APP_ID: z.string().default(''),
  /** The bot's client secret. Never logged. */
  MICROSOFT_APP_PASSWORD: z.string().default(''),
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MICROSOFT_APP_TENANT_ID: z.string().optional(),
  /** The Graph app registration's client secret (the presence engine). Never logged. */
  GRAPH_CLIENT_SECRET: z.string().optional(),
  /** 32 bytes, base64: encrypts subscriber accounts' token caches at rest. Never logged. */
  PRESENCE_TOKEN_CACHE_KEY: z
    .string()
    .refine((k) => Buffer.from(k, 'base64').length === 32, 'must be 32 random bytes in base64')
    .optional(),
  /** When set, `GET /metrics` requires `Authorization: Bearer <METRICS_TOKEN>`. Never logged. */
  METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  /** How long a client may take to send a request's headers, in ms (then 408 and the connection is closed). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  /** How long a client may take to send a whole request, body included, in ms (then 408). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** How long an idle keep-alive connection is kept open, in ms. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
});

/** The environment's schema. A secret without an app id would silently run the bot in local mode: refused. */
export const envSchema = envVariables
  .refine((e) => e.MICROSOFT_APP_ID.trim() !== '' || e.MICROSOFT_APP_PASSWORD === '', {
    path: ['MICROSOFT_APP_ID'],
    message: 'MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is empty',
  })
  .refine((e) => e.HTTP_HEADERS_TIMEOUT_MS <= e.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    message: 'must not be longer than HTTP_REQUEST_TIMEOUT_MS',
  });

/** The environment as parsed (defaults applied). */
export type ConfigEnv = z.output<typeof envSchema>;
