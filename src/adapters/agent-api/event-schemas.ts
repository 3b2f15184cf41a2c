/**
 * The agent side's events, typed: one zod schema per event type for its `data`, the event as the SSE stream and
 * `GET /api/v1/events` carry it (a discriminated union on `type`), and the types the producers build their data with
 * (`EventBody`), so the compiler keeps producers and the published schemas (OpenAPI, AsyncAPI) in step.
 */
import { z } from 'zod';

const isoTime = z.iso.datetime().meta({ description: 'ISO 8601, UTC.' });

const personRefSchema = z
  .object({ id: z.string(), name: z.string(), kind: z.enum(['agent', 'knowledge-worker', 'customer']) })
  .meta({
    id: 'PersonRef',
    description: 'A person: an agent (agent id), a knowledge worker (Entra object id) or a customer.',
  });

const mediationSchema = z
  .object({ kind: z.enum(['queue', 'routing-point']), id: z.string(), name: z.string() })
  .meta({ id: 'Mediation', description: 'The queue or routing point that offered the interaction.' });

const originSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('internal'), from: personRefSchema }),
    z.object({ kind: z.literal('consultation'), from: personRefSchema, parentInteractionId: z.string() }),
    z.object({ kind: z.literal('inbound-chat') }),
    z.object({ kind: z.literal('voice-call'), from: personRefSchema.nullable(), dn: z.string() }),
  ])
  .meta({
    id: 'Origin',
    description:
      'Where the interaction came from: an IM, a consultation from a parent interaction, a customer chat, a call at a voice routing point (its DN; `from`: the agent transferring it, when known).',
  });

const invitationKind = z.enum(['route', 'transfer', 'conference', 'consult']);

const systemEventSchema = z
  .object({
    type: z.enum(['initiated', 'accepted', 'rejected', 'timed_out', 'undeliverable', 'withdrawn', 'joined', 'left']),
    partyId: z.string(),
  })
  .meta({ id: 'SystemEvent', description: 'The structured event behind a system line, about one party.' });

const transcriptLine = (kind: 'message' | 'system') =>
  z.object({
    seq: z.number().int().meta({ description: "The line's number in the transcript." }),
    at: isoTime,
    kind: z.literal(kind),
    partyId: z.string().nullable().meta({ description: 'The author of a message, or the subject of a system line.' }),
    name: z.string().nullable(),
    text: z.string(),
    audience: z.enum(['all', 'internal']).meta({ description: '`internal`: hidden from the customer.' }),
    event: systemEventSchema.nullable(),
  });

const messageLineSchema = transcriptLine('message').meta({ id: 'MessageLine', description: 'A message line.' });
const systemLineSchema = transcriptLine('system').meta({
  id: 'SystemLine',
  description: "A system line (Workspace's wording) and its structured event.",
});

const agentStateSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('Ready') }),
    z.object({ kind: z.literal('NotReady'), reason: z.string().optional() }),
    z.object({ kind: z.literal('Busy') }),
    z.object({ kind: z.literal('LoggedOut') }),
    z.object({ kind: z.literal('Unknown') }),
  ])
  .meta({ id: 'AgentState', description: "A knowledge worker's agent state (NotReady with the mapping's reason)." });

/** What every event about an interaction carries: the interaction and the person the event is for. */
const about = {
  interactionId: z.string(),
  to: personRefSchema.meta({
    description: 'Who the event is for (the agent, or the customer on the platform stream).',
  }),
};

const invitationId = z.string().meta({ description: 'The invitation (its id accepts or declines it).' });
const failure = {
  ...about,
  requestKind: invitationKind,
  message: z.string().meta({ description: 'Why, in words for the agent.' }),
  details: z.array(z.string()).meta({ description: 'One line per candidate or cause.' }),
};

