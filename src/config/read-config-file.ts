/**
 * The configuration file's text → the parsed file, or problems naming the key, the line and the fix: YAML syntax,
 * the schema (src/config/config-file-schema.ts), then references between sections (routing point members in the
 * directory, queue members among the agents of the queue's contact center, contact centers' agents and queues, Graph for Entra groups and proactive install). Pure.
 */
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { contactCenterOfAgent, contactCenterOfQueue } from '../adapters/agent-api/agent-api-options.js';
import { type ConfigFile, configFileSchema } from './config-file-schema.js';
import type { ConfigProblem } from './config-problem.js';
import { parseSimpleYaml } from './simple-yaml.js';

/** The configuration file as read by the caller. */
export interface ConfigFileText {
  /** The path as shown to people (as configured, e.g. `config/connector.yaml`). */
  readonly path: string;
  readonly text: string;
}

/** The parsed file, or every problem with its key and line. */
export type ConfigFileRead =
  | { readonly ok: true; readonly value: ConfigFile }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/**
 * Parses and checks the configuration file's text (YAML, the schema, then references between sections). Pure.
 * Plain block-style YAML is read by the fast reader (src/config/simple-yaml.ts); any other YAML, and any file with a
 * problem, goes through the `yaml` library, whose document gives every problem its line.
 */
export function parseConfigFile(file: ConfigFileText): ConfigFileRead {
  const fast = parseSimpleYaml(file.text);
  if (fast !== undefined) {
    const parsed = configFileSchema.safeParse(fast.value ?? {});
    if (parsed.success && crossCheck(parsed.data).length === 0) return { ok: true, value: parsed.data };
  }
  const lines = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((err) => ({
        key: '(file)',
        where: 'file',
        line: err.linePos?.[0]?.line ?? lines.linePos(err.pos[0]).line,
        message: `${file.path} is not valid YAML: ${err.message.split('\n')[0]}`,
        fix: 'fix the YAML syntax at that line (indentation, a missing colon or quote)',
      })),
    };
  }
  const raw = doc.toJS() ?? {};
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => fileProblem(issue, doc, lines)) };
  }
  const cross = crossCheck(parsed.data);
  if (cross.length > 0) {
    return { ok: false, problems: cross.map((c) => ({ ...c, where: 'file', line: lineOf(doc, lines, c.path) })) };
  }
  return { ok: true, value: parsed.data };
}

function keyOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: readonly PropertyKey[],
): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
    if (n === 0 && (isMap(doc.contents) || isSeq(doc.contents))) return 1;
  }
  return null;
}

function fileProblem(
  issue: z.core.$ZodIssue,
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
): ConfigProblem {
  const key = keyOf(issue.path);
  let fix = `correct ${key || 'the file'} (see docs/configuration.md)`;
  if (issue.code === 'unrecognized_keys')
    fix = `remove or rename ${issue.keys.join(', ')}: the known keys are listed in docs/configuration.md`;
  else if (issue.code === 'invalid_type' && issue.expected === 'never') fix = `remove ${key} (${issue.message})`;
  else if (issue.code === 'invalid_type') fix = `give ${key} a value of type ${issue.expected}`;
  else if (issue.code === 'too_small' || issue.code === 'too_big') fix = `give ${key} a value within the allowed range`;
  else if (issue.code === 'invalid_value') fix = `use one of the allowed values for ${key}`;
  return { key: key || '(file)', where: 'file', line: lineOf(doc, lines, issue.path), message: issue.message, fix };
}

