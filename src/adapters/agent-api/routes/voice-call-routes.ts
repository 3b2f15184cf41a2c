/**
 * The contact-center platform's voice-call routes (seed 000 step 8): a call arrives at a voice routing point with
 * attached data naming the knowledge worker; the connector routes it to them at once (the `direct` rule) or previews
 * it to them in Teams, and answers with where the call goes. Platform keys only.
 */
import { voiceAttachedDataKeys } from '../../../domain/escalation/voice-route.js';
import { voiceRoutingPointFor } from '../../../domain/escalation/voice-routing-points.js';
import type { Interaction, PersonRef } from '../../../domain/interaction/types.js';
import { ProblemError, problem } from '../../http/problem.js';
import { type AgentApiContext, notFound, personById, requirePlatform, visibleInteraction } from '../api-context.js';
import type { Caller } from '../authenticate.js';
import { type AnyRoute, defineRoute } from '../define-route.js';
import { receiveCallBody, voiceCallParams, voiceCallQuery, voiceCallSchema } from '../voice-call-schemas.js';
import { voiceCallView } from '../voice-call-view.js';
import { runCommand, runStartCommand } from './run-command.js';

const k = voiceAttachedDataKeys;

/**
 * How often a long poll looks at the call in the database again, in ms: a decision taken on another replica is seen
 * within this; one taken here wakes it at once.
 */
const POLL_EVERY_MS = 250;

function unknown(code: string, field: string, detail: string): ProblemError {
  return new ProblemError(
    problem(404, code, 'Not found', detail, { code, 'invalid-params': [{ name: field, reason: detail }] }),
  );
}

/**
 * Resolves after `ms`, or as soon as a command committed here changes interaction `id` (when `changes` is given), or
 * the response `res` closes (the client went away).
 */
function pause(
  ms: number,
  id: string,
  changes: AgentApiContext['onInteractionsChanged'],
  res: { once(event: 'close', listener: () => void): unknown; off(event: 'close', listener: () => void): unknown },
): Promise<void> {
  return new Promise<void>((resolve) => {
    let unsubscribe = () => {};
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
    unsubscribe =
      changes?.((ids) => {
        if (ids.includes(id)) done();
      }) ?? unsubscribe;
  });
}

