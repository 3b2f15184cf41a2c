/**
 * The event contract as served: checks events, CloudEvents webhook bodies and webhook headers against the schemas of
 * the connector's own `/asyncapi.json` (Ajv, JSON Schema 2020-12), not against our zod objects, so a producer that
 * drifts from the published document fails the test that sees its event. Every shared event reader of the tests
 * (`event-readers.ts`, `webhook-receiver.ts`, and through them `replicas.ts` and `reach-world.ts`) goes through here.
 */
import type { Server } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Express } from 'express';
import request from 'supertest';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => Ajv2020;

/** Where the served document comes from: the connector's express app (in-process) or its base URL. */
export type ServedBy = Express | Server | string;

/** Validators compiled from one served document: one per message, by its name (the event type, or CloudEvents type). */
export interface Contract {
  readonly events: ReadonlyMap<string, ValidateFunction>;
  readonly cloudEvents: ReadonlyMap<string, ValidateFunction>;
  readonly webhookHeaders: ValidateFunction;
}

const byDocument = new Map<string, Contract>();

async function servedDocument(by: ServedBy): Promise<Record<string, unknown>> {
  if (typeof by === 'string') {
    const response = await fetch(`${by}/asyncapi.json`);
    if (!response.ok) throw new Error(`GET /asyncapi.json answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }
  return (await request(by).get('/asyncapi.json').expect(200)).body as Record<string, unknown>;
}

/** The validators for the document `by` serves (compiled once per distinct document). */
export async function eventContract(by: ServedBy): Promise<Contract> {
  const doc = await servedDocument(by);
  const text = JSON.stringify(doc);
  const known = byDocument.get(text);
  if (known) return known;
  const components = doc.components as { schemas: Record<string, unknown>; messages: Record<string, Message> };
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  // The document itself as a schema resource, so `#/components/schemas/…` references resolve inside it.
  ajv.addSchema({ $id: 'asyncapi.json', components: { schemas: components.schemas } });
  // A channel's messages, each compiled and keyed by its name.
  const channels = doc.channels as Record<string, { messages: Record<string, { $ref: string }> }>;
  const validators = (channel: string) =>
    new Map(
      Object.values(channels[channel]?.messages ?? {}).map(({ $ref }) => {
        const key = $ref.replace('#/components/messages/', '');
        const message = components.messages[key];
        if (!message) throw new Error(`the served AsyncAPI document has no message ${$ref}`);
        return [message.name, ajv.compile({ $id: key, ...(rebase(message.payload.schema) as object) })];
      }),
    );
  const contract: Contract = {
    events: validators('eventStream'),
    cloudEvents: validators('webhooks'),
    webhookHeaders: ajv.compile({
      $id: 'webhook-headers',
      ...(rebase({ $ref: '#/components/schemas/WebhookHeaders' }) as object),
    }),
  };
  byDocument.set(text, contract);
  return contract;
}

interface Message {
  readonly name: string;
  readonly payload: { readonly schema: unknown };
}

/** Points the document's local references at the document resource. */
function rebase(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"asyncapi.json#/components/'));
}

function check(validate: ValidateFunction | undefined, value: unknown, what: string): void {
  if (!validate) throw new Error(`${what}: the served AsyncAPI document has no such message\n${JSON.stringify(value)}`);
  if (validate(value)) return;
  const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).slice(0, 8);
  throw new Error(
    `${what} does not match the served AsyncAPI document:\n  ${errors.join('\n  ')}\n${JSON.stringify(value)}`,
  );
}

const typeOf = (value: unknown) => String((value as { type?: unknown } | null)?.type);

/** Throws unless the event (as `GET /api/v1/events` and the SSE `data:` carry it) matches the served schemas. */
export function checkEvent(contract: Contract, event: unknown): void {
  check(contract.events.get(typeOf(event)), event, `event ${typeOf(event)}`);
}

/** Throws unless every event matches the served schemas; returns them. */
export async function checkEvents<T>(by: ServedBy, events: readonly T[]): Promise<T[]> {
  const contract = await eventContract(by);
  for (const e of events) checkEvent(contract, e);
  return [...events];
}

/** Throws unless a webhook request (its headers and CloudEvents body) matches the served schemas. */
export async function checkWebhook(by: ServedBy, headers: Record<string, unknown>, body: unknown): Promise<void> {
  checkWebhookWith(await eventContract(by), headers, body);
}

/** {@link checkWebhook} with the validators at hand. */
export function checkWebhookWith(contract: Contract, headers: Record<string, unknown>, body: unknown): void {
  const webhookHeaders = Object.fromEntries(
    ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']
      .filter((h) => headers[h] !== undefined)
      .map((h) => [h, headers[h]]),
  );
  check(contract.webhookHeaders, webhookHeaders, 'webhook headers');
  check(contract.cloudEvents.get(typeOf(body)), body, `CloudEvent ${typeOf(body)}`);
}
