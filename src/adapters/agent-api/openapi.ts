/**
 * The OpenAPI 3.1 document, generated from the same route table and zod schemas that validate requests
 * (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import type { AnyRoute } from './define-route.js';
import { documentContact } from './document-info.js';

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem document (media type application/problem+json).',
  properties: {
    type: { type: 'string', description: 'A URI naming the kind of problem.' },
    title: { type: 'string' },
    status: { type: 'integer', description: 'The HTTP status.' },
    detail: { type: 'string', description: 'What went wrong in this request.' },
    code: { type: 'string', description: 'The refusal code, for conflicts and refusals (e.g. `interaction-ended`).' },
    'invalid-params': {
      type: 'array',
      description: 'The fields at fault, each named `path.…`, `query.…` or `body.…`.',
      items: { type: 'object', properties: { name: { type: 'string' }, reason: { type: 'string' } } },
    },
    retryAfterSeconds: { type: 'integer', description: 'With 429: seconds to wait (as Retry-After).' },
  },
  required: ['type', 'title', 'status'],
};

const errorText: Record<number, string> = {
  400: 'Invalid input (a field, a query parameter, malformed JSON): `invalid-params` names each field.',
  401: 'No credential, or an unknown or revoked API key, or an invalid Entra ID token.',
  403: 'Not allowed: not a party, not the owner, the wrong kind of key, or an X-Agent-Id outside the contact center.',
  404: 'Unknown id (or one of another contact center).',
  409: 'The state does not allow it; `code` and `detail` say why. Nothing changed.',
  413: 'The request body is larger than 256 KB.',
  429: 'Rate limited (per key, or per client address after refused credentials; `agentApi.rateLimit`); retry after the Retry-After header.',
  500: 'The connector could not complete the request (logged; no detail is disclosed).',
  503: 'An Entra ID token could not be verified now (its signing keys are unreachable); retry later.',
};

/** The tags of the document, with their descriptions; every route's `tag` must be one of them. */
export const apiTags: Readonly<Record<string, string>> = {
  'Team Communicator':
    'Who the caller is, and the directory: knowledge workers, agents, routing points and queues with their live state.',
  'Instant messaging':
    "IMs and consultation IMs with knowledge workers and agents: start, send, end, cancel, the transcript and the accepted expert's voice target.",
  'Customer chats':
    "Customer chats handed in by the contact-center platform: queued, routed, the customer's messages and leaving; transfers, conferences and consults.",
  'Voice calls':
    'Calls the contact-center platform sends to a voice routing point to reach the knowledge worker handling the IM (seed 000 step 8): previewed to them in Teams or routed at once, answered with where the call goes.',
  Invitations: 'Invitations offered to an agent (a routed chat, a transfer, a conference, an IM): accept or reject.',
  Events: 'The event log: read it as JSON, or follow it as Server-Sent Events.',
  Administration: "The contact center's API keys (platform keys only).",
  Webhooks: 'Webhook endpoints receiving the events, signed after Standard Webhooks (platform keys only).',
  Reports: 'Resource facts in Info Mart vocabulary, summaries, series and agent-state timelines (platform keys only).',
  Agents: "Agents' contact-center states, reported by the platform or the agent; shown in Teams for agents who use it.",
};

const authText: Record<AnyRoute['auth'], string> = {
  agent: 'Acts as an agent: an agent key, or a platform key with X-Agent-Id.',
  platform: 'Needs a platform key (not bound to an agent).',
  any: "Any key: an agent key sees what its agent takes part in; a platform key its contact center's.",
  none: 'No credential needed.',
};

/** Named schemas (zod `.meta({ id })`) gathered from every route, for `components.schemas`. */
type Components = Record<string, unknown>;

/**
 * The JSON Schema of a zod schema. Named schemas land in `components` and are referenced there (zod writes them to
 * a local `$defs`, which would not resolve inside the OpenAPI document).
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Components): Record<string, unknown> {
  const raw = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
  const rewritten = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<
    string,
    unknown
  >;
  const { $schema: _s, $defs, ...rest } = rewritten;
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) components[name] ??= def;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query', components: Components) {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input', components) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

/** Builds the document for the routes mounted under `basePath`. */
export function buildOpenApi(routes: readonly AnyRoute[], basePath: string, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Components = { Problem: problemSchema };
  for (const route of routes) {
    if (!Object.hasOwn(apiTags, route.tag)) throw new Error(`route ${route.operationId}: undeclared tag ${route.tag}`);
    const path = basePath + route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(route.responses)) {
      const media = route.stream ? 'text/event-stream' : 'application/json';
      if (r.content) {
        const content = Object.fromEntries(
          Object.entries(r.content).map(([type, s]) => [
            type,
            { schema: s ? jsonSchema(s, 'output', components) : { type: 'string' } },
          ]),
        );
        responses[status] = { description: r.description, content };
        continue;
      }
      responses[status] = {
        description: r.description,
        ...(r.schema
          ? { content: { [media]: { schema: jsonSchema(r.schema, 'output', components) } } }
          : route.stream
            ? { content: { [media]: { schema: { type: 'string' } } } }
            : {}),
      };
    }
    for (const status of errorStatuses(route)) {
      responses[String(status)] = {
        description: errorText[status] ?? 'Error.',
        ...(status === 429 ? { headers: { 'Retry-After': retryAfterHeader } } : {}),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      description: [route.description ?? `${route.summary}.`, authText[route.auth]].join('\n\n'),
      tags: [route.tag],
      ...(route.auth === 'none' ? { security: [] } : {}),
      parameters: [
        ...parameters(route.params, 'path', components),
        ...parameters(route.query, 'query', components),
        ...agentHeader(route),
      ],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input', components) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Teams UC Connector agent API',
      version,
      description:
        'Agents reach experts in Microsoft Teams: Team Communicator, IMs and consultations, customer chats, live events and webhooks. Every error is an RFC 9457 problem document (application/problem+json). See docs/api.md.',
      contact: documentContact,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'The connector serving this document.' }],
    tags: Object.entries(apiTags).map(([name, description]) => ({ name, description })),
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (ucc_…), or an Entra ID client-credential token where agentApi.entra allows it.',
        },
      },
      schemas: components,
    },
  };
}

const retryAfterHeader = {
  description: 'Seconds to wait before retrying.',
  schema: { type: 'integer', minimum: 1 },
};

/** The error statuses a route can answer, each a problem document. */
function errorStatuses(route: AnyRoute): number[] {
  const statuses = new Set([
    ...(route.auth === 'none' ? [] : [401, 403, 429, 503]),
    ...(route.params || route.query || route.body ? [400] : []),
    ...(route.body ? [413] : []),
    ...(route.errors ?? []),
    500,
  ]);
  return [...statuses].sort((a, b) => a - b);
}

function agentHeader(route: AnyRoute) {
  if (route.auth === 'none' || route.auth === 'platform') return [];
  return [
    {
      name: 'X-Agent-Id',
      in: 'header',
      required: false,
      description: 'With a platform key: the agent to act as.',
      schema: { type: 'string' },
    },
  ];
}