/** The voice-call routes. */
export function voiceCallRoutes(ctx: AgentApiContext): AnyRoute[] {
  const settingsOf = (dn: string) =>
    voiceRoutingPointFor(
      dn,
      ctx.escalation.voiceRoutingPoints,
      [...ctx.index().routingPoints.values()].map((rp) => rp.definition),
    );
  const view = (ix: Interaction) => {
    const dn = ix.origin.kind === 'voice-call' ? ix.origin.dn : '';
    return voiceCallView(ix, settingsOf(dn), ctx.index(), ctx.escalation);
  };
  /** A call the caller's contact center reported, or 404. */
  const callOf = async (caller: Caller, id: string): Promise<Interaction> => {
    const ix = await visibleInteraction(ctx, { ...caller, agentId: null }, id);
    if (ix.media !== 'voice') throw notFound(`Call ${id}`);
    return ix;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/voice-calls',
      operationId: 'receiveCall',
      summary: 'Report a call arriving at a voice routing point: the connector decides where it goes',
      description:
        "A call sent to a voice routing point with attached data naming the knowledge worker (`UCC_KnowledgeWorkerId`, as `GET /interactions/{id}/voice-target` handed it out). With the routing point's `direct` rule the answer is 201 with the decision: the knowledge worker's target. With `preview` the knowledge worker gets a call preview card in Teams (who is transferring, the case information, Accept / Decline, a countdown) and the answer is 202 with `status` `previewing`: follow `GET /voice-calls/{id}?waitMs=` for the decision, the knowledge worker's target when they accept, the routing point's default route when they decline, the preview times out or cannot reach them. The pending preview is kept in the database: a restart keeps it and its deadline.",
      tag: 'Voice calls',
      auth: 'platform',
      body: receiveCallBody,
      responses: {
        201: {
          description: "Decided at once (the `direct` rule): the knowledge worker's target.",
          schema: voiceCallSchema,
        },
        202: { description: 'Previewing to the knowledge worker: the decision follows.', schema: voiceCallSchema },
      },
      errors: [403, 404, 409],
      handle: async ({ body, caller }) => {
        requirePlatform(caller);
        const rp = settingsOf(body.routingPoint);
        if (!rp) {
          throw unknown(
            'unknown-routing-point',
            'body.routingPoint',
            `No voice routing point has DN ${body.routingPoint}.`,
          );
        }
        const kwId = (body.attachedData[k.knowledgeWorkerId] ?? '').trim();
        const kw = ctx.index().knowledgeWorkers.get(kwId);
        if (!kw) {
          throw unknown(
            'unknown-knowledge-worker',
            `body.attachedData.${k.knowledgeWorkerId}`,
            `No knowledge worker has id ${kwId}.`,
          );
        }
        // The consultation's case information (its own, and its parent's) beneath the call's keys; and who asked.
        let caseData: Readonly<Record<string, string>> = {};
        let from: PersonRef | null = null;
        const agentId = body.attachedData[k.agentId];
        if (agentId) from = personById(ctx, 'agent', agentId, caller.contactCenter) ?? null;
        const consultationId = body.attachedData[k.consultationId];
        if (consultationId) {
          const consultation = await ctx.commands.get(consultationId);
          const cc = consultation
            ? ((await ctx.log.contactCenterOf(consultationId)) ?? ctx.defaultContactCenter)
            : null;
          if (consultation && cc === caller.contactCenter) {
            caseData = consultation.attachedData;
            const initiator = consultation.parties.find((p) => p.role === 'Initiated')?.person;
            if (!from && initiator?.kind === 'agent') from = initiator;
          }
        }
        const ix = await runStartCommand(ctx, caller.contactCenter, {
          type: 'ReceiveCall',
          interactionId: body.id ?? ctx.newId(),
          routingPoint: { kind: 'routing-point', id: rp.dn, name: rp.name },
          knowledgeWorker: { id: kw.id, name: kw.name, kind: 'knowledge-worker' },
          from,
          attachedData: { ...caseData, ...body.attachedData },
          rule: rp.rule,
          timeoutMs: rp.previewTimeoutMs,
        });
        const answer = view(ix);
        return { status: answer.status === 'decided' ? 201 : 202, body: answer };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/voice-calls/:id/abandon',
      operationId: 'abandonCall',
      summary: 'The caller hung up while the call was previewing',
      description:
        "The knowledge worker's preview is withdrawn (its card says the caller hung up) and recorded as RoutedTo/CustomerAbandoned [AbandonedWhileRinging]; the call's `status` becomes `abandoned`. 409 `interaction-ended` once the call was decided.",
      tag: 'Voice calls',
      auth: 'platform',
      params: voiceCallParams,
      responses: { 200: { description: 'The call, abandoned.', schema: voiceCallSchema } },
      errors: [403, 404, 409],
      handle: async ({ params, caller }) => {
        requirePlatform(caller);
        await callOf(caller, params.id);
        const ix = await runCommand(ctx, { type: 'AbandonCall', interactionId: params.id });
        return { status: 200, body: view(ix) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/voice-calls/:id',
      operationId: 'getCall',
      summary: 'A call at a voice routing point and where it goes (long poll with waitMs)',
      description:
        'The call and its decision. While its preview is open, `waitMs` holds the answer until the decision is taken or `waitMs` passes (at most 25 s), whichever comes first; then `status` says which. Ask again while it is `previewing`.',
      tag: 'Voice calls',
      auth: 'platform',
      params: voiceCallParams,
      query: voiceCallQuery,
      responses: { 200: { description: 'The call, previewing or decided.', schema: voiceCallSchema } },
      errors: [403, 404],
      handle: async ({ params, query, caller, res }) => {
        requirePlatform(caller);
        let ix = await callOf(caller, params.id);
        // Bounded by counting pauses rather than reading a clock: a pause cut short by a change here is counted whole,
        // which only shortens the wait.
        for (let waited = 0; ix.endedAt === null && waited < query.waitMs && !res.destroyed; waited += POLL_EVERY_MS) {
          await pause(Math.min(POLL_EVERY_MS, query.waitMs - waited), params.id, ctx.onInteractionsChanged, res);
          ix = (await ctx.commands.get(params.id)) ?? ix;
        }
        return { status: 200, body: view(ix) };
      },
    }),
  ];
}
