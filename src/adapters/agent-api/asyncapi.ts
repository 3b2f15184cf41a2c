/**
 * The AsyncAPI 3.0 document of the agent side's events, served at `/asyncapi.json`: the Server-Sent Events stream
 * (`event:`, `id:`, `data:` framing, `Last-Event-ID`) and the webhooks (CloudEvents 1.0 structured JSON, Standard
 * Webhooks headers). Its payloads are the event schemas of `event-schemas.ts`, as JSON Schema 2020-12
 * (`z.toJSONSchema`), the same the OpenAPI document references.
 */
import { z } from 'zod';
import { cloudEventTypePrefix } from '../webhooks/cloud-event.js';
import { documentContact } from './document-info.js';
import {
  type EventType,
  eventDataSchemas,
  eventSchema,
  eventSchemas,
  eventTypes,
  schemaStem,
} from './event-schemas.js';

/** The CloudEvents document POSTed to webhooks for one event type. */
function cloudEventOfType(type: EventType) {
  return z
    .object({
      specversion: z.literal('1.0'),
      id: z.string().meta({ description: 'The event id, as in the stream (and `webhook-id`): deduplicate by it.' }),
      source: z.string().meta({ description: '`urn:teams-uc-connector:contact-center:<contact center>`.' }),
      type: z.literal(`${cloudEventTypePrefix}${type}`),
      time: z.iso.datetime(),
      subject: z.string().optional().meta({ description: 'The interaction id, when the event is about one.' }),
      datacontenttype: z.literal('application/json'),
      data: eventDataSchemas[type]
        .extend({ agentId: z.string().optional().meta({ description: 'The agent the event is for, if any.' }) })
        .meta({ description: `The \`${type}\` event's data, with the agent it is for.` }),
    })
    .meta({ id: `${schemaStem(type)}CloudEvent`, description: eventDataSchemas[type].description });
}

/** The headers of every webhook request (Standard Webhooks). */
export const webhookHeadersSchema = z
  .object({
    'content-type': z.literal('application/cloudevents+json'),
    'webhook-id': z.string().meta({ description: 'The event id (the CloudEvent `id`), the same on every retry.' }),
    'webhook-timestamp': z.string().regex(/^\d+$/).meta({ description: 'When this attempt was signed, Unix seconds.' }),
    'webhook-signature': z
      .string()
      .regex(/^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$/)
      .meta({
        description:
          '`v1,` + base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64 part of the endpoint secret (`whsec_…`).',
      }),
  })
  .meta({ id: 'WebhookHeaders', description: 'Standard Webhooks headers.' });

type Schemas = Record<string, unknown>;

/** The JSON Schema of a zod schema; its named parts land in `schemas` and are referenced there. */
function jsonSchema(schema: z.ZodType, schemas: Schemas): Record<string, unknown> {
  const raw = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', reused: 'inline' });
  const text = JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/');
  const { $schema: _s, $defs, ...rest } = JSON.parse(text) as Record<string, unknown>;
  for (const [name, def] of Object.entries(($defs ?? {}) as Schemas)) schemas[name] ??= def;
  return rest;
}

/** A payload in JSON Schema 2020-12 (AsyncAPI's multi-format schema object). */
const jsonSchema2020 = (schema: unknown) => ({ schemaFormat: 'application/schema+json;version=draft-2020-12', schema });

const streamDescription = `Server-Sent Events (\`text/event-stream\`), one per event, oldest first:

\`\`\`
id: 42
event: invitation.offered
data: {"id":"42","type":"invitation.offered","time":"…","interactionId":"…","agentId":"agent-kate","data":{…}}
\`\`\`

\`id:\` is the event id (increasing), \`event:\` its type, \`data:\` one line of JSON (the message payload). The stream
starts with \`retry: 2000\` and sends \`: keep-alive\` comments. A new stream starts from now; reconnecting with the
\`Last-Event-ID\` header (browsers send it by themselves) or \`?after=<id>\` replays every event after that id first.
An agent key (or a platform key with \`X-Agent-Id\`) sees the agent's events and broadcasts; a platform key alone sees
the whole contact center's. \`GET /api/v1/events?after=<id>\` reads the same events as JSON.`;

const webhookDescription = `Each event is POSTed to every endpoint registered with \`POST /api/v1/webhooks {url, types?}\`
(the channel's address is that URL) as a CloudEvents 1.0 document in structured JSON mode
(\`content-type: application/cloudevents+json\`, \`type\` = \`${cloudEventTypePrefix}<event type>\`), signed per Standard
Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`; verify with the endpoint's \`whsec_…\` secret).
Any answer but 2xx is retried with exponential backoff: deliveries are at least once, so deduplicate by \`webhook-id\`.`;

