/**
 * The served OpenAPI document is a valid OpenAPI 3.1 description (checked against the official schema by
 * @seriousme/openapi-schema-validator), every `$ref` resolves, and it documents the problem responses.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type ApiTestApp, startApiApp } from '../../support/api-app.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

describe('the OpenAPI document', () => {
  const database = testDatabases()[0];
  let t: ApiTestApp | undefined;
  afterAll(() => database?.cleanup());
  afterEach(async () => t?.app.stop());

  test('validates as OpenAPI 3.1 and its references resolve', async () => {
    if (!database) throw new Error('no test database');
    t = await startApiApp(await database.create(), new TestClock());
    const doc = (await request(t.app.http).get('/openapi.json').expect(200)).body;
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const resolved = JSON.stringify(validator.resolveRefs());
    expect(resolved).not.toContain('"$ref"');
    const route = doc.paths['/api/v1/chats/{id}/route'].post;
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '409', '429']));
    expect(doc.paths['/api/v1/me'].get.operationId).toBe('whoAmI');
  });
});
