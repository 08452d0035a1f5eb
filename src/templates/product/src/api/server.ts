/**
 * The HTTP API on Fastify. JSON in and out; every error is `application/problem+json`.
 */
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime/runtime.js';
import type { Store } from '../runtime/store.js';
import { HttpProblem, sendProblem } from './problem.js';
import { tenantRoutes } from './tenants.js';
import { workflowRoutes } from './workflows.js';

export interface ApiContext {
  readonly runtime: Runtime;
  readonly store: Store;
  /** Whether the store and the bus answer, for `/health`. */
  readonly health: () => Promise<{ store: boolean; bus: boolean }>;
}

export interface ServerOptions {
  readonly logLevel: string;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit?: number;
  /** False for a worker: it answers `/health` only. */
  readonly routes?: boolean;
}

export function buildServer(context: ApiContext, options: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: { level: options.logLevel },
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' } },
  });

  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error.problem);
    if (error.validation) {
      return sendProblem(reply, {
        title: 'Invalid request',
        status: 400,
        detail: error.message,
        errors: error.validation.map((issue) => ({
          path: issue.instancePath || '/',
          message: issue.message ?? 'is not valid',
          ...(issue.params ? { params: issue.params } : {}),
        })),
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, {
      title: status >= 500 ? 'Internal error' : (error.code ?? 'Bad request'),
      status,
      detail: status >= 500 ? 'the request could not be completed' : error.message,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      title: 'Not found',
      status: 404,
      detail: `no route ${request.method} ${request.url}`,
    }),
  );

  app.get('/health', async (_request, reply) => {
    const health = await context.health();
    const ready = health.store && health.bus;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', ...health });
  });
  if (options.routes !== false) {
    tenantRoutes(app, context);
    workflowRoutes(app, context);
  }
  return app;
}
