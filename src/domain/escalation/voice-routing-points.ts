/**
 * The voice routing points a customer's call is sent to so that it reaches the knowledge worker handling the IM (seed
 * 000 step 8), each with its business rule: `preview` (the knowledge worker gets a call preview with Accept / Decline
 * and a countdown) or `direct` (the call is routed to them at once); and the default route a declined or unanswered
 * preview takes.
 */
import { z } from 'zod';
import type { RoutingPoint } from '../routing/routing-point.js';

/** A DN (directory number) as the switch names it. */
const dnSchema = z.string().min(1).max(64);

/** One voice routing point's settings (`escalation.voiceRoutingPoints[]`). */
export const voiceRoutingPointSettingsSchema = z.object({
  /** The routing point's DN: the `routingPoint` the contact center reports calls at. */
  dn: dnSchema,
  /** Its display name (default the DN). */
  name: z.string().min(1).optional(),
  /** `preview` (default): Accept / Decline in Teams first; `direct`: route to the knowledge worker at once. */
  rule: z.enum(['preview', 'direct']).default('preview'),
  /** How long the call preview waits for an answer before the default route. Default 20 s. */
  previewTimeoutMs: z.number().int().min(1_000).max(120_000).default(20_000),
  /** Where a declined, unanswered or undeliverable preview sends the call; without it, the contact center's own default. */
  defaultRoute: z.object({ dn: dnSchema, name: z.string().min(1).optional() }).optional(),
});

/** The list, each DN once. */
export const voiceRoutingPointsSchema = z
  .array(voiceRoutingPointSettingsSchema)
  .refine((list) => new Set(list.map((v) => v.dn)).size === list.length, 'each voice routing point DN is listed once');

/** One voice routing point's settings, as validated. */
export type VoiceRoutingPointSettings = z.infer<typeof voiceRoutingPointSettingsSchema>;

/** The settings of the voice routing point `dn`, resolved. */
export interface ResolvedVoiceRoutingPoint {
  readonly dn: string;
  readonly name: string;
  readonly rule: 'preview' | 'direct';
  readonly previewTimeoutMs: number;
  readonly defaultRoute: { readonly dn: string; readonly name: string | null } | null;
}

/** The defaults of a voice routing point named only by a knowledge-worker routing point's `voiceRoutingPoint`. */
const defaults = voiceRoutingPointSettingsSchema.parse({ dn: 'x' });

/**
 * The voice routing point `dn`: as listed in `escalation.voiceRoutingPoints`, else, when a knowledge-worker routing
 * point hands it out as its `voiceRoutingPoint`, with the defaults (preview, 20 s, no default route); else undefined.
 */
export function voiceRoutingPointFor(
  dn: string,
  configured: readonly VoiceRoutingPointSettings[],
  routingPoints: Iterable<RoutingPoint>,
): ResolvedVoiceRoutingPoint | undefined {
  const listed = configured.find((v) => v.dn === dn);
  let handedOut: { dn: string; name?: string | undefined } | undefined;
  for (const rp of routingPoints) if (!handedOut && rp.voiceRoutingPoint?.dn === dn) handedOut = rp.voiceRoutingPoint;
  if (!listed && !handedOut) return undefined;
  const settings = listed ?? { ...defaults, dn };
  return {
    dn,
    name: settings.name ?? handedOut?.name ?? dn,
    rule: settings.rule,
    previewTimeoutMs: settings.previewTimeoutMs,
    defaultRoute: settings.defaultRoute
      ? { dn: settings.defaultRoute.dn, name: settings.defaultRoute.name ?? null }
      : null,
  };
}
