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
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { compileMappingRules, type MappingRuleSet, type MappingRulesConfig } from './mapping-rules.js';

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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  const yamlError = doc.errors[0];
  if (yamlError) return { ok: false, line: lineOf(yamlError.pos[0]), message: yamlError.message.split('\n')[0] ?? '' };
  const parsed = mappingRulesSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) {
    const config = parsed.data as MappingRulesConfig;
    return { ok: true, config, rules: compileMappingRules(config) };
  }
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
  // Walk up the path until a node with a source range is found (a missing key points at its parent).
  let line = 1;
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      line = lineOf(node.range[0]);
      break;
    }
  }
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  return { ok: false, line, message: `${where}${issue?.message ?? 'invalid rules file'}` };
}
