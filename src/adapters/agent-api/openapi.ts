/**
 * The OpenAPI 3.1 document, generated from the same route table and zod schemas that validate requests
 * (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import type { AnyRoute } from './define-route.js';

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem document.',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    'invalid-params': {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, reason: { type: 'string' } } },
    },
  },
  required: ['type', 'title', 'status'],
};

const errorText: Record<number, string> = {
  400: 'Invalid input: `invalid-params` names each field.',
  401: 'No API key, or an unknown or revoked one.',
  403: 'Not allowed: not a party, not the owner, or the wrong kind of key.',
  404: 'Unknown id.',
  409: 'The state does not allow it; `code` and `detail` say why.',
  413: 'The body is over 256 KB.',
  429: 'Rate limited (per key, or per client address after refused credentials); see Retry-After.',
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
    const errors = new Set([
      ...(route.auth === 'none' ? [] : [401, 429]),
      ...(route.params || route.query || route.body ? [400] : []),
      ...(route.body ? [413] : []),
      ...(route.errors ?? []),
    ]);
    for (const status of [...errors].sort()) {
      responses[String(status)] = {
        description: errorText[status] ?? 'Error.',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(route.auth === 'none' ? { security: [] } : {}),
      ...(route.auth === 'agent'
        ? { description: 'Acts as an agent: an agent key, or a platform key with X-Agent-Id.' }
        : {}),
      ...(route.auth === 'platform' ? { description: 'Needs a platform key (not bound to an agent).' } : {}),
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
        'Agents reach experts in Microsoft Teams: Team Communicator, IMs and consultations, customer chats, live events and webhooks. See docs/api.md.',
    },
    servers: [{ url: '/' }],
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
