/**
 * The runtime's wiring: picks the store and the transport from the configuration, registers the
 * endpoints of the process's role and builds the HTTP API, for the product it is given. The
 * product's `src/main.ts` (its team's composition root) calls `createApp` and starts it.
 */
import { randomBytes } from 'node:crypto';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import { Auth } from './api/auth.js';
import { buildServer } from './api/server.js';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import type { Secrets } from './dev-secrets.js';
import { resolveSecrets } from './dev-secrets.js';
import { Metrics } from './observability/metrics.js';
import { ProductObserver } from './observability/observer.js';
import { Tracing } from './observability/tracing.js';
import type { Clock } from './runtime/clock.js';
import { systemClock } from './runtime/clock.js';
import { fromTransport } from './runtime/dead-letters.js';
import type { Endpoint } from './runtime/handler.js';
import type { Logger } from './runtime/logger.js';
import { silentLogger } from './runtime/logger.js';
import { MemoryTransport } from './runtime/memory-transport.js';
import { PostgresStore, postgresUrlProblem } from './runtime/postgres-store.js';
import type { Route } from './runtime/rabbitmq-topology.js';
import { BrokerUrlRefused, RabbitMqTransport } from './runtime/rabbitmq-transport.js';
import { Runtime } from './runtime/runtime.js';
import { SqliteStore } from './runtime/sqlite-store.js';
import type { Store } from './runtime/store.js';
import type { Transport } from './runtime/transport.js';
import type { ProductDefinition } from './product-definition.js';
import { allSteps, onboardingOf } from './product-definition.js';
import { onboardingSagaEndpoint, tenantSagaType, workflowSagaEndpoints } from './saga/endpoints.js';
import { editionEndpoint } from './services/edition.js';
import { parseFaults } from './services/faults.js';
import { activationCodes } from './services/activation.js';
import type { AlertStore } from './services/alerts.js';
import { alertEndpoint } from './services/alerts.js';
import { fileMailer, smtpMailer } from './services/mailer.js';
import { mailSender } from './services/notification.js';
import { builtinSteps } from './services/builtin-steps.js';
import { billingPaymentsEndpoint } from './services/billing.js';
import { compensationEndpoint, stepEndpoint, stepEndpointName } from './services/steps.js';

export interface App {
  readonly runtime: Runtime;
  readonly store: Store;
  readonly transport: Transport;
  /** The HTTP API; in the `worker` role it answers the health routes and `/metrics` only. */
  readonly server: FastifyInstance;
  start(): Promise<void>;
  /**
   * Stops taking work, finishes what is in flight and closes the store; rejects with a
   * `ShutdownTimeout` when that takes longer than `SHUTDOWN_TIMEOUT_MS`. Calling it again
   * answers the same.
   */
  stop(): Promise<void>;
}

export interface AppOptions<Handlers> {
  /** What the blueprint determines (the product's generated `src/product.ts`). */
  readonly product: ProductDefinition<Handlers>;
  /** The team's domain handlers, by service, built with their dependencies. */
  readonly handlers: Handlers;
  readonly clock?: Clock;
  readonly store?: Store;
  readonly transport?: Transport;
  /** Also send every span here (tests: an `InMemorySpanExporter`). */
  readonly spanExporter?: SpanExporter;
  /** Where log lines go instead of stdout (tests read them). */
  readonly logStream?: NodeJS.WritableStream;
}

export function createStore(
  url: string,
  clock: Clock,
  isolation: 'pooled' | 'schema' = 'pooled',
): Store {
  if (url.startsWith('file:')) return new SqliteStore({ url, clock });
  if (/^postgres(ql)?:\/\//.test(url)) {
    // pg reads the URL only when it first connects, and refuses it with a stack trace.
    const problem = postgresUrlProblem(url);
    if (problem) throw new ConfigError(`DATABASE_URL ${problem}`);
    return new PostgresStore({ url, clock, isolation });
  }
  throw new ConfigError(
    "DATABASE_URL has a scheme this product's store does not support: use file:<path> or postgres://…",
  );
}

/**
 * `routes` lists every endpoint of the product: a broker declares them all in every role, since an
 * `api` process may publish before any worker has declared its queue.
 */
