/**
 * supertest, checking every agent-API answer against the served OpenAPI document. API tests import `request` from
 * here instead of from supertest: each request under `/api/v1` (except the HTML reference page) then also fails
 * when its status, content type or body is not what `/openapi.json` documents, after the test's own expectations.
 * Tests that reach a listening connector with `fetch` use `checkedFetch`, which does the same.
 */
import supertest from 'supertest';
import { type CheckedResponse, type OpenApiDocument, OpenApiResponseValidator } from './openapi-responses.js';

type App = Parameters<typeof supertest>[0];
type Agent = ReturnType<typeof supertest>;
/** A supertest request. */
export type Test = ReturnType<Agent['get']>;

const validators = new WeakMap<object, Promise<OpenApiResponseValidator>>();

/** The validator of the document `app` serves (fetched once per app). */
export function validatorOf(app: App): Promise<OpenApiResponseValidator> {
  const key = app as object;
  let validator = validators.get(key);
  if (!validator) {
    validator = supertest(app)
      .get('/openapi.json')
      .expect(200)
      .then((res) => new OpenApiResponseValidator(res.body));
    validators.set(key, validator);
  }
  return validator;
}

const checkedPath = (url: string) => {
  const path = new URL(url, 'http://connector.test').pathname;
  return path.startsWith('/api/v1/') && path !== '/api/v1/reference';
};

function checked(app: App, test: Test, method: string, url: string): Test {
  if (!checkedPath(url)) return test;
  const end = test.end.bind(test);
  test.end = (callback) => {
    validatorOf(app).then(
      (validator) => {
        test.expect((res: CheckedResponse) => {
          const problems = validator.check(method, url, res);
          if (problems.length > 0) {
            throw new Error(`the answer does not match the OpenAPI document:\n  ${problems.join('\n  ')}`);
          }
        });
        end(callback);
      },
      (error: unknown) => callback?.(error as Error, undefined as never),
    );
    return test;
  };
  return test;
}

/** `supertest(app)`, whose requests under `/api/v1` are checked against the served OpenAPI document. */
export default function request(app: App): Agent {
  const agent = supertest(app);
  const wrap =
    (method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options') =>
    (url: string): Test =>
      checked(app, agent[method](url), method, url);
  return Object.assign(Object.create(agent) as Agent, {
    get: wrap('get'),
    post: wrap('post'),
    put: wrap('put'),
    patch: wrap('patch'),
    delete: wrap('delete'),
    head: wrap('head'),
    options: wrap('options'),
  });
}

const documentsByOrigin = new Map<string, Promise<OpenApiResponseValidator>>();

/**
 * `fetch`, then the same check of the answer against the `/openapi.json` of the server asked (fetched once per
 * origin); throws when the answer does not match. Streams (`text/event-stream`) are checked by status and type only.
 */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  if (!checkedPath(url)) return res;
  const origin = new URL(url).origin;
  let validator = documentsByOrigin.get(origin);
  if (!validator) {
    validator = fetch(`${origin}/openapi.json`)
      .then((doc) => doc.json() as Promise<OpenApiDocument>)
      .then((doc) => new OpenApiResponseValidator(doc));
    documentsByOrigin.set(origin, validator);
  }
  const headers = Object.fromEntries(res.headers.entries());
  const streaming = String(headers['content-type'] ?? '').startsWith('text/event-stream');
  const text = streaming ? undefined : await res.clone().text();
  const type = (String(headers['content-type'] ?? '').split(';')[0] ?? '').trim();
  const json =
    text && (type === 'application/json' || type === 'application/problem+json') ? JSON.parse(text) : undefined;
  const problems = (await validator).check(init.method ?? 'GET', url, {
    status: res.status,
    headers,
    body: json,
    text,
  });
  if (problems.length > 0)
    throw new Error(`the answer does not match the OpenAPI document:\n  ${problems.join('\n  ')}`);
  return res;
}