/** Builds the AsyncAPI 3.0 document. `basePath` is where the agent API is mounted (`/api/v1`). */
export function buildAsyncApi(basePath: string, version: string): Record<string, unknown> {
  const schemas: Schemas = {};
  const messages: Record<string, unknown> = {};
  const streamMessages: Record<string, unknown> = {};
  const webhookMessages: Record<string, unknown> = {};
  const headers = jsonSchema(webhookHeadersSchema, schemas);
  for (const type of eventTypes) {
    const stem = schemaStem(type);
    const summary = eventDataSchemas[type].description;
    messages[`${stem}Event`] = {
      name: type,
      title: `${type} (stream)`,
      summary,
      contentType: 'application/json',
      payload: jsonSchema2020(jsonSchema(eventSchemas[type], schemas)),
    };
    messages[`${stem}CloudEvent`] = {
      name: `${cloudEventTypePrefix}${type}`,
      title: `${type} (webhook)`,
      summary,
      contentType: 'application/cloudevents+json',
      // Headers in AsyncAPI's default schema format: a plain object schema every AsyncAPI tool reads.
      headers,
      payload: jsonSchema2020(jsonSchema(cloudEventOfType(type), schemas)),
    };
    streamMessages[stem] = { $ref: `#/components/messages/${stem}Event` };
    webhookMessages[stem] = { $ref: `#/components/messages/${stem}CloudEvent` };
  }
  // The union, so that clients can take one schema for any event of the stream.
  jsonSchema(eventSchema, schemas);
  const refs = (channel: string, of: Record<string, unknown>) =>
    Object.keys(of).map((m) => ({ $ref: `#/channels/${channel}/messages/${m}` }));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Teams UC Connector agent events',
      version,
      description:
        "The agent side's events: invitations, messages, parties joining and leaving, knowledge-worker states. Live over Server-Sent Events, or POSTed to webhooks. See docs/api.md; the HTTP API is at /openapi.json.",
      contact: documentContact,
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      tags: [
        { name: 'events', description: 'Events of interactions and knowledge workers.' },
        { name: 'webhooks', description: 'Events POSTed to registered endpoints.' },
      ],
    },
    defaultContentType: 'application/json',
    servers: {
      connector: {
        host: 'localhost:3978',
        protocol: 'http',
        description: 'The connector (in production its PUBLIC_BASE_URL, over https).',
        security: [{ $ref: '#/components/securitySchemes/apiKey' }],
      },
      webhookReceiver: {
        host: '{receiver}',
        protocol: 'https',
        description: 'A webhook endpoint registered with POST /api/v1/webhooks.',
        variables: { receiver: { description: 'The host of the registered URL.' } },
      },
    },
    channels: {
      eventStream: {
        address: `${basePath}/events/stream`,
        title: 'Live events (Server-Sent Events)',
        description: streamDescription,
        servers: [{ $ref: '#/servers/connector' }],
        messages: streamMessages,
      },
      webhooks: {
        address: null,
        title: 'Webhooks (CloudEvents, Standard Webhooks)',
        description: webhookDescription,
        servers: [{ $ref: '#/servers/webhookReceiver' }],
        messages: webhookMessages,
      },
    },
    operations: {
      streamEvents: {
        action: 'send',
        channel: { $ref: '#/channels/eventStream' },
        title: 'Stream events',
        summary: 'GET the stream; resume with Last-Event-ID or ?after=.',
        description:
          'The connector sends each event to the agent or platform holding the stream, in order, as Server-Sent Events; a reconnect with Last-Event-ID (or ?after=) resumes after the last event received.',
        bindings: { http: { method: 'GET', bindingVersion: '0.3.0' } },
        messages: refs('eventStream', streamMessages),
      },
      deliverWebhooks: {
        action: 'send',
        channel: { $ref: '#/channels/webhooks' },
        title: 'Deliver webhooks',
        summary: 'POST each event to the registered URL; retried until a 2xx.',
        description:
          'The connector POSTs each event the endpoint subscribed to as a structured CloudEvent, signed with Standard Webhooks headers, and retries with backoff until the receiver answers 2xx.',
        bindings: { http: { method: 'POST', bindingVersion: '0.3.0' } },
        messages: refs('webhooks', webhookMessages),
      },
    },
    components: {
      schemas,
      messages,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (ucc_…), or an Entra ID client-credential token where agentApi.entra allows it.',
        },
      },
    },
  };
}
