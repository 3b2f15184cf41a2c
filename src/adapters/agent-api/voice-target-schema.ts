/**
 * The zod schema of `GET /interactions/{id}/voice-target`: the accepted expert's direct voice target, Teams identity
 * and routing-point route, typed after `src/domain/escalation/` (the `UCC_*` attached-data keys come from there).
 */
import { z } from 'zod';
import { voiceAttachedDataKeys } from '../../domain/escalation/voice-route.js';

const numberSource = z.enum(['configured', 'businessPhones', 'mobilePhone']).meta({
  description:
    'Where the number came from: the directory (`voice.number`), then Graph businessPhones, then mobilePhone.',
});

/** A direct voice target (named `DirectVoiceTarget`). */
export const directSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('extension'),
      extension: z.string().meta({ description: 'The configured internal extension (`voice.extension`).' }),
      source: z.literal('configured'),
    }),
    z.object({
      kind: z.literal('number'),
      number: z.object({
        e164: z.string().meta({ description: '`+` then 8 to 15 digits.' }),
        extension: z.string().nullable().meta({ description: 'Digits of an extension, if the number had one.' }),
        tel: z.string().meta({ description: 'RFC 3966 URI: `tel:+14255550100` or `tel:+14255550100;ext=123`.' }),
      }),
      source: numberSource,
    }),
    z.object({
      kind: z.literal('none'),
      reason: z.literal('no-voice-target-configured'),
      refused: z
        .array(
          z.object({
            source: numberSource,
            value: z.string(),
            refusal: z.enum([
              'empty',
              'invalid-characters',
              'too-short',
              'too-long',
              'bad-country-code',
              'bad-national-number',
            ]),
          }),
        )
        .meta({ description: 'The numbers that could not be read as E.164, and why.' }),
    }),
  ])
  .meta({
    id: 'DirectVoiceTarget',
    description:
      'Where to transfer or conference the call directly: the configured extension, else the first number that reads as E.164 (configured `voice.number`, Graph businessPhones, mobilePhone; national numbers use `escalation.defaultCountryCode`), else none.',
  });

/** A knowledge worker in Teams (named `TeamsIdentity`). */
export const teamsSchema = z
  .object({
    aadObjectId: z.string().meta({ description: "The knowledge worker's Entra object id." }),
    upn: z.string().nullable().meta({ description: 'User principal name (Graph, else the directory upn or email).' }),
    sipUri: z.string().nullable().meta({ description: '`sip:<upn>`; null without a UPN.' }),
  })
  .meta({ id: 'TeamsIdentity', description: 'The knowledge worker in Teams.' });

const k = voiceAttachedDataKeys;
const key = (description: string) => z.string().meta({ description });

/** The attached data set on the routed call: the `UCC_*` keys of `voiceAttachedDataKeys`. */
export const voiceAttachedDataSchema = z
  .object({
    [k.knowledgeWorkerId]: key("The knowledge worker's Entra object id."),
    [k.knowledgeWorkerName]: key('Their display name.'),
    [k.upn]: key('Their user principal name (Teams identity), when known.').optional(),
    [k.sipUri]: key('Their SIP URI (`sip:<upn>`), when known.').optional(),
    [k.directTarget]: key('Their direct voice target (extension or E.164), when one is known.').optional(),
    [k.consultationId]: key('The IM interaction in which they accepted.'),
    [k.parentInteractionId]: key(
      "The interaction the consultation was started from (the customer's), if any.",
    ).optional(),
    [k.routingPointId]: key('The knowledge-worker routing point that connected them, if any.').optional(),
    [k.agentId]: key('The agent who asked, if an agent did.').optional(),
  })
  .meta({
    id: 'VoiceAttachedData',
    description:
      'Attached data for the routed call, so the voice strategy can find the expert and the consultation. Keys are fixed; an unknown value leaves its key out.',
  });

const routeSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('routing-point'),
      dn: z.string().meta({ description: 'The voice routing point to route the call to.' }),
      name: z.string().nullable(),
      attachedData: voiceAttachedDataSchema,
    }),
    z.object({ kind: z.literal('none'), reason: z.literal('no-voice-routing-point') }),
  ])
  .meta({
    id: 'VoiceRoute',
    description:
      'The routing-point route: the `voiceRoutingPoint` ({ dn, name }) configured on the knowledge-worker routing point that connected the expert, with attached data; none when that routing point has none (or the expert was asked by name).',
  });

/** The answer of `GET /interactions/{id}/voice-target`. */
export const voiceTargetSchema = z
  .object({
    knowledgeWorker: z.object({ id: z.string(), name: z.string() }),
    direct: directSchema,
    teams: teamsSchema,
    route: routeSchema,
  })
  .meta({
    id: 'VoiceTarget',
    description: 'The voice targets of the knowledge worker who accepted, for transferring or conferencing the call.',
  });
