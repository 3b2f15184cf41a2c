/**
 * Parses a presence-mapping rules file (YAML), validating it with zod. An invalid file is refused with the line at
 * fault, so the caller keeps its current rules (reload without restart, never with a broken file).
 *
 * @example
 * ```yaml
 * rules:
 *   - availability: Available
 *     state: Ready
 *   - availability: [Busy, DoNotDisturb]
 *     activity: Presenting
 *     state: NotReady
 *     reasonCode: presenting
 * routingPoints:
 *   rp-sales:
 *     - availability: Busy
 *       activity: InACall
 *       state: Ready
 * ```
 */
import { z } from 'zod';
import { compileMappingRules, type MappingRuleSet, type MappingRulesConfig } from './mapping-rules.js';
import { readYamlFile } from './yaml-file.js';

const valueOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const ruleSchema = z
  .object({
    availability: valueOrList.optional(),
    activity: valueOrList.optional(),
    state: z.enum(['Ready', 'NotReady', 'Busy', 'LoggedOut']),
    reasonCode: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((r) => r.reasonCode === undefined || r.state === 'NotReady', {
    message: 'reasonCode is only allowed with state NotReady',
    path: ['reasonCode'],
  });

/** The zod schema of a rules file; the lead may embed it in the config file schema. */
export const mappingRulesSchema = z
  .object({
    rules: z.array(ruleSchema),
    routingPoints: z.record(z.string().min(1), z.array(ruleSchema)).optional(),
  })
  .strict();

/** Outcome of parsing a rules file: the compiled rules, or why and where it was refused. */
export type RulesFileResult =
  | { readonly ok: true; readonly config: MappingRulesConfig; readonly rules: MappingRuleSet }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Parses and validates rules-file text. Never throws: an invalid file is a value naming its 1-based line. */
export function parseRulesFile(text: string): RulesFileResult {
  const read = readYamlFile(text, mappingRulesSchema, 'rules file');
  if (!read.ok) return read;
  const config = read.value as MappingRulesConfig;
  return { ok: true, config, rules: compileMappingRules(config) };
}
