/**
 * /openapi.json: an OpenAPI 3.1 description that a standard validator accepts, generated from the
 * same schemas the API validates with (the blueprint's editions and slug pattern), and true to
 * what the API answers: real responses are checked against the documented schemas.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { editionIds, flags, limitIds, slugPattern } from '../../src/catalog.js';
import { workflows } from '../../src/saga/definitions.js';
import { activeTenant, tenantToken } from './api-support.js';
import type { Product } from './harness.js';
import { nextSlug, startProduct } from './harness.js';

const addFormats = addFormatsModule.default;

interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object>; responses: Record<string, Response> };
}
interface Response {
  description: string;
  content?: Record<string, { schema: object }>;
  $ref?: string;
}
interface Operation {
  operationId: string;
  parameters?: { name: string; schema: object }[];
  requestBody?: {
    content: Record<
      string,
      { schema: { properties?: Record<string, { enum?: string[]; pattern?: string }> } }
    >;
  };
  responses: Record<string, Response>;
}

let p: Product;
afterEach(async () => {
  await p?.stop();
});

const fetchDocument = async (product: Product) => {
  const response = await product.inject({ method: 'GET', url: '/openapi.json', token: null });
  expect(response.statusCode).toBe(200);
  return response.json() as Document;
};

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    p = await startProduct();
    const document = await fetchDocument(p);
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  // What the OpenAPI linters' recommended rules ask (Redocly `recommended`, Spectral
  // `spectral:oas`; the slow tier runs both on every generated product's document).
  it('says what each operation is for, where it is served, under which terms, and how it fails', async () => {
    p = await startProduct();
    const document = (await fetchDocument(p)) as Document & {
      info: {
        contact?: { name?: string; url?: string };
        license?: { name?: string; url?: string };
      };
      servers?: { url: string }[];
      tags?: { name: string; description?: string }[];
      paths: Record<
        string,
        Record<string, Operation & { summary: string; description?: string; tags?: string[] }>
      >;
    };
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(document.info.contact?.name).toMatch(/\S/);
    expect(document.info.license?.name).toMatch(/\S/);
    for (const url of [document.info.contact?.url, document.info.license?.url])
      expect(url).toMatch(/^https?:\/\/[^/]+$/);
    const used = new Set<string>();
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(operation.description?.trim(), where).toBeTruthy();
        expect(operation.description, where).not.toBe(operation.summary);
        const clientErrors = Object.entries(operation.responses).filter(([status]) =>
          /^4(\d\d|XX)$/.test(status),
        );
        expect(clientErrors.length, where).toBeGreaterThan(0);
        for (const [status, response] of clientErrors) {
          const resolved = response.$ref
            ? document.components.responses[response.$ref.split('/').pop()!]!
            : response;
          expect(
            resolved.content?.['application/problem+json']?.schema,
            `${where} ${status}`,
          ).toEqual({
            $ref: '#/components/schemas/Problem',
          });
        }
        for (const tag of operation.tags ?? []) used.add(tag);
      }
    expect(document.tags?.map((tag) => tag.name).sort()).toEqual([...used].sort());
    for (const tag of document.tags ?? []) expect(tag.description?.trim(), tag.name).toBeTruthy();

    // The 400 every operation documents is real, even where a route validates nothing itself.
    const refused = await p.inject({ method: 'GET', url: '/health/live?x=%00', token: null });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(document.paths['/health/live']!.get!.responses['400']).toEqual({
      $ref: '#/components/responses/BadRequest',
    });
  });

  it("documents every route, with the blueprint's editions and slug pattern", async () => {
    p = await startProduct();
    const document = await fetchDocument(p);
    const domain = Object.values(workflows).filter((w) => w.kind === 'domain');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/tenants',
        '/tenants/counts',
        '/tenants/{id}',
        '/tenants/{id}/timeline',
        '/tenants/{id}/messages',
        '/tenants/{id}/workflows',
        '/activation',
        '/catalog',
        '/tenants/{id}/entitlements',
        '/tenants/{id}/edition',
        '/tenants/{id}/tokens',
        '/tenants/{id}/suspend',
        '/tenants/{id}/reinstate',
        '/tenants/{id}/decommission',
        '/tenants/{id}/provisioning/retry',
        '/tenants/{id}/workflows/{workflowId}',
        ...domain.map((w) => `/tenants/{id}/workflows/${w.id}`),
        ...(limitIds.length > 0 ? ['/tenants/{id}/usage/{limit}'] : []),
        ...(Object.keys(flags).length > 0 ? ['/tenants/{id}/flags/{flag}'] : []),
        '/dead-letters',
        '/dead-letters/{id}',
        '/dead-letters/{id}/replay',
        '/dead-letters/replay',
        '/health',
        '/health/live',
        '/health/ready',
        '/metrics',
        '/openapi.json',
      ]),
    );
    const signUp =
      document.paths['/tenants']!.post!.requestBody!.content['application/json']!.schema;
    expect(signUp.properties!.edition!.enum).toEqual(editionIds);
    expect(signUp.properties!.slug!.pattern).toBe(slugPattern.source);
    // Every schema in it is valid JSON Schema 2020-12, the dialect of OpenAPI 3.1 (the OpenAPI
    // validator checks the document's structure, not the schemas inside it).
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const schemas = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).flatMap((operation) => [
        ...(operation.parameters ?? []).map((parameter) => parameter.schema),
        ...Object.values(operation.requestBody?.content ?? {}).map((media) => media.schema),
        ...Object.values(operation.responses).flatMap((response) =>
          Object.values(response.content ?? {}).map((media) => media.schema),
        ),
      ]),
    );
    expect(schemas.length).toBeGreaterThan(20);
    for (const schema of [...schemas, ...Object.values(document.components.schemas)])
      if (!('$ref' in schema)) expect(ajv.validateSchema(schema), ajv.errorsText()).toBe(true);
  });

  it('describes what the API really answers', async () => {
    p = await startProduct();
    const document = await fetchDocument(p);
    const check = responseChecker(document);
    const signedUp = await p.inject({
      method: 'POST',
      url: '/tenants',
      token: null,
      payload: { slug: nextSlug(), name: 'Docs', owner: { email: 'docs@example.com', name: 'D' } },
    });
    check('post', '/tenants', signedUp);
    const { progressToken } = signedUp.json() as { progressToken: string };
    const { tenantId } = await activeTenant(p);
    const token = await tenantToken(p, tenantId);
    const calls: [string, string, Partial<Parameters<Product['inject']>[0]>][] = [
      ['get', `/tenants/${tenantId}`, { token }],
      ['get', `/tenants/${signedUp.json().tenantId}`, { token: progressToken }],
      ['get', `/tenants/${tenantId}/timeline`, { token: progressToken }],
      ['get', '/catalog', { token: null }],
      ['get', '/tenants/counts', {}],
      ['get', '/tenants?q=a&limit=2', {}],
      ['get', `/tenants/${tenantId}/messages`, {}],
      ['get', `/tenants/${tenantId}/workflows`, { token }],
      ['post', '/activation', { token: null, payload: { tenantId, code: 'x'.repeat(24) } }],
      ['post', '/activation', { token: null, payload: { tenantId } }],
      ['get', `/tenants/${tenantId}/timeline`, { token }],
      ['get', `/tenants/${tenantId}/entitlements`, { token }],
      ['get', '/tenants?limit=2', {}],
      ['post', `/tenants/${tenantId}/tokens`, { payload: { expiresIn: 600 } }],
      ['get', '/dead-letters', {}],
      ['post', '/dead-letters/replay', { payload: { ids: [tenantId], dryRun: true } }],
      ['get', '/health', { token: null }],
      ['get', '/health/live', { token: null }],
      ['get', '/health/ready', { token: null }],
      ['get', `/tenants/${tenantId}`, { token: null }],
      ['get', '/tenants', { token }],
      ['post', `/tenants/${tenantId}/reinstate`, {}],
      [
        'put',
        `/tenants/${tenantId}/edition`,
        { payload: { edition: editionIds[editionIds.length - 1] } },
      ],
      ['get', '/tenants/not-a-uuid', {}],
    ];
    if (limitIds.length > 0)
      calls.push([
        'post',
        `/tenants/${tenantId}/usage/${limitIds[0]}`,
        { token, payload: { amount: 1 } },
      ]);
    for (const [method, url, options] of calls)
      check(
        method,
        url,
        await p.inject({ method: method.toUpperCase() as 'GET', url, ...options }),
      );
  });
});

/** Validates a response against the schema its operation documents for its status. */
function responseChecker(document: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const templates = Object.keys(document.paths).map((path) => ({
    path,
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return (method: string, url: string, response: LightMyRequestResponse) => {
    const bare = url.split('?')[0]!;
    // Static paths first: /dead-letters/replay before /dead-letters/{id}.
    const match = templates
      .filter((t) => t.pattern.test(bare) && document.paths[t.path]![method])
      .sort((a, b) => a.path.split('{').length - b.path.split('{').length)[0];
    expect(match, `${method} ${url} is documented`).toBeDefined();
    const operation = document.paths[match!.path]![method]!;
    let documented = operation.responses[String(response.statusCode)];
    expect(documented, `${method} ${url} documents ${response.statusCode}`).toBeDefined();
    if (documented!.$ref)
      documented = document.components.responses[documented!.$ref.split('/').pop()!];
    const contentType = String(response.headers['content-type']).split(';')[0]!;
    const media = documented!.content?.[contentType];
    expect(media, `${method} ${url} ${response.statusCode} documents ${contentType}`).toBeDefined();
    let schema = media!.schema as { $ref?: string };
    if (schema.$ref) schema = document.components.schemas[schema.$ref.split('/').pop()!]!;
    const valid = ajv.validate(schema, response.json());
    expect(
      valid,
      `${method} ${url} ${response.statusCode}: ${ajv.errorsText()} in ${response.body}`,
    ).toBe(true);
  };
}
