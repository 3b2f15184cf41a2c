/**
 * Who the caller is: the contact center of the key and the agent it acts as (with the agent's name), so a client
 * such as the agent console can greet the agent and tell its own messages from others'.
 */
import type { z } from 'zod';
import { type AgentApiContext, personById } from '../api-context.js';
import { type AnyRoute, defineRoute } from '../define-route.js';
import { callerSchema } from '../schemas.js';

/** The caller route. */
export function meRoutes(ctx: AgentApiContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/me',
      operationId: 'whoAmI',
      summary: 'The caller: contact center, the agent acted as (null for a platform key acting for itself)',
      tag: 'Team Communicator',
      auth: 'any',
      responses: { 200: { description: 'The caller.', schema: callerSchema } },
      handle: async ({ caller }) => {
        const agent = caller.agentId ? personById(ctx, 'agent', caller.agentId, caller.contactCenter) : undefined;
        const body: z.infer<typeof callerSchema> = {
          contactCenter: caller.contactCenter,
          platform: caller.platform,
          agent: agent ? { id: agent.id, name: agent.name } : null,
        };
        return { status: 200, body };
      },
    }),
  ];
}
