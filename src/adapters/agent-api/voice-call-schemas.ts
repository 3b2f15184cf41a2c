/**
 * The zod schemas of `/voice-calls`: a call the contact center reports at a voice routing point (seed 000 step 8),
 * and the connector's decision of where it goes. The OpenAPI document is generated from these.
 */
import { z } from 'zod';
import { voiceAttachedDataKeys } from '../../domain/escalation/voice-route.js';
import { directSchema, teamsSchema } from './voice-target-schema.js';

const id = z.string().trim().min(1).max(200);
const isoTime = z.iso.datetime().meta({ description: 'ISO 8601 UTC.' });
const k = voiceAttachedDataKeys;

/** `POST /voice-calls`. */
export const receiveCallBody = z.strictObject({
  id: id.optional().meta({
    description:
      "The call's id (the contact center's connection id, say); it becomes the id of the call here. Default: a new id.",
  }),
  routingPoint: z.string().trim().min(1).max(64).meta({
    description:
      'The DN of the voice routing point the call arrived at: one of `escalation.voiceRoutingPoints`, or a `voiceRoutingPoint` a knowledge-worker routing point hands out.',
  }),
  attachedData: z
    .record(z.string().min(1).max(100), z.string().max(2_000))
    .refine((r) => Object.keys(r).length <= 50, 'at most 50 keys')
    .refine(
      (r) => (r[k.knowledgeWorkerId] ?? '').trim() !== '',
      `must name the knowledge worker in ${k.knowledgeWorkerId}`,
    )
    .meta({
      description: `The call's attached data (UserData), as \`GET /interactions/{id}/voice-target\` handed it out: \`${k.knowledgeWorkerId}\` (required) names the knowledge worker; \`${k.agentId}\` the agent transferring it; \`${k.consultationId}\` the consultation, whose case information the preview shows beneath the call's own keys. At most 50 keys.`,
    }),
});

/** `GET /voice-calls/{id}`. */
export const voiceCallParams = z.strictObject({ id: id.meta({ description: 'The call id.' }) });

/** `GET /voice-calls/{id}?waitMs=`. */
export const voiceCallQuery = z.strictObject({
  waitMs: z.coerce.number().int().min(0).max(25_000).default(0).meta({
    description:
      'Long poll: while the preview is open, wait up to this long (at most 25 000 ms) for the decision before answering. Default 0: answer at once.',
  }),
});

const decisionTargetSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('knowledge-worker'),
      dn: z.string().nullable().meta({
        description: "What to dial: the knowledge worker's extension or E.164 number; null when none is known.",
      }),
      direct: directSchema,
      teams: teamsSchema,
    }),
    z.object({
      kind: z.literal('default'),
      dn: z.string().nullable().meta({
        description:
          "The voice routing point's `defaultRoute` DN; null when none is configured (the strategy's own default applies).",
      }),
      name: z.string().nullable(),
    }),
  ])
  .meta({ id: 'CallTarget', description: 'Where to route the call.' });

/** A call and its decision. */
export const voiceCallSchema = z
  .object({
    id: z.string(),
    routingPoint: z.object({ dn: z.string(), name: z.string() }),
    rule: z.enum(['preview', 'direct']).meta({
      description: "The voice routing point's business rule: preview first, or route to the knowledge worker at once.",
    }),
    knowledgeWorker: z.object({ id: z.string(), name: z.string() }),
    from: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .meta({ description: 'The agent transferring the call, when the attached data names one of yours.' }),
    attachedData: z.record(z.string(), z.string()),
    receivedAt: isoTime,
    status: z.enum(['previewing', 'decided', 'abandoned']).meta({
      description:
        'previewing: the knowledge worker has the preview; decided: see `decision`; abandoned: the caller hung up while it was previewing (`POST /voice-calls/{id}/abandon`).',
    }),
    expiresAt: isoTime.nullable().meta({ description: 'While previewing: when the preview times out.' }),
    decision: z
      .object({
        route: z.enum(['knowledge-worker', 'default']),
        reason: z.enum(['direct', 'accepted', 'declined', 'timed_out', 'undeliverable']).meta({
          description:
            'direct: the `direct` rule; accepted: the knowledge worker accepted the preview; declined, timed_out: they declined it or let it time out; undeliverable: the preview could not reach them in Teams.',
        }),
        decidedAt: isoTime,
        target: decisionTargetSchema,
      })
      .nullable()
      .meta({ description: 'Where the call goes; null while previewing, and for an abandoned call.' }),
  })
  .meta({
    id: 'VoiceCall',
    description:
      'A call at a voice routing point and where it goes: to the knowledge worker named by its attached data, or to the default route.',
  });

/** A call and its decision, as sent. */
export type VoiceCallView = z.infer<typeof voiceCallSchema>;
