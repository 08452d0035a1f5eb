/**
 * The composition root: picks the store and the transport from the configuration, registers the
 * endpoints of the process's role and builds the HTTP API. `src/main.ts` starts it.
 */
import type { FastifyInstance } from 'fastify';
import { buildServer } from './api/server.js';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import type { Clock } from './runtime/clock.js';
import { systemClock } from './runtime/clock.js';
import type { EndpointDefinition } from './runtime/handler.js';
import type { Logger } from './runtime/logger.js';
import { MemoryTransport } from './runtime/memory-transport.js';
import { Runtime } from './runtime/runtime.js';
import { SqliteStore } from './runtime/sqlite-store.js';
import type { Store } from './runtime/store.js';
import type { Transport } from './runtime/transport.js';
import { onboarding, workflows } from './saga/definitions.js';
import { onboardingSagaEndpoint, workflowSagaEndpoints } from './saga/endpoints.js';
import { parseFaults } from './services/faults.js';
import { fileMailer, smtpMailer } from './services/mailer.js';
import { stepImplementations } from './services/registry.js';
import { compensationEndpoint, stepEndpoint, stepEndpointName } from './services/steps.js';

export interface App {
  readonly runtime: Runtime;
  readonly store: Store;
  readonly transport: Transport;
  /** The HTTP API; in the `worker` role it answers `/health` only. */
  readonly server: FastifyInstance;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppOverrides {
  readonly clock?: Clock;
  readonly store?: Store;
  readonly transport?: Transport;
}

export function createStore(url: string, clock: Clock): Store {
  if (url.startsWith('file:')) return new SqliteStore({ url, clock });
  throw new ConfigError(
    `DATABASE_URL ${url.split(':')[0]}: this product's store supports file: URLs`,
  );
}

export function createTransport(url: string): Transport {
  if (url.startsWith('memory:')) return new MemoryTransport();
  throw new ConfigError(
    `BUS_URL ${url.split(':')[0]}: this product's transport supports memory://`,
  );
}

/** Every step, compensation and saga endpoint of the product. */
export function productEndpoints(
  config: Pick<Config, 'faults' | 'mailDir' | 'smtpUrl'>,
  log: Logger,
): EndpointDefinition[] {
  const all = Object.values(workflows);
  const faults = parseFaults(
    config.faults,
    all.flatMap((w) => [...w.steps, ...w.reactions].map((s) => s.id)),
  );
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl) : fileMailer(config.mailDir);
  const implementations = stepImplementations(mailer);
  const options = { faults, log };
  const endpoints: EndpointDefinition[] = [];
  for (const workflow of all) {
    for (const step of [...workflow.steps, ...workflow.reactions]) {
      const implementation = implementations[step.id];
      if (!implementation) throw new Error(`no implementation for step ${step.id}`);
      endpoints.push(stepEndpoint(workflow, step, implementation, options));
      if (step.compensate)
        endpoints.push(
          compensationEndpoint(
            workflow,
            { ...step, compensate: step.compensate },
            implementation,
            options,
          ),
        );
    }
  }
  const sagaOptions = { stepEndpoint: stepEndpointName };
  endpoints.push(
    onboardingSagaEndpoint(onboarding, sagaOptions),
    ...workflowSagaEndpoints(all, sagaOptions),
  );
  return endpoints;
}

export function createApp(config: Config, overrides: AppOverrides = {}): App {
  const clock = overrides.clock ?? systemClock;
  const store = overrides.store ?? createStore(config.databaseUrl, clock);
  const transport = overrides.transport ?? createTransport(config.busUrl);
  let server: FastifyInstance | undefined;
  let running = false;
  const logger: Logger = {
    info: (detail, message) => server?.log.info(detail, message),
    warn: (detail, message) => server?.log.warn(detail, message),
    error: (detail, message) => server?.log.error(detail, message),
  };
  const runtime = new Runtime({
    transport,
    store,
    clock,
    logger,
    inboxRetentionMs: config.inboxRetentionMs,
  });
  if (config.role !== 'api')
    for (const endpoint of productEndpoints(config, logger)) runtime.register(endpoint);
  server = buildServer(
    {
      runtime,
      store,
      health: async () => ({
        store: await store.transaction(async () => true).catch(() => false),
        bus: running,
      }),
    },
    { logLevel: config.logLevel, routes: config.role !== 'worker' },
  );
  const app: FastifyInstance = server;
  return {
    runtime,
    store,
    transport,
    server: app,
    async start() {
      await store.migrate();
      await runtime.start();
      running = true;
      await app.listen({ port: config.port, host: '0.0.0.0' });
    },
    async stop() {
      running = false;
      await app.close();
      await runtime.stop();
      await store.close();
    },
  };
}
