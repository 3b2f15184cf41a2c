/**
 * The zod schemas of an interaction as the agent API answers it (`interactionView` in `interaction-view.ts`) and of
 * its transcript lines. They document the real shape, field by field: the OpenAPI document is generated from them
 * and the tests validate every answer against it, so a field the API sends and this schema lacks fails the tests.
 */
import { z } from 'zod';
import { FACT_OUTCOMES } from '../../domain/reporting/resource-fact.js';

const isoTime = z.iso.datetime();

/** A person taking part. */
export const personSchema = z
  .object({
    id: z.string().meta({ description: 'Agent id, knowledge worker Entra object id, or customer id.' }),
    name: z.string(),
    kind: z.enum(['agent', 'knowledge-worker', 'customer']),
  })
  .meta({ id: 'Person', description: 'An agent, a knowledge worker or a customer.' });

/** A queue or routing point an interaction waits in, or that offered it. */
export const mediationSchema = z
  .object({ kind: z.enum(['queue', 'routing-point']), id: z.string(), name: z.string() })
  .meta({ id: 'Mediation', description: 'An interaction queue or a routing point, with its display name.' });

const originSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('internal'), from: personSchema }),
    z.object({
      kind: z.literal('consultation'),
      from: personSchema,
      parentInteractionId: z.string().meta({ description: 'The interaction the consultation was started from.' }),
    }),
    z.object({ kind: z.literal('inbound-chat') }),
    z.object({
      kind: z.literal('voice-call'),
      from: personSchema.nullable().meta({ description: 'The agent transferring the call, when known.' }),
      dn: z.string().meta({ description: 'The voice routing point the call arrived at.' }),
    }),
  ])
  .meta({
    id: 'Origin',
    description:
      'Where the interaction came from: an internal IM, a consultation IM, an inbound customer chat, or a call at a voice routing point (see `POST /voice-calls`).',
  });

const invitationKind = z
  .enum(['route', 'transfer', 'conference', 'consult'])
  .meta({ description: 'route, transfer, conference or consult.' });

const partySchema = z
  .object({
    id: z.string(),
    person: personSchema,
    role: z
      .enum(['Customer', 'Initiated', 'RoutedTo', 'ReceivedTransfer', 'InConference', 'ReceivedConsult'])
      .meta({ description: "The party's Info Mart role." }),
    visibility: z.enum(['all', 'consult']).meta({ description: 'consult: invisible to the customer.' }),
    status: z.enum(['establishing', 'connected', 'ended']),
    exit: z
      .enum(FACT_OUTCOMES)
      .nullable()
      .meta({ description: 'How the party left (the outcome of its resource fact); null while it takes part.' }),
    via: mediationSchema
      .nullable()
      .meta({ description: 'The routing point or queue that offered this party the interaction; null otherwise.' }),
    connectedAt: isoTime.nullable().meta({ description: 'When the party connected; null while establishing.' }),
    endedAt: isoTime.nullable().meta({ description: 'When the party left; null while it takes part.' }),
  })
  .meta({ id: 'Party', description: 'One participation of one person (a person invited twice is two parties).' });

const invitationSchema = z
  .object({
    id: z.string(),
    kind: invitationKind,
    target: personSchema,
    state: z
      .enum(['pending', 'accepted', 'rejected', 'timed_out', 'undeliverable', 'revoked', 'customer_abandoned'])
      .meta({ description: 'pending, or how it ended (each invitation ends exactly once).' }),
    dueAt: isoTime.meta({ description: 'When it times out.' }),
  })
  .meta({ id: 'Invitation', description: 'An offer of the interaction to one person.' });

const requestTargetSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('person'), person: personSchema }),
    z.object({ kind: z.literal('routing-point'), id: z.string(), name: z.string() }),
    z.object({ kind: z.literal('queue'), id: z.string(), name: z.string() }),
  ])
  .meta({
    id: 'RequestTarget',
    description: 'Who an open request asks for: a named person, a routing point or a queue.',
  });

/** A transcript line. */
export const transcriptEntrySchema = z
  .object({
    seq: z.number().int().meta({ description: 'Order in the transcript, from 1.' }),
    at: isoTime,
    kind: z.enum(['message', 'system']),
    partyId: z.string().nullable().meta({ description: 'The author of a message, or the subject of a system line.' }),
    name: z.string().nullable(),
    text: z.string(),
    audience: z.enum(['all', 'internal']).meta({ description: 'internal: hidden from the customer.' }),
  })
  .meta({ id: 'TranscriptEntry', description: 'One line of the transcript.' });

/** An interaction as an agent sees it. */
export const interactionViewSchema = z
  .object({
    id: z.string(),
    media: z
      .enum(['im', 'chat', 'voice'])
      .meta({ description: 'voice: a call at a voice routing point, previewed to a knowledge worker.' }),
    status: z
      .enum(['waiting', 'establishing', 'connected', 'ended'])
      .meta({ description: "As the caller's window shows it; waiting while a chat sits in a queue." }),
    origin: originSchema,
    attachedData: z.record(z.string(), z.string()).meta({
      description:
        'Case information and other attached data. The preview card in Teams shows the keys of `teams.caseInfoFields` (default CallType, Priority, Reason, Segment).',
    }),
    createdAt: isoTime,
    endedAt: isoTime.nullable(),
    ownerPartyId: z.string().nullable().meta({ description: 'The owning party; null while waiting or after the end.' }),
    mediation: mediationSchema.nullable().meta({
      description: 'Where the interaction waits while no one handles it (a queue, or a routing point that pulled it).',
    }),
    parties: z.array(partySchema),
    invitations: z.array(invitationSchema),
    request: z
      .object({
        kind: invitationKind,
        target: requestTargetSchema,
        since: isoTime,
        waiting: z
          .object({
            routingPoint: mediationSchema,
            since: isoTime.meta({ description: 'When it began waiting there (its place in arrival order).' }),
            until: isoTime.meta({
              description: "When the wait runs out: then the routing point's default route, or a failure.",
            }),
            position: z.number().int().min(1).nullable().meta({
              description: 'Its place among the requests waiting there (1: next); given by GET /interactions/{id}.',
            }),
          })
          .nullable()
          .meta({
            description:
              'Waiting for an expert: no one was available at the routing point, which offers the request as soon ' +
              'as a member becomes available, or follows its default route when the wait runs out. Null otherwise.',
          }),
      })
      .nullable()
      .meta({ description: 'The open request for a new party (at most one); null when none.' }),
    consultationIds: z.array(z.string()).meta({ description: 'Consultations started from this interaction.' }),
  })
  .meta({ id: 'Interaction', description: 'An interaction (IM or customer chat) as the caller sees it.' });
