/**
 * The HTTP API on Fastify. JSON in and out; every error is `application/problem+json`
 * (RFC 9457) saying what was wrong. Who may call what is declared per route (auth.ts).
 */
import { STATUS_CODES } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import type { TrustProxy } from '../config.js';
import type { ProductDefinition } from '../product-definition.js';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { Clock } from '../runtime/clock.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Store } from '../runtime/store.js';
import { InvalidCursor } from '../runtime/store.js';
import type { ActivationOptions } from '../services/identity.js';
import { activationRoutes } from './activation.js';
import type { Auth } from './auth.js';
import { enforceAccess } from './auth.js';
import { catalogRoutes } from './catalog.js';
import { storeRateLimits } from './rate-limit-store.js';
import { entitlementRoutes } from './entitlements.js';
import { lifecycleRoutes } from './lifecycle.js';
import { apiInfo, collectRoutes, openApiDocument } from './openapi.js';
import { metricsRoute, operationRoutes } from './operations.js';
import { pageRoutes } from './pages.js';
import { HttpProblem, problem, sendProblem } from './problem.js';
import { catalogSchemas, health as healthSchema, plainTextPattern } from './schemas.js';
import type { CatalogSchemas } from './schemas.js';
import { tenantRoutes } from './tenants.js';
import { refuseUnstorableText } from './unstorable-text.js';
import { validatorCompiler } from './validators.js';
import { webhookRoutes } from './webhooks.js';
import { workflowRoutes } from './workflows.js';

/** What `buildServer` is given. */
export interface ServerContext {
  /** What the blueprint determines: the catalogue, the messages, the workflows. */
  readonly product: ProductDefinition;
  /** `PUBLIC_URL`: where users reach the product and its API (the OpenAPI document's server). */
  readonly publicUrl: string;
  readonly runtime: Runtime;
  readonly store: Store;
  readonly clock: Clock;
  readonly auth: Auth;
  readonly metrics: Metrics;
  /** Dead letters older than this are replayed only when forced (their dedupe is gone). */
  readonly inboxRetentionMs: number;
  /** Sign-ups per minute per client address; 0: no limit. */
  readonly signUpRateLimit: number;
  /** Sign-ups an hour that may name one owner e-mail (`SIGNUP_EMAIL_LIMIT`); 0 or unset: no limit. */
  readonly signUpEmailLimit?: number;
  /** How long a sign-up's `Idempotency-Key` is remembered. */
  readonly idempotencyKeyTtlMs: number;
  /** Checks the owners' activation codes (`POST /activation`) and how long they are valid. */
  readonly activation: ActivationOptions;
  /** Verifies `POST /webhooks/billing` (`whsec_…`); unset: that route answers 503. */
  readonly billingWebhookSecret: string | undefined;
  /** `CHECKOUT_URL`: the template of a paid edition's payment link (`{tenantId}`). */
  readonly checkoutUrl?: string | undefined;
  /** Whether the store and the bus answer, for `/health/ready` (and `/health`). */
  readonly health: () => Promise<{ store: boolean; bus: boolean }>;
  /** When tracing is on: an HTTP server span per request, the parent of what it publishes. */
  readonly tracing?: Tracing;
}

/** What every group of routes receives: the server's context and the catalogue's schemas. */
export interface ApiContext extends ServerContext {
  readonly schemas: CatalogSchemas;
}

export interface ServerOptions {
  readonly logLevel: string;
  /** Where the JSON log lines go (stdout by default); tests read them. */
  readonly logStream?: NodeJS.WritableStream;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit?: number;
  /**
   * Which proxies' `X-Forwarded-For` to believe (`TRUST_PROXY`), so that `request.ip`, which the
   * rate limits key on, is the client's and not the proxy's. Default: none.
   */
  readonly trustProxy?: TrustProxy;
  /** False for a worker: it answers `/health`, `/health/live`, `/health/ready` and `/metrics` only. */
  readonly routes?: boolean;
}

