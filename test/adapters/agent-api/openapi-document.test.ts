/**
 * The served OpenAPI document is a valid OpenAPI 3.1 description (checked against the official schema by
 * @seriousme/openapi-schema-validator), every `$ref` resolves, it lints clean with Redocly's strict recommended
 * rules (plus descriptions, contact, declared tags and RFC 9457 problem responses), it documents every error status
 * as a problem document, and its response schemas are exact: the response check of `test/support` refuses drift.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { OpenApiResponseValidator } from '../../support/openapi-responses.js';
import { TestClock } from '../../support/test-app.js';

type Operation = {
  operationId?: string;
  description?: string;
  tags?: string[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>>; tags: { name: string; description: string }[] };

const operationsOf = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
  );

describe('the OpenAPI document', () => {
  const database = testDatabases()[0];
  let t: ApiTestApp | undefined;
  afterAll(() => database?.cleanup());
  afterEach(async () => t?.app.stop());

  const served = async (): Promise<Doc> => {
    if (!database) throw new Error('no test database');
    t = await startApiApp(await database.create(), new TestClock());
    return (await request(t.app.http).get('/openapi.json').expect(200)).body;
  };

  test('validates as OpenAPI 3.1 and its references resolve', async () => {
    const doc = await served();
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const resolved = JSON.stringify(validator.resolveRefs());
    expect(resolved).not.toContain('"$ref"');
    expect(doc.paths['/api/v1/me']?.get?.operationId).toBe('whoAmI');
  });

  test("lints clean with Redocly's recommended-strict rules, descriptions, contact, declared tags and problem details", async () => {
    const doc = await served();
    const config = await createConfig({
      extends: ['recommended-strict'],
      rules: {
        'info-contact': 'error',
        'info-license-strict': 'error',
        'operation-description': 'error',
        'operation-tag-defined': 'error',
        'operation-singular-tag': 'error',
        'tag-description': 'error',
        'parameter-description': 'error',
        'operation-4xx-problem-details-rfc7807': 'error',
      },
    });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: '/openapi.json', config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  });

  test('every operation has an id, a description and a declared tag, and documents its errors as problem documents', async () => {
    const doc = await served();
    const tags = new Set(doc.tags.map((tag) => tag.name));
    for (const { where, op } of operationsOf(doc)) {
      expect(op.operationId, where).toMatch(/^[a-zA-Z]+$/);
      expect(op.description?.length, where).toBeGreaterThan(10);
      expect(
        op.tags?.every((tag) => tags.has(tag)),
        where,
      ).toBe(true);
      const statuses = Object.keys(op.responses);
      expect(statuses, where).toEqual(expect.arrayContaining(['401', '403', '429', '500', '503']));
      if (op.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(['400', '413']));
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        expect(Object.keys(op.responses[status]?.content ?? {}), `${where} ${status}`).toEqual([
          'application/problem+json',
        ]);
      }
    }
    const route = doc.paths['/api/v1/chats/{id}/route']?.post;
    expect(Object.keys(route?.responses ?? {})).toEqual(
      ['200', '400', '401', '403', '404', '409', '413', '429', '500', '503'].map(String),
    );
  });

  test('the voice target is typed, with the UCC_* attached-data keys', async () => {
    const doc = (await served()) as Doc & { components: { schemas: Record<string, Record<string, unknown>> } };
    const schemas = doc.components.schemas;
    const voice = schemas.VoiceTarget as { properties: Record<string, unknown> };
    expect(voice.properties).toMatchObject({
      direct: { $ref: '#/components/schemas/DirectVoiceTarget' },
      teams: { $ref: '#/components/schemas/TeamsIdentity' },
      route: { $ref: '#/components/schemas/VoiceRoute' },
    });
    const attached = schemas.VoiceAttachedData as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(attached.properties)).toEqual(
      expect.arrayContaining(['UCC_KnowledgeWorkerId', 'UCC_ConsultationId', 'UCC_KnowledgeWorkerDN', 'UCC_AgentId']),
    );
    expect(attached.required).toEqual(['UCC_KnowledgeWorkerId', 'UCC_KnowledgeWorkerName', 'UCC_ConsultationId']);
    expect(JSON.stringify(schemas.Interaction)).toContain('caseInfoFields');
  });

  test('empty, repeated or malformed query values are refused with a problem naming the parameter', async () => {
    await served();
    if (!t) throw new Error('no app');
    const { http } = t.app;
    const kate = bearer(t.keys.kate);
    const ask = (query: string) => request(http).get(`/api/v1/events${query}`).set(kate);
    for (const query of ['?after=', '?after=%20', '?after=1&after=2', '?after=abc', '?limit=0']) {
      const refused = await ask(query)
        .expect(400)
        .expect('content-type', /application\/problem\+json/);
      const name = query.includes('limit') ? 'query.limit' : 'query.after';
      expect(refused.body['invalid-params'], query).toEqual([expect.objectContaining({ name })]);
    }
    await ask('?after=0&limit=5').expect(200);
  });

  test('a body over 256 kB is answered 413 as a documented problem document', async () => {
    await served();
    if (!t) throw new Error('no app');
    const big = await request(t.app.http)
      .post('/api/v1/interactions')
      .set(bearer(t.keys.kate))
      .send({ target: { kind: 'routing-point', id: 'billing' }, text: 'x'.repeat(300_000) })
      .expect(413);
    expect(big.body).toMatchObject({ status: 413, title: 'Request too large' });
  });

  test('the response check refuses an undocumented field, status or content type', async () => {
    if (!database) throw new Error('no test database');
    t = await startApiApp(await database.create(), new TestClock());
    const doc = (await request(t.app.http).get('/openapi.json').expect(200)).body;
    const check = new OpenApiResponseValidator(doc);
    const me = { contactCenter: 'default', platform: false, agent: { id: 'agent-kate', name: 'Kate Lewis' } };
    const json = { 'content-type': 'application/json; charset=utf-8' };
    expect(check.check('GET', '/api/v1/me', { status: 200, headers: json, body: me })).toEqual([]);
    expect(check.check('GET', '/api/v1/me', { status: 200, headers: json, body: { ...me, extra: 1 } })).toEqual([
      expect.stringContaining('must NOT have additional properties'),
    ]);
    expect(check.check('GET', '/api/v1/me', { status: 418, headers: json, body: me })).toEqual([
      expect.stringContaining('status 418 is not documented'),
    ]);
    expect(
      check.check('GET', '/api/v1/me', { status: 200, headers: { 'content-type': 'text/plain' }, body: me }),
    ).toEqual([expect.stringContaining('content type text/plain')]);
    expect(
      check.check('GET', '/api/v1/interactions/ix-1', {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
        body: { title: 'Not found', status: 404 },
      }),
    ).toEqual([expect.stringContaining("must have required property 'type'")]);
  });
});
