/**
 * Reading a small YAML file (a mapping file) checked with zod: the value, or the first problem and the line at
 * fault, so a caller can refuse an edit and keep what it has. Shared by the presence rules and the agents' mapping.
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

/** The file's value, or its first problem with its line. */
export type YamlFileResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Parses `text` and checks it with `schema`; `what` names the file in a problem without a path. Never throws. */
export function readYamlFile<S extends z.ZodType>(text: string, schema: S, what: string): YamlFileResult<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  const yamlError = doc.errors[0];
  if (yamlError) return { ok: false, line: lineOf(yamlError.pos[0]), message: yamlError.message.split('\n')[0] ?? '' };
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
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
  return { ok: false, line, message: `${where}${issue?.message ?? `invalid ${what}`}` };
}
