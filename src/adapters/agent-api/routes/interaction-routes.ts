/**
 * The agent's interaction routes: start an IM or a consultation IM, send, end, cancel, answer an invitation,
 * escalate a chat (transfer, conference, consult, to an active consultation), delete from conference, and read
 * the interaction, its transcript and the accepted expert's voice target.
 */
import { z } from 'zod';
import { voiceTargetsFor } from '../../../domain/escalation/voice-targets-for.js';
import { ProblemError, problem } from '../../http/problem.js';
import { type AgentApiContext, agentOf, personById, visibleInteraction } from '../api-context.js';
import { type AnyRoute, defineRoute } from '../define-route.js';
import { interactionViewSchema, transcriptEntrySchema } from '../interaction-schemas.js';
import { entryView, interactionView } from '../interaction-view.js';
import {
  escalationBody,
  interactionIdParams,
  invitationParams,
  messageBody,
  partyParams,
  startImBody,
} from '../schemas.js';
import { voiceTargetSchema } from '../voice-target-schema.js';
import { resolveTarget, runCommand, runStartCommand } from './run-command.js';

const ok = (ix: Parameters<typeof interactionView>[0], agentId: string | null, status = 200) => ({
  status,
  body: interactionView(ix, agentId),
});
const view = { description: 'The interaction after the change.', schema: interactionViewSchema };

