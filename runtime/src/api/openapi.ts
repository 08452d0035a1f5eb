/**
 * The OpenAPI 3.1 description at /openapi.json, built from the routes themselves: each route's
 * request schemas (the ones Fastify validates with) and its `config.docs` (summary, responses).
 * OpenAPI 3.1 speaks JSON Schema 2020-12, so the schemas go in as they are.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Access } from './auth.js';
import { problemSchema } from './schemas.js';

export interface ResponseDoc {
  readonly description: string;
  readonly schema?: object;
  /** `application/json` unless said otherwise. */
  readonly contentType?: string;
}

/** The groups of operations, each described once in the document's `tags`. */
export const apiTags = {
  tenants:
    'Sign-up and the tenants it creates: their state, onboarding steps, timeline and counts.',
  lifecycle:
    'Commands that move a tenant through its lifecycle (suspend, reinstate, decommission, retry a failed provisioning), and tenant tokens.',
  catalog: 'The editions on offer, with their features, limits and prices, from the blueprint.',
  entitlements:
    "What a tenant may use: its edition's features, its limits with their usage, and its flags.",
  workflows: "The blueprint's domain workflows: start one for a tenant and follow its runs.",
  webhooks: 'Deliveries from the payment provider, signed as Standard Webhooks.',
  operations:
    'What operators and their tools read: health, metrics, dead letters, and this description.',
} as const;

export type ApiTag = keyof typeof apiTags;

export interface RouteDocs {
  readonly operationId: string;
  readonly summary: string;
  readonly tag: ApiTag;
  /** What the operation does, who calls it and what it changes, beyond its summary. */
  readonly description: string;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    docs?: RouteDocs;
  }
}

interface RouteSchemas {
  readonly body?: object;
  readonly querystring?: object;
  readonly params?: object;
  readonly headers?: object;
}

interface ObjectSchema {
  readonly type?: unknown;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, object>>;
}

const problemJson = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const errorResponses = {
  BadRequest: problemJson('The request is malformed or fails its schema; `errors` says where.'),
  Unauthorized: problemJson('No token, or a token that is forged, expired or malformed.'),
  Forbidden: problemJson(
    'The token is valid but does not allow this (another tenant, or operators only).',
  ),
  NotFound: problemJson('No such resource.'),
  PayloadTooLarge: problemJson('The body exceeds the size limit.'),
  UnsupportedMediaType: problemJson('The body is not `application/json`.'),
} as const;

const ref = (name: keyof typeof errorResponses) => ({ $ref: `#/components/responses/${name}` });

/** Collects routes as they are declared; call before declaring any. */
export function collectRoutes(app: FastifyInstance): RouteOptions[] {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    if (route.config?.docs && route.method !== 'HEAD') routes.push(route);
  });
  return routes;
}

export interface ApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  readonly contact: { readonly name: string; readonly url?: string; readonly email?: string };
  readonly license: { readonly name: string; readonly url: string };
}

/**
 * The document's `info`, from the product the blueprint names and where it is reached. The API is
 * the product's own, under no open licence: the licence says so, and it and the contact point at
 * the product's site (PUBLIC_URL), where its operators publish their terms and how to reach them.
 */
export function apiInfo(product: { readonly title: string }, publicUrl: string): ApiInfo {
  return {
    title: product.title,
    version: '1',
    description: `The HTTP API of ${product.title}. Errors are application/problem+json (RFC 9457).`,
    contact: { name: `${product.title} operators`, url: publicUrl },
    license: {
      name: `Proprietary: all rights reserved by the operators of ${product.title}`,
      url: publicUrl,
    },
  };
}

export function openApiDocument(routes: readonly RouteOptions[], info: ApiInfo): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const method = String(route.method).toLowerCase();
    (paths[path] ??= {})[method] = operation(route);
  }
  const tags = [...new Set(routes.map((route) => route.config!.docs!.tag))].map((name) => ({
    name,
    description: apiTags[name],
  }));
  return {
    openapi: '3.1.0',
    info,
    // Relative: the API is wherever this document was fetched from (PUBLIC_URL, behind a proxy,
    // or http://localhost:3000 in development), so the document is true on every host.
    servers: [{ url: '/', description: 'The product that serves this document.' }],
    tags,
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            "The operators' ADMIN_TOKEN, or a JWT (HS256, JWT_SECRET) with `role` `admin`, or `tenant` and its `tenantId` (mint one with POST /tenants/{id}/tokens).",
        },
      },
      schemas: { Problem: problemSchema },
      responses: errorResponses,
    },
  };
}

function operation(route: RouteOptions): object {
  const docs = route.config!.docs!;
  const schema = (route.schema ?? {}) as RouteSchemas;
  const access: Access = route.config?.access ?? 'operator';
  const parameters = [
    ...pathParameters(route.url, schema.params as ObjectSchema | undefined),
    ...parametersIn('query', schema.querystring as ObjectSchema | undefined),
    ...parametersIn('header', schema.headers as ObjectSchema | undefined),
  ];
  const responses: Record<string, object> = {};
  for (const [status, response] of Object.entries(docs.responses)) {
    // An error without a schema of its own is a problem document.
    const isProblem = !response.schema && Number(status) >= 400;
    const type =
      response.contentType ?? (isProblem ? 'application/problem+json' : 'application/json');
    const body = isProblem ? { $ref: '#/components/schemas/Problem' } : response.schema;
    responses[status] = {
      description: response.description,
      ...(body ? { content: { [type]: { schema: body } } } : {}),
    };
  }
  // Every route refuses a query, header or body holding text no store keeps (NUL, half a
  // surrogate pair) before its own validation: a 400 problem (unstorable-text.ts).
  responses['400'] ??= ref('BadRequest');
  if (access !== 'public') {
    responses['401'] ??= ref('Unauthorized');
    responses['403'] ??= ref('Forbidden');
  }
  if (route.url.includes(':')) responses['404'] ??= ref('NotFound');
  if (schema.body) {
    responses['413'] ??= ref('PayloadTooLarge');
    responses['415'] ??= ref('UnsupportedMediaType');
  }
  return {
    operationId: docs.operationId,
    summary: docs.summary,
    description: docs.description,
    tags: [docs.tag],
    security: access === 'public' ? [] : [{ bearer: [] }],
    // Who may call it: `tenant` means an operator, or a tenant token for the tenant `{id}` names.
    'x-access': access,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(schema.body ? { requestBody: requestBody(schema.body as ObjectSchema) } : {}),
    responses,
  };
}

function pathParameters(url: string, params: ObjectSchema | undefined): object[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: params?.properties?.[name!] ?? { type: 'string' },
  }));
}

/** `idempotency-key` → `Idempotency-Key`: header names as people write them. */
const headerName = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

function parametersIn(place: 'query' | 'header', schema: ObjectSchema | undefined): object[] {
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
    name: place === 'header' ? headerName(name) : name,
    in: place,
    required: schema?.required?.includes(name) ?? false,
    schema: property,
  }));
}

function requestBody(body: ObjectSchema): object {
  // A body that may be `null` may also be left out (the lifecycle commands' optional reason).
  const optional = Array.isArray(body.type) && body.type.includes('null');
  return { required: !optional, content: { 'application/json': { schema: body } } };
}
