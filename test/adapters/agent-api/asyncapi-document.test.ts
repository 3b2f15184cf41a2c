/**
 * The served AsyncAPI document is a valid AsyncAPI 3.0 description (parsed and validated by @asyncapi/parser, with no
 * errors), describes the SSE stream and the webhooks with every event type, and shares its event schemas with the
 * OpenAPI document.
 */
import { Parser } from '@asyncapi/parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { eventTypes } from '../../../src/adapters/agent-api/event-schemas.js';
import { type ApiTestApp, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

describe('the AsyncAPI document', () => {
  const database = testDatabases()[0];
  let t: ApiTestApp | undefined;
  afterAll(() => database?.cleanup());
  afterEach(async () => t?.app.stop());

  test('is served without a key and validates as AsyncAPI 3.0 with no errors', async () => {
    if (!database) throw new Error('no test database');
    t = await startApiApp(await database.create(), new TestClock());
    const doc = (await request(t.app.http).get('/asyncapi.json').expect(200).expect('content-type', /json/)).body;
    const { document, diagnostics } = await new Parser().parse(doc);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const channels = document
      ?.channels()
      .all()
      .map((c) => c.id());
    expect(channels).toEqual(['eventStream', 'webhooks']);
    const stream = document?.channels().get('eventStream');
    expect(stream?.address()).toBe('/api/v1/events/stream');
    expect(stream?.description()).toContain('Last-Event-ID');
    expect(
      stream
        ?.messages()
        .all()
        .map((m) => m.name()),
    ).toEqual(eventTypes);
    const hooks = document?.channels().get('webhooks');
    expect(
      hooks
        ?.messages()
        .all()
        .map((m) => m.name()),
    ).toEqual(eventTypes.map((t) => `com.teams-uc-connector.${t}`));
    // The parser checks the document; the payloads are JSON Schema 2020-12, checked against its meta-schema.
    const ajv = new Ajv2020({ strict: false });
    const invalid = Object.entries(doc.components.schemas).filter(([, s]) => !ajv.validateSchema(s as object));
    expect(invalid.map(([name]) => name)).toEqual([]);
    for (const m of Object.values(doc.components.messages) as { payload: { schemaFormat: string } }[]) {
      expect(m.payload.schemaFormat).toBe('application/schema+json;version=draft-2020-12');
    }
    const headers = Object.keys(doc.components.schemas.WebhookHeaders.properties);
    expect(headers).toEqual(['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);
  });

  test('its payloads are the event schemas the OpenAPI document references for the event read and the stream', async () => {
    if (!database) throw new Error('no test database');
    t = await startApiApp(await database.create(), new TestClock());
    const asyncApi = (await request(t.app.http).get('/asyncapi.json').expect(200)).body;
    const openApi = (await request(t.app.http).get('/openapi.json').expect(200)).body;
    const read = openApi.paths['/api/v1/events'].get.responses['200'].content['application/json'].schema;
    expect(read.properties.events.items).toEqual({ $ref: '#/components/schemas/Event' });
    const stream = openApi.paths['/api/v1/events/stream'].get.responses['200'].content['text/event-stream'].schema;
    expect(stream).toEqual({ $ref: '#/components/schemas/Event' });
    const union = openApi.components.schemas.Event.oneOf.map((s: { $ref: string }) => s.$ref);
    expect(union).toHaveLength(eventTypes.length);
    for (const ref of union) {
      const name = ref.replace('#/components/schemas/', '');
      expect(asyncApi.components.schemas[name]).toEqual(openApi.components.schemas[name]);
    }
    expect(openApi.components.schemas.InvitationOfferedData.properties.invitationId).toMatchObject({ type: 'string' });
  });
});