function crossCheck(c: ConfigFile): { key: string; path: (string | number)[]; message: string; fix: string }[] {
  const out: { key: string; path: (string | number)[]; message: string; fix: string }[] = [];
  const kwIds = new Set(c.directory.knowledgeWorkers.map((kw) => kw.id));
  const agentIds = new Set<string>();
  c.directory.agents.forEach((a, i) => {
    if (agentIds.has(a.id) || kwIds.has(a.id)) out.push(dup(['directory', 'agents', i, 'id'], a.id, 'person'));
    agentIds.add(a.id);
  });
  c.routing.routingPoints.forEach((rp, i) => {
    if (rp.members.kind === 'entra-group' && !c.presence) {
      const path = ['routing', 'routingPoints', i, 'members', 'groupId'];
      out.push({
        key: keyOf(path),
        path,
        message: `${rp.id}'s members are an Entra group, read through Microsoft Graph, and there is no presence section with the Graph app registration`,
        fix: 'add a presence section (tenantId, and GRAPH_CLIENT_SECRET in the environment; docs/admin.md section 2) or list the members statically',
      });
    }
    if (rp.members.kind !== 'static') return;
    rp.members.ids.forEach((m, j) => {
      if (!kwIds.has(m)) {
        const path = ['routing', 'routingPoints', i, 'members', 'ids', j];
        out.push({
          key: keyOf(path),
          path,
          message: `"${m}" is not a knowledge worker in directory.knowledgeWorkers`,
          fix: `add "${m}" to directory.knowledgeWorkers or remove it from ${rp.id}'s members`,
        });
      }
    });
    if (rp.strategy.kind === 'named' && !kwIds.has(rp.strategy.knowledgeWorkerId)) {
      const path = ['routing', 'routingPoints', i, 'strategy', 'knowledgeWorkerId'];
      out.push({
        key: keyOf(path),
        path,
        message: `"${rp.strategy.knowledgeWorkerId}" is not a knowledge worker in directory.knowledgeWorkers`,
        fix: 'name a knowledge worker of the directory',
      });
    }
  });
  if (c.teams?.teamsCatalogAppId && !c.presence) {
    const path = ['teams', 'teamsCatalogAppId'];
    out.push({
      key: keyOf(path),
      path,
      message:
        'proactive install goes through Microsoft Graph, and there is no presence section with the Graph app registration',
      fix: 'add a presence section (tenantId, and GRAPH_CLIENT_SECRET in the environment; docs/admin.md section 2) or remove teams.teamsCatalogAppId',
    });
  }
  const queueIds = new Set(c.queues.map((q) => q.id));
  c.agentApi.contactCenters.forEach((cc, i) => {
    const check = (field: 'agents' | 'queues', known: Set<string>, where: string) =>
      cc[field].forEach((id, j) => {
        if (known.has(id)) return;
        const path = ['agentApi', 'contactCenters', i, field, j];
        out.push({
          key: keyOf(path),
          path,
          message: `"${id}" is not ${field === 'agents' ? 'an agent' : 'a queue'} in ${where}`,
          fix: `add "${id}" to ${where} or remove it from contact center ${cc.id}`,
        });
      });
    check('agents', agentIds, 'directory.agents');
    check('queues', queueIds, 'queues');
  });
  const ccOfAgent = contactCenterOfAgent(c.agentApi);
  const ccOfQueue = contactCenterOfQueue(c.agentApi);
  c.queues.forEach((q, i) => {
    q.members.forEach((m, j) => {
      const path = ['queues', i, 'members', j];
      if (!agentIds.has(m)) {
        out.push({
          key: keyOf(path),
          path,
          message: `"${m}" is not an agent in directory.agents`,
          fix: `add "${m}" to directory.agents or remove it from the queue`,
        });
      } else if (ccOfAgent(m) !== ccOfQueue(q.id)) {
        out.push({
          key: keyOf(path),
          path,
          message: `"${m}" is an agent of contact center "${ccOfAgent(m)}", queue ${q.id} belongs to "${ccOfQueue(q.id)}"`,
          fix: 'a queue offers chats to agents of its own contact center only: list both in one contact center (agentApi.contactCenters)',
        });
      }
    });
  });
  return out;
}

function dup(path: (string | number)[], value: string, what: string) {
  return {
    key: keyOf(path),
    path,
    message: `the ${what} id "${value}" is used twice`,
    fix: 'give each entry its own id',
  };
}
