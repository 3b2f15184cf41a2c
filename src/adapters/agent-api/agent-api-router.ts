/**
 * The agent API over HTTP: `/api/v1/…` (every route authenticated by API key or Entra token and rate limited per
 * caller before its body is read, refused credentials limited per client address; an unknown operation is a 404
 * problem document), the OpenAPI document at `/openapi.json` built from the same route declarations, the AsyncAPI
 * document of the events at `/asyncapi.json`, and the reference page at `/api/v1/reference`.
 */
import express from 'express';
import { ProblemError, problem } from '../http/problem.js';
import type { AgentApiOptions } from './agent-api-options.js';
import type { AgentApiContext } from './api-context.js';
import { buildAsyncApi } from './asyncapi.js';
import { authenticate, callerOf } from './authenticate.js';
import { type AnyRoute, handlerOf } from './define-route.js';
import { createEntraVerifier } from './entra-token.js';
import { buildOpenApi } from './openapi.js';
import { RateLimiter } from './rate-limit.js';
import { referencePage } from './reference-page.js';
import { adminRoutes } from './routes/admin-routes.js';
import { chatRoutes } from './routes/chat-routes.js';
import { directoryRoutes } from './routes/directory-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { interactionRoutes } from './routes/interaction-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { voiceCallRoutes } from './routes/voice-call-routes.js';

/** The base path of the API. */
export const apiBasePath = '/api/v1';

/** The agent API's router and the OpenAPI document it serves. */
export interface AgentApiHttp {
  /** Serves `/api/v1/…`, `/openapi.json`, `/asyncapi.json` and `/api/v1/reference`. */
  readonly router: express.Router;
  readonly openApi: Record<string, unknown>;
  readonly asyncApi: Record<string, unknown>;
}

/** Builds the router: the API's own routes, then `extraRoutes` (the report routes) with the same keys and limits. */
export function createAgentApiRouter(
  ctx: AgentApiContext,
  options: AgentApiOptions,
  agentBelongs: (agentId: string, contactCenter: string) => boolean,
  extraRoutes: readonly AnyRoute[] = [],
): AgentApiHttp {
  const routes: AnyRoute[] = [
    ...meRoutes(ctx),
    ...directoryRoutes(ctx),
    ...interactionRoutes(ctx),
    ...chatRoutes(ctx),
    ...voiceCallRoutes(ctx),
    ...eventRoutes(ctx),
    ...adminRoutes(ctx, agentBelongs),
    ...extraRoutes,
  ];
  const openApi = buildOpenApi(routes, apiBasePath, '1.0.0');
  const asyncApi = buildAsyncApi(apiBasePath, '1.0.0');
  const { refused, ...perKey } = options.rateLimit;
  const limiter = new RateLimiter({ clock: ctx.clock, ...perKey });
  const refusedLimiter = new RateLimiter({ clock: ctx.clock, ...refused });

  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  router.get('/asyncapi.json', (_req, res) => {
    res.json(asyncApi);
  });
  router.get(`${apiBasePath}/reference`, (_req, res) => {
    res.type('html').send(referencePage);
  });
  const api = express.Router();
  const entra = options.entra ? createEntraVerifier(options.entra, ctx.clock) : undefined;
  // Authentication and the rate limits first: a refused request's body is never read.
  api.use(authenticate({ keys: ctx.keys, limiter, refusedLimiter, agentBelongs, entra }));
  api.use(express.json({ limit: '256kb' }));
  for (const route of routes) api[route.method](route.path, handlerOf(route, callerOf));
  api.use((req, _res, next) => {
    next(
      new ProblemError(problem(404, 'not-found', 'Not found', `No operation ${req.method} ${apiBasePath}${req.path}.`)),
    );
  });
  router.use(apiBasePath, api);
  return { router, openApi, asyncApi };
}
