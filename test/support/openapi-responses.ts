/**
 * Checks an HTTP answer of the agent API against the OpenAPI document the connector serves: the status must be
 * documented for the operation, the content type must be one the document names, and the body must match its schema
 * (Ajv, JSON Schema 2020-12 with formats, the document's `$ref`s resolved inside it). NDJSON is checked line by line;
 * CSV and Server-Sent Events only by content type. `api-request.ts` runs it on every response the tests receive.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

// ajv-formats is CommonJS: its function arrives under `default` when imported from ESM.
const addFormats = formats.default;

/** What is checked of a response. */
export interface CheckedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body (superagent parses application/json and application/problem+json). */
  readonly body: unknown;
  readonly text?: string | undefined;
}

/** The parts of an OpenAPI document the check reads. */
export type OpenApiDocument = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
};

const DOCUMENT_ID = 'urn:uc-connector:openapi';
const jsonTypes = new Set(['application/json', 'application/problem+json']);

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Validates responses against one OpenAPI document. */
export class OpenApiResponseValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; pattern: RegExp }[];

  constructor(private readonly doc: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema({ ...doc, $id: DOCUMENT_ID });
    this.templates = Object.keys(doc.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** The document's path template for a concrete path (`/api/v1/interactions/{id}`), if any. */
  templateOf(path: string): string | undefined {
    const literal = this.templates.find((t) => t.template === path);
    return (literal ?? this.templates.find((t) => t.pattern.test(path)))?.template;
  }

  /** What is wrong with `res` as the answer to `method url`; empty when it matches the document. */
  check(method: string, url: string, res: CheckedResponse): string[] {
    const path = new URL(url, 'http://connector.test').pathname;
    const template = this.templateOf(path);
    const operation = template ? this.doc.paths[template]?.[method.toLowerCase()] : undefined;
    const contentType = (String(res.headers['content-type'] ?? '').split(';')[0] ?? '').trim().toLowerCase();
    if (!template || !operation) {
      // Unknown operations are answered 404 (or 405) as problem documents.
      if (res.status >= 400 && contentType === 'application/problem+json') return [];
      return [`${method.toUpperCase()} ${path} is not in the OpenAPI document (answered ${res.status})`];
    }
    const where = `${method.toUpperCase()} ${template} → ${res.status}`;
    const documented = operation.responses[String(res.status)];
    if (!documented) return [`${where}: status ${res.status} is not documented`];
    if (!documented.content) {
      const empty = res.text === undefined || res.text === '';
      return empty ? [] : [`${where}: the document says no content, the answer has a ${contentType || 'body'}`];
    }
    if (!Object.hasOwn(documented.content, contentType)) {
      return [
        `${where}: content type ${contentType || '(none)'} is not one of ${Object.keys(documented.content).join(', ')}`,
      ];
    }
    const ref = `${DOCUMENT_ID}#/${pointer('paths', template, method.toLowerCase(), 'responses', String(res.status), 'content', contentType, 'schema')}`;
    if (jsonTypes.has(contentType)) return this.validate(ref, res.body, where);
    if (contentType === 'application/x-ndjson') {
      const lines = (res.text ?? '').split('\n').filter((l) => l !== '');
      return lines.flatMap((line, i) => this.validate(ref, JSON.parse(line), `${where} (line ${i + 1})`));
    }
    return [];
  }

  private validate(ref: string, value: unknown, where: string): string[] {
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${where}: body${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`,
    );
  }
}
