/**
 * The contact center reports agents' states (Ready, NotReady with a reason, Busy on a call or a chat, after-call
 * work): `POST /agents/{agentId}/state`. An agent who uses Teams too (`directory.agents[].entraUserId`) shows it there,
 * as the agents' presence mapping says (or Teams is left alone). An agent's key reports its own agent; a platform key
 * any agent of its contact center.
 */
import { z } from 'zod';
import {
  AGENT_CONTACT_STATES,
  type AgentContactState,
  type ShownPair,
} from '../../../domain/presence/agent-presence.js';
import { ProblemError, problem } from '../../http/problem.js';
import { type AnyRoute, defineRoute } from '../define-route.js';

/** What the route needs from the presence-writes feature. */
export interface AgentStateReporting {
  /** The agent's contact center, or undefined for an agent not in the directory. */
  contactCenterOf(agentId: string): string | undefined;
  /** Whether the agent has an Entra user id (uses Teams). */
  usesTeams(agentId: string): boolean;
  /** Records the state (durably) and answers what Teams shows for the agent now (null: left alone). */
  report(agentId: string, state: AgentContactState): Promise<ShownPair | null>;
}

const body = z
  .strictObject({
    state: z.enum(AGENT_CONTACT_STATES).describe('The agent’s contact-center state.'),
    reason: z.string().trim().min(1).max(64).optional().describe('NotReady’s reason code, e.g. `Lunch`.'),
    media: z.enum(['call', 'chat']).optional().describe('Busy on what.'),
  })
  .refine((b) => b.reason === undefined || b.state === 'NotReady', {
    message: 'reason is only allowed with state NotReady',
    path: ['reason'],
  })
  .refine((b) => b.media === undefined || b.state === 'Busy', {
    message: 'media is only allowed with state Busy',
    path: ['media'],
  });

const answer = z
  .strictObject({
    agentId: z.string(),
    state: z.enum(AGENT_CONTACT_STATES),
    reason: z.string().nullable(),
    media: z.enum(['call', 'chat']).nullable(),
    teams: z
      .strictObject({ availability: z.string(), activity: z.string() })
      .nullable()
      .describe('What Teams shows for the agent because of this state; null: Teams is left alone.'),
  })
  .meta({ id: 'AgentStateReport' });

/** The agent state route. */
export function agentStateRoutes(reporting: AgentStateReporting): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/agents/:agentId/state',
      operationId: 'reportAgentState',
      summary: 'Report an agent’s contact-center state; an agent who uses Teams shows it there',
      tag: 'Agents',
      auth: 'any',
      params: z.strictObject({ agentId: z.string().min(1).max(200) }),
      body,
      responses: { 200: { description: 'Recorded; what Teams shows now.', schema: answer } },
      errors: [403, 404, 409],
      handle: async ({ params, body: b, caller }) => {
        const { agentId } = params;
        if (!caller.platform && caller.agentId !== agentId)
          throw new ProblemError(
            problem(403, 'other-agent', 'Another agent', 'An agent’s key reports only its own agent’s state.'),
          );
        if (reporting.contactCenterOf(agentId) !== caller.contactCenter)
          throw new ProblemError(
            problem(404, 'unknown-agent', 'Unknown agent', `Agent ${agentId} is not in the directory.`),
          );
        if (!reporting.usesTeams(agentId))
          throw new ProblemError(
            problem(
              409,
              'no-teams-user',
              'No Teams user',
              `Agent ${agentId} has no entraUserId in the directory: there is no Teams presence to show the state in.`,
            ),
          );
        const state: AgentContactState = { state: b.state, reason: b.reason, media: b.media };
        const teams = await reporting.report(agentId, state);
        return {
          status: 200,
          body: { agentId, state: b.state, reason: b.reason ?? null, media: b.media ?? null, teams } satisfies z.infer<
            typeof answer
          >,
        };
      },
    }),
  ];
}
