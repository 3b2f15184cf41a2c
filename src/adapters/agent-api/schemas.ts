/**
 * The agent API's zod schemas: requests (validated at entry) and responses (documented). The OpenAPI document is
 * generated from these, so the documentation and the validation cannot drift apart.
 */
import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from '../../domain/interaction/message-length.js';

const id = z.string().trim().min(1).max(200);
const text = z
  .string()
  .max(MAX_MESSAGE_LENGTH, `at most ${MAX_MESSAGE_LENGTH.toLocaleString('en-US')} characters`)
  .meta({ description: `At most ${MAX_MESSAGE_LENGTH.toLocaleString('en-US')} characters (UTF-16 code units).` });

/** Key-value attached data (case information). */
export const attachedDataSchema = z
  .record(z.string().min(1).max(100), z.string().max(2_000))
  .refine((r) => Object.keys(r).length <= 50, 'at most 50 keys')
  .meta({
    description:
      "Case information: key-value attached data, at most 50 keys. The expert's preview card in Teams shows the keys of `teams.caseInfoFields` in config/connector.yaml, in order (default CallType, Priority, Reason, Segment); other keys are kept and returned with the interaction.",
  });

/** A person or place to reach. */
export const targetSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('knowledge-worker'), id }),
    z.strictObject({ kind: z.literal('agent'), id }),
    z.strictObject({ kind: z.literal('routing-point'), id }),
    z.strictObject({ kind: z.literal('queue'), id }),
  ])
  .meta({ id: 'Target', description: 'A knowledge worker, an agent, a routing point or a queue, by id.' });

const interactionId = id.meta({ description: 'The interaction id.' });
export const interactionIdParams = z.strictObject({ id: interactionId });
export const invitationParams = z.strictObject({
  id: interactionId,
  invitationId: id.meta({ description: "The invitation id (from the interaction's `invitations[].id`)." }),
});
export const partyParams = z.strictObject({
  id: interactionId,
  partyId: id.meta({ description: "The party id (from the interaction's `parties[].id`)." }),
});

export const startImBody = z.strictObject({
  id: id.optional().meta({ description: 'Your id for the new interaction (idempotency); generated when absent.' }),
  target: targetSchema,
  text: text.refine((t) => t.trim().length > 0, 'must not be empty'),
  parentInteractionId: id.optional().meta({ description: 'Start a consultation IM from this active interaction.' }),
  attachedData: attachedDataSchema.optional(),
});

export const messageBody = z.strictObject({
  text: text.refine((t) => t.trim().length > 0, 'must not be empty'),
  internal: z.boolean().optional().meta({ description: 'Hide the message from the customer.' }),
});

export const escalationBody = z
  .strictObject({
    kind: z.enum(['transfer', 'conference', 'consult']),
    target: targetSchema.optional(),
    consultationId: id.optional().meta({ description: 'Transfer or conference to this active consultation.' }),
  })
  .refine((b) => (b.target === undefined) !== (b.consultationId === undefined), {
    message: 'give either target or consultationId',
    path: ['target'],
  });

export const receiveChatBody = z.strictObject({
  id: id.optional(),
  customer: z.strictObject({ id: id.optional(), name: z.string().trim().min(1).max(200) }),
  queueId: id,
  text: text.optional(),
  attachedData: attachedDataSchema.optional(),
});

export const routeChatBody = z
  .strictObject({
    routingPointId: id.optional().meta({ description: 'A routing point pulls the chat; its strategy offers it.' }),
    queueId: id
      .optional()
      .meta({ description: "The chat's own queue offers it to the queue's agents, in turn; it stays queued." }),
  })
  .refine((b) => (b.routingPointId === undefined) !== (b.queueId === undefined), {
    message: 'give either routingPointId or queueId',
    path: ['routingPointId'],
  });
export const customerMessageBody = z.strictObject({
  text: text.refine((t) => t.trim().length > 0, 'must not be empty'),
});

export const directoryQuery = z.strictObject({
  q: z.string().max(200).optional().meta({ description: 'Matches name, e-mail, phone or skill (case-insensitive).' }),
  kind: z
    .enum(['knowledge-worker', 'agent', 'routing-point', 'queue'])
    .optional()
    .meta({ description: 'Only entries of this kind.' }),
  state: z
    .enum(['Ready', 'NotReady', 'Busy', 'LoggedOut', 'Unknown'])
    .optional()
    .meta({ description: 'Only entries in this state now (`state.kind`).' }),
  skill: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'Only entries with this skill (exact, case-insensitive).' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .meta({ description: 'At most this many entries on this page.' }),
  cursor: z.string().min(1).max(2_000).optional().meta({
    description:
      "Where this page starts: a previous page's `nextCursor` (opaque). Send the same filters with it; without it, the first page.",
  }),
});

export const eventsQuery = z.strictObject({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: 'Events after this id (default: only new ones for a stream, all for a read).' }),
  limit: z.coerce.number().int().min(1).max(1_000).default(200).meta({ description: 'At most this many events.' }),
});

export const createKeyBody = z.strictObject({
  agentId: id.nullable().meta({ description: 'The agent the key acts as; null for a platform key.' }),
  label: z.string().trim().min(1).max(200),
});
export const keyParams = z.strictObject({ keyId: id.meta({ description: 'The key id.' }) });

export const createWebhookBody = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  types: z.array(z.string().min(1).max(100)).max(50).default([]).meta({ description: 'Event types; empty for all.' }),
});
export const webhookParams = z.strictObject({ webhookId: id.meta({ description: 'The webhook endpoint id.' }) });

export const directoryEntrySchema = z
  .object({
    kind: z.enum(['knowledge-worker', 'agent', 'routing-point', 'queue']),
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    phones: z.array(z.string()),
    skills: z.array(z.string()),
    state: z.object({ kind: z.string(), reason: z.string().optional() }),
    reachable: z.boolean().optional().meta({
      description:
        'Knowledge workers, when the Teams bot is on: whether the bot can reach them in Teams (routing offers work only to those it can).',
    }),
    unreachable: z
      .object({
        reason: z.enum(['not-installed', 'install-failed', 'blocked']),
        detail: z.string(),
        since: z.string(),
      })
      .optional()
      .meta({
        description:
          'Why the bot cannot reach this knowledge worker: the app is not installed for them, installing it failed, or they blocked the bot; what Teams or Graph answered; since when (ISO 8601).',
      }),
  })
  .meta({ id: 'DirectoryEntry' });

export const directoryPageSchema = z
  .object({
    entries: z.array(directoryEntrySchema).meta({ description: 'This page: by name, then kind, then id.' }),
    nextCursor: z.string().nullable().meta({
      description: 'The cursor of the next page (pass it as `cursor`); null on the last page.',
    }),
    next: z.string().nullable().meta({
      description: 'The next page as a path with this query and its cursor; null on the last page.',
    }),
  })
  .meta({ id: 'DirectoryPage' });

export const apiKeySchema = z
  .object({
    keyId: z.string(),
    key: z.string().optional().meta({ description: 'Shown once, on creation.' }),
    contactCenter: z.string(),
    agentId: z.string().nullable(),
    label: z.string(),
    createdAt: z.number(),
    revokedAt: z.number().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    types: z.array(z.string()),
    secret: z.string().optional().meta({ description: 'The Standard Webhooks secret; shown once, on creation.' }),
  })
  .meta({ id: 'Webhook' });

export const callerSchema = z
  .object({
    contactCenter: z.string(),
    platform: z.boolean().meta({ description: 'True for a platform key.' }),
    agent: z.object({ id: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: 'Caller' });
