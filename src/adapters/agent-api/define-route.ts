/**
 * One route of the agent API, declared once: its zod schemas validate the request at entry and generate the
 * OpenAPI document; its handler returns a value (status and body) or throws a ProblemError.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { type InvalidParam, ProblemError, problem } from '../http/problem.js';
import type { Caller } from './authenticate.js';

/** Who may call a route: an agent (an agent key, or a platform key naming one), the platform, any key, anyone. */
export type RouteAuth = 'agent' | 'platform' | 'any' | 'none';

/** What a handler answers. `body` undefined sends no content. */
export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A validated request. */
export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly caller: Caller;
  readonly req: Request;
  readonly res: Response;
}

/** A declared route. */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'get' | 'post' | 'delete';
  /** Express path, relative to `/api/v1` (`/interactions/:id`). */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** The operation's description in the document (default: the summary); who may call it is added. */
  readonly description?: string | undefined;
  readonly tag: string;
  readonly auth: RouteAuth;
  readonly params?: z.ZodType<P> | undefined;
  readonly query?: z.ZodType<Q> | undefined;
  readonly body?: z.ZodType<B> | undefined;
  /** Success responses by status; error statuses are documented as problem documents. */
  readonly responses: Readonly<
    Record<
      number,
      {
        readonly description: string;
        readonly schema?: z.ZodType;
        /** Several media types (content negotiation): each with its schema, or null for plain text (CSV). */
        readonly content?: Readonly<Record<string, z.ZodType | null>>;
      }
    >
  >;
  /** Error statuses this route may answer (besides 400, 401, 429). */
  readonly errors?: readonly number[] | undefined;
  /**
   * Set for streaming routes (text/event-stream unless the response names its `content`): the handler writes the
   * response itself and returns undefined.
   */
  readonly stream?: boolean | undefined;
  readonly handle: (input: RouteInput<P, Q, B>) => Promise<RouteResult | undefined>;
}

/** Declares a route (keeps the types of its schemas). */
export function defineRoute<P, Q, B>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

/** Any route, for tables. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous table of routes.
export type AnyRoute = RouteSpec<any, any, any>;

function invalid(where: string, error: z.ZodError): ProblemError {
  const params: InvalidParam[] = error.issues.map((issue) => ({
    name: [where, ...issue.path.map(String)].join('.'),
    reason: issue.message,
  }));
  const names = params.map((p) => p.name).join(', ');
  return new ProblemError(
    problem(400, 'invalid-request', 'Invalid request', `Invalid value for ${names}.`, { 'invalid-params': params }),
  );
}

/**
 * Query values as given, refusing what no schema should have to read: an empty value (`?after=`) and a parameter
 * given twice (`?limit=1&limit=2`). Each is named `query.<parameter>`.
 */
function plainQuery(query: Request['query']): Record<string, unknown> {
  const params: InvalidParam[] = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    if (typeof value === 'string' && value.trim() === '')
      params.push({ name: `query.${name}`, reason: 'must not be empty: leave the parameter out instead' });
    else if (typeof value !== 'string')
      params.push({ name: `query.${name}`, reason: 'must be given once, as a plain value' });
  }
  if (params.length > 0) {
    const names = params.map((p) => p.name).join(', ');
    throw new ProblemError(
      problem(400, 'invalid-request', 'Invalid request', `Invalid value for ${names}.`, { 'invalid-params': params }),
    );
  }
  return query;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw invalid(where, result.error);
  return result.data;
}

/** The express handler of a route: validates, runs, answers. `callerOf` is set by the authentication middleware. */
export function handlerOf(route: AnyRoute, callerOf: (req: Request) => Caller): RequestHandler {
  return async (req, res, next) => {
    try {
      const params = parse(route.params, req.params, 'path');
      const query = parse(route.query, route.query ? plainQuery(req.query) : req.query, 'query');
      const body = parse(route.body, req.body, 'body');
      const result = await route.handle({ params, query, body, caller: callerOf(req), req, res });
      if (!result) return;
      for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
      if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    } catch (error) {
      next(error);
    }
  };
}
