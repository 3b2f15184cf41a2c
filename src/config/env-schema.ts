/** The environment variables the connector reads, with their defaults. Secrets only come from here. */
import { z } from 'zod';

export const envSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3978),
  DATABASE_URL: z.string().min(1).default('./data/connector.db'),
  CONNECTOR_CONFIG: z.string().min(1).default('config/connector.yaml'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_BASE_URL: z.url({ protocol: /^https$/ }).optional(),
});