/** Each event type's `data`, by type. */
export const eventDataSchemas = {
  'invitation.offered': z
    .object({
      ...about,
      invitationId: invitationId.meta({
        description: 'Accept with POST /interactions/{interactionId}/invitations/{invitationId}/accept.',
      }),
      kind: invitationKind,
      from: personRefSchema.nullable(),
      via: mediationSchema.nullable(),
      origin: originSchema,
      attachedData: z.record(z.string(), z.string()),
      previewText: z.string().nullable().meta({ description: "An IM's opening line, or the customer's last words." }),
      expiresAt: isoTime,
    })
    .meta({ description: 'An invitation offered to the agent (a preview): accept or decline it.' }),
  'invitation.closed': z
    .object({
      ...about,
      invitationId,
      outcome: z.enum(['accepted', 'declined', 'expired', 'undeliverable', 'withdrawn', 'taken', 'ended']),
      by: personRefSchema.nullable().meta({ description: 'Who took it, for `taken`.' }),
    })
    .meta({ description: 'An invitation offered to the agent ended: its preview is over.' }),
  'invitation.accepted': z
    .object({ ...about, requestKind: invitationKind, by: personRefSchema })
    .meta({ description: "The agent's request (IM, consultation, transfer, conference, consult) was accepted." }),
  'invitation.rejected': z.object(failure).meta({ description: "The agent's request was declined." }),
  'invitation.timed_out': z.object(failure).meta({ description: "No one answered the agent's request in time." }),
  'invitation.failed': z
    .object(failure)
    .meta({ description: "No one is available, or the agent's request could not be delivered." }),
  'request.waiting': z
    .object({
      ...about,
      requestKind: invitationKind,
      routingPoint: mediationSchema.meta({ description: 'The routing point the request waits at.' }),
      position: z.number().int().min(1).meta({ description: 'Its place among the requests waiting there (1: next).' }),
      since: isoTime.meta({ description: 'When it began waiting there.' }),
      until: isoTime.meta({
        description: "When the wait runs out: then the routing point's default route, or a failure.",
      }),
      details: z.array(z.string()).meta({ description: 'What the routing points found, one line each.' }),
    })
    .meta({
      description:
        'No one is available yet: the request waits at a routing point for an expert, and is offered as soon as one ' +
        'becomes available. For a routed chat, on the platform stream.',
    }),
  'request.offered': z
    .object({
      ...about,
      requestKind: invitationKind,
      routingPoint: mediationSchema.meta({ description: 'The routing point the request waited at.' }),
      offeredTo: z.array(personRefSchema).meta({ description: 'Who it is offered to now.' }),
    })
    .meta({
      description:
        'A request that waited at a routing point (`request.waiting`) is offered: its wait is over. For a routed ' +
        'chat, on the platform stream.',
    }),
  'interaction.requeued': z
    .object({
      ...about,
      queue: mediationSchema.meta({ description: 'The queue the chat waits in again.' }),
      routingPoint: mediationSchema.meta({ description: 'The routing point that gave it back.' }),
      details: z.array(z.string()).meta({ description: 'What the routing points found, one line each.' }),
    })
    .meta({
      description:
        'A routing point found no one for a chat it pulled: the chat waits in its queue again (platform stream).',
    }),
  message: z.object({ ...about, entry: messageLineSchema }).meta({ description: 'A message in the interaction.' }),
  'party.joined': z
    .object({ ...about, entry: systemLineSchema })
    .meta({ description: 'Someone joined (`entry.event.type` `joined` or `accepted`).' }),
  'party.left': z.object({ ...about, entry: systemLineSchema }).meta({ description: 'Someone left.' }),
  'transcript.system': z
    .object({ ...about, entry: systemLineSchema })
    .meta({ description: 'Any other system line (an invitation declined, timed out, undeliverable, withdrawn…).' }),
  'transcript.replayed': z
    .object({ ...about, entries: z.array(z.discriminatedUnion('kind', [messageLineSchema, systemLineSchema])) })
    .meta({ description: 'The transcript so far, for a party that just joined.' }),
  'interaction.owner_changed': z
    .object({ ...about, ownerPartyId: z.string(), owner: personRefSchema })
    .meta({ description: 'The interaction has a new owner.' }),
  'interaction.removed': z
    .object({ ...about, by: personRefSchema })
    .meta({ description: 'The agent was removed from a conference.' }),
  'interaction.ended': z
    .object({ ...about, endedBy: personRefSchema.nullable() })
    .meta({ description: 'The interaction ended.' }),
  'knowledge-worker.state': z
    .object({
      knowledgeWorker: z.object({ id: z.string(), name: z.string() }),
      state: agentStateSchema,
      at: isoTime,
    })
    .meta({ description: "A knowledge worker's new agent state, broadcast to the whole contact center." }),
} as const;

/** One event type (also the SSE `event:` and, prefixed, the CloudEvents `type`). */
export type EventType = keyof typeof eventDataSchemas;

/** Every event type. */
export const eventTypes = Object.keys(eventDataSchemas) as EventType[];

/** The `data` of one event type. */
export type EventData<T extends EventType> = z.output<(typeof eventDataSchemas)[T]>;

/** An event's type and its data, as producers build them. */
export type EventBody = { readonly [T in EventType]: { readonly type: T; readonly data: EventData<T> } }[EventType];

/** `invitation.offered` → `InvitationOffered`: the stem of the schema names of one type. */
export function schemaStem(type: EventType): string {
  return type
    .split(/[.\-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The event of one type as the stream and the JSON read carry it. */
function eventOfType<T extends EventType>(type: T) {
  return z
    .object({
      id: z.string().meta({ description: 'The event id: increasing; the SSE `id:`, `Last-Event-ID`, `?after=`.' }),
      type: z.literal(type),
      time: isoTime,
      interactionId: z.string().nullable(),
      agentId: z.string().nullable().meta({ description: 'The agent it is for; null for a broadcast.' }),
      data: eventDataSchemas[type].meta({ id: `${schemaStem(type)}Data` }) as (typeof eventDataSchemas)[T],
    })
    .meta({ id: `${schemaStem(type)}Event`, description: eventDataSchemas[type].description });
}

/** Each type's event schema, by type. */
export const eventSchemas = Object.fromEntries(eventTypes.map((t) => [t, eventOfType(t)])) as {
  readonly [T in EventType]: ReturnType<typeof eventOfType<T>>;
};

/** An event as `GET /api/v1/events` and the stream send it, with the data of its type. */
export interface AgentEventOf<T extends EventType> {
  readonly id: string;
  readonly type: T;
  readonly time: string;
  readonly interactionId: string | null;
  readonly agentId: string | null;
  readonly data: EventData<T>;
}

/** Any event as sent: a union discriminated by `type`. */
export type AnyAgentEvent = { readonly [T in EventType]: AgentEventOf<T> }[EventType];

/** Any event: a union discriminated by `type`. */
export const eventSchema = z
  .discriminatedUnion(
    'type',
    eventTypes.map((t) => eventSchemas[t]) as unknown as [
      ReturnType<typeof eventOfType>,
      ...ReturnType<typeof eventOfType>[],
    ],
  )
  .meta({ id: 'Event', description: 'An event of the agent side; `type` says which, `data` is its payload.' });
