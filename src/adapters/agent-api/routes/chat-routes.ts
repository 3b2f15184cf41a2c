/**
 * The contact-center platform's customer-chat routes: a chat arrives in a queue, a routing point pulls it, the
 * customer writes, the customer leaves. Platform keys only; replies reach the platform as events and webhooks.
 */
import { ProblemError, problem } from '../../http/problem.js';
import { type AgentApiContext, requirePlatform, visibleInteraction } from '../api-context.js';
import { type AnyRoute, defineRoute } from '../define-route.js';
import { interactionView } from '../interaction-view.js';
import {
  customerMessageBody,
  interactionIdParams,
  interactionViewSchema,
  receiveChatBody,
  routeChatBody,
} from '../schemas.js';
import { resolveTarget, runCommand, runStartCommand } from './run-command.js';

const view = { description: 'The chat after the change.', schema: interactionViewSchema };

/** A queue offers only a chat waiting in it: naming another queue is a conflict (nothing changes). */
async function requireOwnQueue(ctx: AgentApiContext, id: string, queueId: string): Promise<void> {
  const ix = await ctx.commands.get(id);
  const waitsIn = ix?.mediation?.kind === 'queue' ? ix.mediation.id : null;
  if (waitsIn !== null && waitsIn !== queueId) {
    throw new ProblemError(
      problem(409, 'wrong-queue', 'Conflict', `Chat ${id} waits in queue ${waitsIn}, not ${queueId}.`, {
        code: 'wrong-queue',
      }),
    );
  }
}

/** The customer-chat routes. */
export function chatRoutes(ctx: AgentApiContext): AnyRoute[] {
  const customerOf = async (caller: Parameters<typeof visibleInteraction>[1], id: string) => {
    requirePlatform(caller);
    const ix = await visibleInteraction(ctx, { ...caller, agentId: null }, id);
    const customer = ix.parties.find((p) => p.role === 'Customer');
    if (!customer)
      throw new ProblemError(problem(409, 'wrong-media', 'Conflict', `Interaction ${id} is not a customer chat.`));
    return customer.person.id;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/chats',
      operationId: 'receiveChat',
      summary: 'Hand in a customer chat: it waits in the queue and is offered to its agents',
      tag: 'Customer chats',
      auth: 'platform',
      body: receiveChatBody,
      responses: { 201: { description: 'The chat, waiting.', schema: interactionViewSchema } },
      errors: [403, 404, 409],
      handle: async ({ body, caller }) => {
        requirePlatform(caller);
        const target = resolveTarget(ctx, caller.contactCenter, { kind: 'queue', id: body.queueId }, 'body.queueId');
        if (target.kind !== 'queue') throw new Error('unreachable');
        const id = body.id ?? ctx.newId();
        const ix = await runStartCommand(ctx, caller.contactCenter, {
          type: 'ReceiveChat',
          interactionId: id,
          customer: { id: body.customer.id ?? `customer-${id}`, name: body.customer.name, kind: 'customer' },
          queue: { kind: 'queue', id: target.id, name: target.name },
          text: body.text,
          attachedData: body.attachedData,
        });
        return { status: 201, body: interactionView(ix, null) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/chats/:id/route',
      operationId: 'routeChat',
      summary:
        "Route a queued chat: a routing point pulls it (routingPointId), or its queue offers it to the queue's agents (queueId)",
      tag: 'Customer chats',
      auth: 'platform',
      params: interactionIdParams,
      body: routeChatBody,
      responses: { 200: view },
      errors: [403, 404, 409],
      handle: async ({ params, body, caller }) => {
        await customerOf(caller, params.id);
        const place = body.queueId
          ? resolveTarget(ctx, caller.contactCenter, { kind: 'queue', id: body.queueId }, 'body.queueId')
          : resolveTarget(
              ctx,
              caller.contactCenter,
              { kind: 'routing-point', id: body.routingPointId ?? '' },
              'body.routingPointId',
            );
        if (place.kind === 'person') throw new Error('unreachable');
        if (place.kind === 'queue') await requireOwnQueue(ctx, params.id, place.id);
        const ix = await runCommand(ctx, {
          type: 'PullFromQueue',
          interactionId: params.id,
          routingPoint: { kind: place.kind, id: place.id, name: place.name },
        });
        return { status: 200, body: interactionView(ix, null) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/chats/:id/customer-messages',
      operationId: 'customerMessage',
      summary: 'A message from the customer',
      tag: 'Customer chats',
      auth: 'platform',
      params: interactionIdParams,
      body: customerMessageBody,
      responses: { 200: view },
      errors: [403, 404, 409],
      handle: async ({ params, body, caller }) => {
        const customerId = await customerOf(caller, params.id);
        const ix = await runCommand(ctx, {
          type: 'SendMessage',
          interactionId: params.id,
          from: customerId,
          text: body.text,
        });
        return { status: 200, body: interactionView(ix, null) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/chats/:id/customer-leaves',
      operationId: 'customerLeaves',
      summary: 'The customer leaves (abandons while queued, routing or ringing; ends the chat when handled)',
      tag: 'Customer chats',
      auth: 'platform',
      params: interactionIdParams,
      responses: { 200: view },
      errors: [403, 404, 409],
      handle: async ({ params, caller }) => {
        const customerId = await customerOf(caller, params.id);
        const ix = await runCommand(ctx, { type: 'End', interactionId: params.id, by: customerId });
        return { status: 200, body: interactionView(ix, null) };
      },
    }),
  ];
}
