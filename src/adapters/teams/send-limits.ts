/**
 * The options of the rate-limited sender: Teams bot limits and the retry policy, with a zod schema the config
 * module composes. Defaults follow Microsoft's "Optimize your bot with rate limiting" page.
 */
import { z } from 'zod';

const windowSchema = z.object({ limit: z.number().int().positive(), windowMs: z.number().int().positive() });

/** The schema of {@link SendLimitsOptions}; every field has a default. */
export const sendLimitsSchema = z.object({
  /** Per conversation (thread): 7 / 1 s, 8 / 2 s, 60 / 30 s. */
  perConversation: z
    .array(windowSchema)
    .min(1)
    .default([
      { limit: 7, windowMs: 1000 },
      { limit: 8, windowMs: 2000 },
      { limit: 60, windowMs: 30_000 },
    ]),
  /** Per app per tenant: about 50 per second. */
  perTenant: z
    .array(windowSchema)
    .min(1)
    .default([{ limit: 50, windowMs: 1000 }]),
  /** Widens every window by this many ms so network jitter never pushes us over (default 25). */
  marginMs: z.number().int().min(0).default(25),
  /** Attempts per send, the first included (default 6). The send fails with an error after the last. */
  maxAttempts: z.number().int().min(1).default(6),
  /** First backoff delay in ms (default 500); doubles each attempt, with jitter. */
  baseDelayMs: z.number().int().min(0).default(500),
  /** Longest backoff delay in ms (default 20,000), Retry-After included. */
  maxDelayMs: z.number().int().min(0).default(20_000),
  /** Random jitter as a fraction of the delay, ± (default 0.2). */
  jitter: z.number().min(0).max(1).default(0.2),
});

/** Limits and retry policy of the outbound sender (see {@link sendLimitsSchema} for the defaults). */
export type SendLimitsOptions = z.infer<typeof sendLimitsSchema>;

/** The statuses Microsoft asks bots to retry: 429, 412, 502, 504. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 412, 502, 504]);