/** Never logged, wherever they appear in a log line. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'adminToken',
  '*.adminToken',
  'jwtSecret',
  '*.jwtSecret',
  '*.activationToken',
  '*.*.activationToken',
];

const parserProblems: Record<string, { title: string; detail: (limit: number) => string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    title: 'Malformed JSON',
    detail: () => 'the body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    title: 'Empty body',
    detail: () => 'the content-type says JSON but the body is empty',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    title: 'Body too large',
    detail: (limit) => `the body exceeds the limit of ${limit} bytes`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    title: 'Unsupported media type',
    detail: () => 'send the body as application/json',
  },
};

/** What `/health/live` answers: nothing but that the process does. */
const liveSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
} as const;

export function buildServer(serverContext: ServerContext, options: ServerOptions): FastifyInstance {
  const context: ApiContext = {
    ...serverContext,
    schemas: catalogSchemas(serverContext.product.catalog),
  };
  const { product } = serverContext.product.catalog;
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  const app = Fastify({
    logger: {
      level: options.logLevel,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit,
    trustProxy: trustProxyOption(options.trustProxy ?? false),
  });
  app.setValidatorCompiler(validatorCompiler);
  // Before any route: the instrumentation wraps the routes as they are declared.
  context.tracing?.instrumentHttp(app);
  // Every answer, errors and refusals included, by the matched route's pattern (never the URL,
  // which would make a series per tenant): '' when no route matched.
  app.addHook('onResponse', async (request, reply) => {
    context.metrics.httpRequest(
      request.method,
      request.is404 ? '' : (request.routeOptions.url ?? ''),
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error.problem, error.headers);
    if (error instanceof InvalidCursor)
      return sendProblem(reply, { title: 'Invalid cursor', status: 400, detail: error.message });
    if (error.validation) {
      const errors = error.validation.map((issue) => describeIssue(error.validationContext, issue));
      return sendProblem(reply, {
        title: 'Invalid request',
        status: 400,
        detail: errors.map((e) => `${e.in} ${e.path}: ${e.message}`).join('; '),
        errors,
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return sendProblem(reply, {
        title: 'Internal error',
        status,
        detail: 'the request could not be completed',
      });
    }
    const known = error.code ? parserProblems[error.code] : undefined;
    return sendProblem(reply, {
      title: known?.title ?? STATUS_CODES[status] ?? 'Bad request',
      status,
      detail: known?.detail(bodyLimit) ?? error.message,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      title: 'Not found',
      status: 404,
      detail: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );

  const routes = collectRoutes(app);
  enforceAccess(app, context.auth);
  refuseUnstorableText(app);

  // Liveness and readiness apart, as orchestrators probe them: `/health/live` fails only when the
  // process no longer answers (restart it); `/health/ready` fails while the store or the bus does
  // not answer (send it no traffic, but let it reconnect). `/health` is readiness, as it was.
  app.get(
    '/health/live',
    {
      config: {
        access: 'public',
        docs: {
          operationId: 'healthLive',
          summary: 'Liveness: the process answers (the store and the bus are not asked)',
          description:
            "For an orchestrator's liveness probe: 200 as long as the process answers. It asks neither the store nor the bus, so an outage of theirs does not get the process restarted.",
          tag: 'operations',
          responses: { 200: { description: 'Alive.', schema: liveSchema } },
        },
      },
    },
    async () => ({ status: 'ok' }),
  );
  const readiness = (operationId: string, summary: string) => ({
    config: {
      access: 'public' as const,
      docs: {
        operationId,
        summary,
        description:
          "For an orchestrator's readiness probe: 200 when the store and the bus both answer, 503 (saying which does not) while either is down; send the process no traffic then, it reconnects by itself.",
        tag: 'operations' as const,
        responses: {
          200: { description: 'Ready.', schema: healthSchema },
          503: {
            description: 'Not ready: the store or the bus does not answer.',
            schema: healthSchema,
            contentType: 'application/json',
          },
        },
      },
    },
  });
  const ready = async (_request: FastifyRequest, reply: FastifyReply) => {
    const health = await context.health();
    const up = health.store && health.bus;
    return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'unavailable', ...health });
  };
  app.get(
    '/health/ready',
    readiness('healthReady', 'Readiness: whether the store and the bus answer'),
    ready,
  );
  app.get('/health', readiness('health', 'Readiness, as `/health/ready`'), ready);
  metricsRoute(app, context.metrics);
  if (options.routes === false) return app;

  // The rate limiter sees the routes declared after it has loaded: sign-up is one of them.
  app.register(rateLimit, {
    global: false,
    // Counted in the store: every api process on one database shares each client's limit.
    store: storeRateLimits(context.store, context.clock),
    errorResponseBuilder: (_request, limit) =>
      problem(
        429,
        'Too many requests',
        `this client may do this ${limit.max} times a minute; try again in ${limit.after}`,
        {},
        { 'retry-after': String(Math.max(1, Math.ceil(limit.ttl / 1000))) },
      ),
  });
  app.register(async (scope) => tenantRoutes(scope, context));
  app.register(async (scope) => activationRoutes(scope, context));
  catalogRoutes(app, context.product);
  lifecycleRoutes(app, context);
  entitlementRoutes(app, context);
  workflowRoutes(app, context);
  operationRoutes(app, context);
  webhookRoutes(app, context);
  // The pages, in a scope of their own: their security headers are theirs.
  app.register(pageRoutes);

  let document: object | undefined;
  app.get(
    '/openapi.json',
    {
      config: {
        access: 'public',
        docs: {
          operationId: 'openapi',
          summary: 'This description',
          description:
            'The OpenAPI 3.1 description of this API, built from the routes and the schemas they validate with, so it follows the blueprint (its editions, limits, flags and workflows).',
          tag: 'operations',
          responses: { 200: { description: 'OpenAPI 3.1.', schema: { type: 'object' } } },
        },
      },
    },
    async () => (document ??= openApiDocument(routes, apiInfo(product, context.publicUrl))),
  );
  return app;
}

/**
 * `TRUST_PROXY` as Fastify takes it. Fastify 5.12 ignores a bare hop count (it cannot tell a proxy
 * from a client that reaches the product directly), so a count is a function here, with the
 * meaning it has in Express and proxy-addr: the nearest `hops` peers are proxies. The operator
 * who sets it says the product is reachable through those proxies only (docs/reference.md).
 */
function trustProxyOption(
  trust: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'object' ? [...trust] : trust;
}

interface Issue {
  readonly in: string;
  readonly path: string;
  readonly message: string;
}

/** One thing wrong with the request, in words a caller can act on. */
function describeIssue(where: string | undefined, issue: FastifySchemaValidationError): Issue {
  const params = issue.params as Record<string, unknown>;
  const path = issue.instancePath || '/';
  const at = (field: unknown) => `${issue.instancePath}/${String(field)}`;
  const place = where ?? 'request';
  switch (issue.keyword) {
    case 'additionalProperties':
      return {
        in: place,
        path: at(params.additionalProperty),
        message: `unknown field \`${String(params.additionalProperty)}\``,
      };
    case 'required':
      return { in: place, path: at(params.missingProperty), message: 'is required' };
    case 'enum':
      return {
        in: place,
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'pattern':
      if (params.pattern === plainTextPattern)
        return {
          in: place,
          path,
          message:
            'must be one line of plain text: no line breaks, tabs or other control characters',
        };
      return { in: place, path, message: `must match ${String(params.pattern)}` };
    case 'format':
      return {
        in: place,
        path,
        message:
          params.format === 'email'
            ? 'must be an e-mail address'
            : `must be a valid ${String(params.format)}`,
      };
    default:
      return { in: place, path, message: issue.message ?? 'is not valid' };
  }
}