/** The interaction routes. */
export function interactionRoutes(ctx: AgentApiContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/interactions',
      operationId: 'startIm',
      summary:
        'Start an IM to a knowledge worker, an agent or a routing point (a consultation IM with parentInteractionId)',
      tag: 'Instant messaging',
      auth: 'agent',
      body: startImBody,
      responses: { 201: { description: 'The IM, establishing.', schema: interactionViewSchema } },
      errors: [403, 404, 409],
      handle: async ({ body, caller }) => {
        const agentId = agentOf(caller);
        const me = personById(ctx, 'agent', agentId, caller.contactCenter);
        if (!me)
          throw new ProblemError(
            problem(403, 'unknown-agent', 'Unknown agent', `Agent ${agentId} is not in the directory.`),
          );
        const target = resolveTarget(ctx, caller.contactCenter, body.target);
        if (body.parentInteractionId) await visibleInteraction(ctx, caller, body.parentInteractionId);
        const id = body.id ?? ctx.newId();
        const ix = await runStartCommand(ctx, caller.contactCenter, {
          type: 'StartIm',
          interactionId: id,
          initiator: me,
          target,
          text: body.text,
          parentInteractionId: body.parentInteractionId,
          attachedData: body.attachedData,
        });
        return ok(ix, agentId, 201);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/interactions/:id',
      operationId: 'getInteraction',
      summary: "The interaction's parties, statuses, invitations and case information",
      tag: 'Instant messaging',
      auth: 'any',
      params: interactionIdParams,
      responses: { 200: { description: 'The interaction.', schema: interactionViewSchema } },
      errors: [403, 404],
      handle: async ({ params, caller }) => {
        const ix = await visibleInteraction(ctx, caller, params.id);
        const waiting = ix.request?.waiting;
        const position =
          waiting && ctx.waitingPosition ? await ctx.waitingPosition(waiting.routingPoint.id, ix.id) : null;
        return { status: 200, body: interactionView(ix, caller.agentId, position) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/interactions/:id/transcript',
      operationId: 'getTranscript',
      summary: 'The transcript, in order',
      tag: 'Instant messaging',
      auth: 'any',
      params: interactionIdParams,
      responses: {
        200: { description: 'The transcript.', schema: z.object({ entries: z.array(transcriptEntrySchema) }) },
      },
      errors: [403, 404],
      handle: async ({ params, caller }) => {
        const ix = await visibleInteraction(ctx, caller, params.id);
        return { status: 200, body: { entries: ix.transcript.map(entryView) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/interactions/:id/messages',
      operationId: 'sendMessage',
      summary: 'Send a message',
      tag: 'Instant messaging',
      auth: 'agent',
      params: interactionIdParams,
      body: messageBody,
      responses: { 200: view },
      errors: [403, 404, 409],
      handle: async ({ params, body, caller }) => {
        const agentId = agentOf(caller);
        await visibleInteraction(ctx, caller, params.id);
        const ix = await runCommand(ctx, {
          type: 'SendMessage',
          interactionId: params.id,
          from: agentId,
          text: body.text,
          internal: body.internal,
        });
        return ok(ix, agentId);
      },
    }),
    ...simpleActions(ctx),
    defineRoute({
      method: 'post',
      path: '/interactions/:id/escalations',
      operationId: 'escalate',
      summary:
        'Transfer, conference or consult a customer chat (to a person, routing point, queue or an active consultation)',
      tag: 'Customer chats',
      auth: 'agent',
      params: interactionIdParams,
      body: escalationBody,
      responses: { 200: view },
      errors: [403, 404, 409],
      handle: async ({ params, body, caller }) => {
        const agentId = agentOf(caller);
        await visibleInteraction(ctx, caller, params.id);
        if (body.consultationId) await visibleInteraction(ctx, caller, body.consultationId);
        const ix = await runCommand(ctx, {
          type: 'Escalate',
          interactionId: params.id,
          kind: body.kind,
          by: agentId,
          target: body.target ? resolveTarget(ctx, caller.contactCenter, body.target) : undefined,
          consultationId: body.consultationId,
        });
        return ok(ix, agentId);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/interactions/:id/parties/:partyId',
      operationId: 'deleteFromConference',
      summary: 'Delete a party from the conference',
      tag: 'Customer chats',
      auth: 'agent',
      params: partyParams,
      responses: { 200: view },
      errors: [403, 404, 409],
      handle: async ({ params, caller }) => {
        const agentId = agentOf(caller);
        await visibleInteraction(ctx, caller, params.id);
        const ix = await runCommand(ctx, {
          type: 'DeleteFromConference',
          interactionId: params.id,
          by: agentId,
          partyId: params.partyId,
        });
        return ok(ix, agentId);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/interactions/:id/voice-target',
      operationId: 'getVoiceTarget',
      summary: 'The voice target of the knowledge worker who accepted (for the call transfer or conference)',
      description:
        "The accepted expert's direct voice target (configured extension or number, else Graph businessPhones then mobilePhone as E.164), Teams identity, and the routing-point route: the `voiceRoutingPoint` of the knowledge-worker routing point that connected them, with `UCC_*` attached data naming the expert and the consultation (see VoiceAttachedData). 409 `no-accepted-expert` while no knowledge worker is connected.",
      tag: 'Instant messaging',
      auth: 'any',
      params: interactionIdParams,
      responses: {
        200: { description: 'Direct number, Teams identity and routing-point route.', schema: voiceTargetSchema },
      },
      errors: [403, 404, 409],
      handle: async ({ params, caller }) => {
        const ix = await visibleInteraction(ctx, caller, params.id);
        const result = voiceTargetsFor(ix, ctx.index(), ctx.escalation);
        if (result.kind !== 'ready') {
          const detail =
            result.kind === 'no-accepted-expert'
              ? 'No knowledge worker has accepted this interaction (or they left).'
              : `Knowledge worker ${result.knowledgeWorkerId} is no longer in the directory.`;
          throw new ProblemError(problem(409, result.kind, 'No voice target', detail, { code: result.kind }));
        }
        const { kind: _kind, ...target } = result;
        return { status: 200, body: target };
      },
    }),
  ];
}

function simpleActions(ctx: AgentApiContext): AnyRoute[] {
  /** An action on one's own part of an interaction that takes no body. */
  const ownAction = (type: 'End' | 'Cancel', path: string, operationId: string, summary: string) =>
    defineRoute({
      method: 'post',
      path,
      operationId,
      summary,
      tag: 'Instant messaging',
      auth: 'agent',
      params: interactionIdParams,
      responses: { 200: view },
      errors: [403, 404, 409],
      handle: async ({ params, caller }) => {
        const agentId = agentOf(caller);
        await visibleInteraction(ctx, caller, params.id);
        return ok(await runCommand(ctx, { type, interactionId: params.id, by: agentId }), agentId);
      },
    });
  const end = ownAction(
    'End',
    '/interactions/:id/end',
    'endInteraction',
    'End your part (End IM / End chat); an IM ends for both sides',
  );
  const cancel = ownAction(
    'Cancel',
    '/interactions/:id/cancel',
    'cancelRequest',
    'Cancel your pending request (its previews are withdrawn)',
  );
  const answer = (type: 'Accept' | 'Reject') =>
    defineRoute({
      method: 'post',
      path: `/interactions/:id/invitations/:invitationId/${type === 'Accept' ? 'accept' : 'reject'}`,
      operationId: type === 'Accept' ? 'acceptInvitation' : 'rejectInvitation',
      summary: `${type} an invitation offered to you (a routed chat, a transfer, a conference, an IM)`,
      tag: 'Invitations',
      auth: 'agent',
      params: invitationParams,
      responses: { 200: view },
      errors: [403, 404, 409],
      handle: async ({ params, caller }) => {
        const agentId = agentOf(caller);
        await visibleInteraction(ctx, caller, params.id);
        const ix = await runCommand(ctx, {
          type,
          interactionId: params.id,
          invitationId: params.invitationId,
          by: agentId,
        });
        return ok(ix, agentId);
      },
    });
  return [end, cancel, answer('Accept'), answer('Reject')];
}
