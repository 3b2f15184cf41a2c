/**
 * Knowledge-worker directory entries: who an expert is, their skills, their routing priority and their
 * voice target settings. Validated with zod at the config boundary; the lead composes the schema into the
 * config file's schema.
 */
import { z } from 'zod';

/** A skill with its level (higher is better, 1–10). */
export const skillSchema = z.object({
  name: z.string().min(1),
  level: z.number().int().min(1).max(10).default(1),
});

/**
 * Voice target settings of one knowledge worker (ARCHITECTURE §3.4).
 * `extension` (an internal DN, digits with optional `*#`) wins over `number` (any common phone format,
 * normalised to E.164), which wins over Graph `businessPhones` / `mobilePhone`.
 */
export const voiceSettingsSchema = z.object({
  extension: z
    .string()
    .regex(/^[0-9*#]{1,15}$/, 'an extension is 1 to 15 digits (or * and #)')
    .optional(),
  number: z.string().min(1).max(40).optional(),
});

/** The static agent states a directory may carry until the presence engine publishes real ones. */
export const staticStateSchema = z.enum(['Ready', 'NotReady', 'Busy', 'LoggedOut', 'Unknown']);

/** One knowledge worker in the directory. */
export const knowledgeWorkerSchema = z.object({
  /** Entra object id (aadObjectId): the identity used everywhere. */
  id: z.string().min(1),
  name: z.string().min(1),
  email: z.string().email().optional(),
  /** User principal name; the SIP URI is `sip:<upn>`. Defaults to `email` where absent. */
  upn: z.string().min(3).optional(),
  /** Graph `businessPhones` (as synced from Graph, or given statically). */
  businessPhones: z.array(z.string()).default([]),
  /** Graph `mobilePhone`. */
  mobilePhone: z.string().nullable().optional(),
  skills: z.array(skillSchema).default([]),
  /** Routing priority: lower numbers are offered first by the priority strategy. Default 100. */
  priority: z.number().int().min(0).max(10_000).default(100),
  voice: voiceSettingsSchema.default({}),
  /** A static agent state used until the presence engine lands. Default: none (Unknown). */
  staticState: staticStateSchema.optional(),
});

/** A skill with its level. */
export type Skill = z.infer<typeof skillSchema>;

/** Voice target settings of one knowledge worker. */
export type VoiceSettings = z.infer<typeof voiceSettingsSchema>;

/** One knowledge worker of the directory, as validated (defaults applied). */
export type KnowledgeWorker = z.infer<typeof knowledgeWorkerSchema>;

/** One knowledge worker of the directory, as written in config (defaults optional). */
export type KnowledgeWorkerOptions = z.input<typeof knowledgeWorkerSchema>;

/** The directory: unique ids. */
export const knowledgeWorkersSchema = z.array(knowledgeWorkerSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  for (const [i, kw] of list.entries()) {
    if (seen.has(kw.id)) {
      ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `knowledge worker id ${kw.id} appears twice` });
    }
    seen.add(kw.id);
  }
});