export function createTransport(
  url: string,
  routes: () => readonly Route[] = () => [],
  options: { readonly prefix?: string; readonly logger?: Logger } = {},
): Transport {
  if (url.startsWith('memory:')) return new MemoryTransport();
  if (/^amqps?:\/\//.test(url)) return new RabbitMqTransport({ url, routes: routes(), ...options });
  throw new ConfigError(
    "BUS_URL has a scheme this product's transport does not support: use memory:// or amqp://…",
  );
}

/** The name and message types of every endpoint, without running any of them. */
export const productRoutes = <Handlers>(
  config: Config,
  app: Pick<AppOptions<Handlers>, 'product' | 'handlers'>,
): Route[] =>
  // No endpoint runs here, so none needs the real secret.
  productEndpoints(config, app, silentLogger, { jwtSecret: 'routes only: never used to sign' }).map(
    ({ name, types }) => ({ endpoint: name, types }),
  );

/**
 * Every step, compensation and saga endpoint of the product, and the onboarding alerts when
 * `ALERT_WEBHOOK_URL` is set. Without `store` the endpoints are for their routes only: the alert
 * sender would refuse to run.
 */
export function productEndpoints<Handlers>(
  config: Pick<
    Config,
    | 'faults'
    | 'mailDir'
    | 'smtpUrl'
    | 'mailFrom'
    | 'publicUrl'
    | 'alertWebhookUrl'
    | 'alertWebhookSecret'
    | 'activationEmailLimit'
  >,
  { product, handlers }: Pick<AppOptions<Handlers>, 'product' | 'handlers'>,
  log: Logger,
  secrets: Pick<Secrets, 'jwtSecret'>,
  store?: AlertStore,
): Endpoint[] {
  const all = Object.values(product.workflows);
  const { catalog } = product;
  const faults = parseFaults(
    config.faults,
    allSteps(product).map((step) => step.id),
  );
  const mailOptions = { from: config.mailFrom };
  const mailer = config.smtpUrl
    ? smtpMailer(config.smtpUrl, mailOptions)
    : fileMailer(config.mailDir, mailOptions);
  const implementations = product.steps(
    handlers,
    builtinSteps(catalog, mailer, { activationEmailLimit: config.activationEmailLimit }),
  );
  const options = { faults, log, catalog };
  const endpoints: Endpoint[] = [];
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
  const onboarding = onboardingOf(product);
  const billing = onboarding.workflow.steps.find((step) => step.service === 'billing');
  if (billing) endpoints.push(billingPaymentsEndpoint(catalog, billing));
  endpoints.push(
    onboardingSagaEndpoint(onboarding, sagaOptions),
    ...workflowSagaEndpoints(all, sagaOptions),
    editionEndpoint(catalog),
    mailSender(mailer, {
      codes: activationCodes(secrets.jwtSecret),
      publicUrl: config.publicUrl,
    }),
  );
  if (config.alertWebhookUrl)
    endpoints.push(
      alertEndpoint({
        url: config.alertWebhookUrl,
        secret: config.alertWebhookSecret,
        publicUrl: config.publicUrl,
        store,
        log,
      }),
    );
  return endpoints;
}

/** The API's secrets: configured, or in development generated once (dev-secrets.ts). */
function secretsFor(config: Config): Secrets {
  if (!config.production) return resolveSecrets(config);
  if (config.role !== 'worker' && (!config.adminToken || !config.jwtSecret))
    throw new ConfigError('ADMIN_TOKEN and JWT_SECRET must be set when NODE_ENV=production');
  // A production worker answers the health routes only: it authenticates nobody.
  const unused = () => randomBytes(32).toString('base64url');
  return {
    adminToken: config.adminToken ?? unused(),
    jwtSecret: config.jwtSecret ?? unused(),
    generated: [],
  };
}

/**
 * How long readiness waits for the store: a database that does not answer (a pool waiting for a
 * connection) makes the process not ready, rather than a probe that hangs.
 */
const readinessTimeoutMs = 2_000;

/** Whether `work` resolves within `ms`; a rejection or no answer in time is `false`. */
async function answersWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function createApp<Handlers>(config: Config, overrides: AppOptions<Handlers>): App {
  const { product } = overrides;
  const { catalog } = product;
  const clock = overrides.clock ?? systemClock;
  const store = overrides.store ?? createStore(config.databaseUrl, clock, catalog.isolation);
  const secrets = secretsFor(config);
  let server: FastifyInstance | undefined;
  // The runtime and the steps add a message's tenant, correlation and trace to the lines about
  // it (messageFields in runtime/logger.ts).
  const logger: Logger = {
    info: (detail, message) => server?.log.info(detail, message),
    warn: (detail, message) => server?.log.warn(detail, message),
    error: (detail, message) => server?.log.error(detail, message),
  };
  const transport =
    overrides.transport ??
    createTransport(config.busUrl, () => productRoutes(config, overrides), {
      prefix: config.busPrefix,
      logger,
    });
  const metrics = new Metrics(store, {
    token: config.metricsToken,
    clock,
    workflows: Object.values(product.workflows).map((workflow) => ({
      id: workflow.id,
      steps: [...workflow.steps, ...workflow.reactions].map((step) => step.id),
    })),
    build: {
      product: catalog.product.name,
      generatorVersion: catalog.product.generatorVersion,
      role: config.role,
    },
  });
  // What the broker dead-lettered on its own joins the store's dead letters, for /dead-letters.
  transport.recordDeadLetters?.(async (found) => {
    const letter = fromTransport(found);
    await store.transaction((tx) => tx.addDeadLetter(letter));
    logger.error(
      { endpoint: letter.endpoint, deadLetterId: letter.id, errorType: letter.errorType },
      'message dead-lettered by the broker, now in the store',
    );
  });
  const tracing =
    config.otlp || overrides.spanExporter
      ? new Tracing({
          // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override these (tracing.ts).
          serviceName: catalog.product.name,
          role: config.role,
          ...(transport.messaging ? { messaging: transport.messaging } : {}),
          otlp: config.otlp,
          ...(overrides.spanExporter ? { exporter: overrides.spanExporter } : {}),
        })
      : undefined;
  const runtime = new Runtime({
    transport,
    store,
    messages: product.messages,
    clock,
    logger,
    inboxRetentionMs: config.inboxRetentionMs,
    observer: new ProductObserver(metrics, tracing),
  });
  if (config.role !== 'api')
    for (const endpoint of productEndpoints(config, overrides, logger, secrets, store))
      runtime.register(endpoint);
  server = buildServer(
    {
      product,
      publicUrl: config.publicUrl,
      runtime,
      store,
      clock,
      metrics,
      auth: new Auth({
        ...secrets,
        clock,
        issuer: catalog.product.name,
        tenantClosed: async (tenantId) => {
          const saga = await store.getSaga<{ state: string }>(tenantSagaType, tenantId);
          return saga?.state.state === 'Decommissioned';
        },
      }),
      inboxRetentionMs: config.inboxRetentionMs,
      billingWebhookSecret: config.billingWebhookSecret,
      checkoutUrl: config.checkoutUrl,
      signUpRateLimit: config.signupRateLimit,
      signUpEmailLimit: config.signupEmailLimit,
      idempotencyKeyTtlMs: config.idempotencyKeyTtlMs,
      activation: {
        codes: activationCodes(secrets.jwtSecret),
        ttlMs: config.activationTtlMs,
      },
      health: async () => ({
        store: await answersWithin(
          store.transaction(async () => true),
          readinessTimeoutMs,
        ),
        bus: runtime.running && transport.connected,
      }),
      ...(tracing ? { tracing } : {}),
    },
    {
      logLevel: config.logLevel,
      trustProxy: config.trustProxy,
      routes: config.role !== 'worker',
      ...(overrides.logStream ? { logStream: overrides.logStream } : {}),
    },
  );
  const app: FastifyInstance = server;
  if (secrets.generated.length > 0 && config.role !== 'worker')
    app.log.warn(
      { files: secrets.generated },
      'development: ADMIN_TOKEN or JWT_SECRET is not set; using generated secrets kept in these files (set both in production)',
    );
  let stopping: Promise<void> | undefined;
  return {
    runtime,
    store,
    transport,
    server: app,
    async start() {
      await store.migrate();
      await runtime.start().catch((error: unknown) => {
        // amqplib refuses some URLs only once it is connected, deep in the handshake.
        throw error instanceof BrokerUrlRefused
          ? new ConfigError(`BUS_URL ${error.message}`)
          : error;
      });
      await app.listen({ port: config.port, host: config.host });
    },
    stop() {
      stopping ??= drain();
      return stopping;
    },
  };

  /**
   * Stops taking work and finishes what is in flight, within `config.shutdownTimeoutMs`. The HTTP
   * API closes first (new requests are refused with 503, the ones in flight finish and their
   * messages go out), then the runtime stops taking deliveries and waits for those in flight.
   * Past the deadline it rejects with a `ShutdownTimeout`, so that the process exits before
   * whatever stops it loses patience and kills it: the broker gives unacknowledged deliveries to
   * another worker, and the outbox keeps what was committed and not yet published.
   */
  async function drain(): Promise<void> {
    let waitingFor = 'the HTTP requests in flight';
    const drained = (async () => {
      await app.close();
      waitingFor = 'the deliveries in flight';
      await runtime.stop();
      waitingFor = 'the store to close';
      await store.close();
      waitingFor = 'the last spans to be exported';
      await tracing?.shutdown();
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new ShutdownTimeout(config.shutdownTimeoutMs, waitingFor)),
        config.shutdownTimeoutMs,
      );
    });
    try {
      await Promise.race([drained, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `stop()` gave up: something in flight did not finish within `SHUTDOWN_TIMEOUT_MS`. */
export class ShutdownTimeout extends Error {
  override name = 'ShutdownTimeout';
  constructor(
    readonly timeoutMs: number,
    readonly waitingFor: string,
  ) {
    super(`shutdown gave up after ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS) waiting for ${waitingFor}`);
  }
}
