/**
 * Platform administration of a contact center: API keys (created shown once, listed without secrets, revoked) and
 * webhook endpoints (created with their signing secret shown once, listed, removed). Platform keys only. A webhook
 * URL whose host is, or resolves to, an address inside the network (loopback, private, link-local, unspecified) is
 * refused unless the configuration allows it.
 */
import { z } from 'zod';
import { ProblemError, problem } from '../../http/problem.js';
import { refusedTarget } from '../../webhooks/webhook-target.js';
import { type AgentApiContext, notFound, requirePlatform } from '../api-context.js';
import { type AnyRoute, defineRoute } from '../define-route.js';
import { apiKeySchema, createKeyBody, createWebhookBody, keyParams, webhookParams, webhookSchema } from '../schemas.js';

/** Options: whether an agent belongs to a contact center. */
export function adminRoutes(ctx: AgentApiContext, agentBelongs: (agentId: string, cc: string) => boolean): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/keys',
      operationId: 'createKey',
      summary: 'Create an API key (agent key, or platform key with agentId null); the key is shown once',
      tag: 'Administration',
      auth: 'platform',
      body: createKeyBody,
      responses: { 201: { description: 'The key, with its secret.', schema: apiKeySchema } },
      errors: [403],
      handle: async ({ body, caller }) => {
        requirePlatform(caller);
        if (body.agentId !== null && !agentBelongs(body.agentId, caller.contactCenter)) {
          throw new ProblemError(
            problem(400, 'invalid-request', 'Invalid request', `Agent ${body.agentId} is not in this contact center.`, {
              'invalid-params': [{ name: 'body.agentId', reason: 'not an agent of this contact center' }],
            }),
          );
        }
        const created = await ctx.keys.create({
          contactCenter: caller.contactCenter,
          agentId: body.agentId,
          label: body.label,
        });
        return { status: 201, body: created };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/keys',
      operationId: 'listKeys',
      summary: "The contact center's keys (never their secrets)",
      tag: 'Administration',
      auth: 'platform',
      responses: { 200: { description: 'Keys.', schema: z.object({ keys: z.array(apiKeySchema) }) } },
      errors: [403],
      handle: async ({ caller }) => {
        requirePlatform(caller);
        return { status: 200, body: { keys: await ctx.keys.list(caller.contactCenter) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/keys/:keyId',
      operationId: 'revokeKey',
      summary: 'Revoke a key',
      tag: 'Administration',
      auth: 'platform',
      params: keyParams,
      responses: { 204: { description: 'Revoked.' } },
      errors: [403, 404],
      handle: async ({ params, caller }) => {
        requirePlatform(caller);
        if (!(await ctx.keys.revoke(caller.contactCenter, params.keyId))) throw notFound(`Key ${params.keyId}`);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks',
      operationId: 'createWebhook',
      summary: 'Add a webhook endpoint; its Standard Webhooks secret is shown once',
      tag: 'Webhooks',
      auth: 'platform',
      body: createWebhookBody,
      responses: { 201: { description: 'The endpoint, with its secret.', schema: webhookSchema } },
      errors: [403],
      handle: async ({ body, caller }) => {
        requirePlatform(caller);
        const refused = ctx.allowPrivateWebhookTargets ? null : await refusedTarget(body.url, ctx.resolveHost);
        if (refused) {
          throw new ProblemError(
            problem(400, 'invalid-request', 'Invalid request', `Refused webhook target: ${refused}.`, {
              'invalid-params': [
                { name: 'body.url', reason: `${refused}; webhooks may not target internal addresses` },
              ],
            }),
          );
        }
        return { status: 201, body: await ctx.webhooks.create(caller.contactCenter, body.url, body.types) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/webhooks',
      operationId: 'listWebhooks',
      summary: "The contact center's webhook endpoints",
      tag: 'Webhooks',
      auth: 'platform',
      responses: { 200: { description: 'Endpoints.', schema: z.object({ webhooks: z.array(webhookSchema) }) } },
      errors: [403],
      handle: async ({ caller }) => {
        requirePlatform(caller);
        return { status: 200, body: { webhooks: await ctx.webhooks.list(caller.contactCenter) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/webhooks/:webhookId',
      operationId: 'deleteWebhook',
      summary: 'Remove a webhook endpoint',
      tag: 'Webhooks',
      auth: 'platform',
      params: webhookParams,
      responses: { 204: { description: 'Removed.' } },
      errors: [403, 404],
      handle: async ({ params, caller }) => {
        requirePlatform(caller);
        if (!(await ctx.webhooks.remove(caller.contactCenter, params.webhookId)))
          throw notFound(`Webhook ${params.webhookId}`);
        return { status: 204 };
      },
    }),
  ];
}
