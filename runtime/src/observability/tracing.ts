/**
 * OpenTelemetry tracing of the bus and of the HTTP API. Every message already carries a W3C
 * `traceparent` in its envelope (`traceId`), and a message caused by another keeps its trace id
 * with a span id of its own. Here that span id becomes the id of the message's publish span, and
 * each delivery's process span is a child of it: so one onboarding, across every hop of the bus
 * and every process, is one trace: `POST /tenants` → publish → process → step → publish → …
 *
 * Names and attributes follow OpenTelemetry's semantic conventions: messaging (and its RabbitMQ
 * page) for the bus, HTTP for the API's server spans (through `@fastify/otel`). The spans go to
 * the product's own tracer provider, never a global one: several products may share a process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  RandomIdGenerator,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { IdGenerator, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_CONVERSATION_ID,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
  MESSAGING_SYSTEM_VALUE_RABBITMQ,
} from '@opentelemetry/semantic-conventions/incubating';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Envelope } from '../contracts/envelope.js';
import type { MessagingNames } from '../runtime/transport.js';

export interface TracingOptions {
  /** `service.name`, unless `OTEL_SERVICE_NAME` (or `OTEL_RESOURCE_ATTRIBUTES`) names another. */
  readonly serviceName: string;
  /** `service.version`; the product's package.json version when unset. */
  readonly serviceVersion?: string;
  /** The process's `ROLE` (`all`, `api`, `worker`), as the resource attribute `saas.role`. */
  readonly role?: string;
  /** The transport's names for its exchange and queues; the in-process bus's when unset. */
  readonly messaging?: MessagingNames;
  /** Spans go here as they end (tests: an `InMemorySpanExporter`). */
  readonly exporter?: SpanExporter;
  /** Export over OTLP/HTTP, configured by the standard `OTEL_EXPORTER_OTLP_*` variables. */
  readonly otlp?: boolean;
}

/** The in-process bus has no broker: its messages fan out from `events` to the endpoints. */
export const inProcessMessaging: MessagingNames = {
  system: 'saas_gen.memory',
  exchange: 'events',
  queue: (endpoint) => endpoint,
};

/** The message's type, a product attribute: the routing key says it on RabbitMQ only. */
export const ATTR_SAAS_MESSAGE_TYPE = 'saas.message.type';
/** The process role of the resource. */
export const ATTR_SAAS_ROLE = 'saas.role';

const parse = (traceparent: unknown) => {
  const match =
    typeof traceparent === 'string'
      ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent)
      : null;
  return match ? { traceId: match[1]!, spanId: match[2]! } : undefined;
};

/**
 * Random ids, except while a publish span is started: that one takes the ids its envelope
 * already carries. `startSpan` is synchronous, so the ids cannot leak into another span.
 */
class EnvelopeIdGenerator implements IdGenerator {
  readonly #random = new RandomIdGenerator();
  #next: { traceId: string; spanId: string } | undefined;

  withIds<T>(ids: { traceId: string; spanId: string }, start: () => T): T {
    this.#next = ids;
    try {
      return start();
    } finally {
      this.#next = undefined;
    }
  }

  generateTraceId(): string {
    return this.#next?.traceId ?? this.#random.generateTraceId();
  }

  generateSpanId(): string {
    return this.#next?.spanId ?? this.#random.generateSpanId();
  }
}

/** Probes and scrapes come every few seconds and say nothing about the product: no spans. */
const untracedPaths = new Set(['/health', '/health/live', '/health/ready', '/metrics']);
const untraced = (url: string): boolean => untracedPaths.has(url.split('?')[0]!);

export class Tracing {
  readonly #provider: BasicTracerProvider;
  readonly #tracer: Tracer;
  readonly #ids = new EnvelopeIdGenerator();
  readonly #messaging: MessagingNames;
  readonly #instrumentations: FastifyOtelInstrumentation[] = [];
  /**
   * The HTTP server spans in flight, by trace id: a message a request publishes (a sign-up's
   * `TenantRegistered`) is published as a child of the request's span.
   */
  readonly #requests = new Map<string, Span>();
  /** Each traced request's server span. */
  readonly #spans = new WeakMap<FastifyRequest, Span>();

  constructor(options: TracingOptions) {
    const processors: SpanProcessor[] = [];
    if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
    if (options.otlp) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
    const version = options.serviceVersion ?? packageVersion();
    const own = resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(version ? { [ATTR_SERVICE_VERSION]: version } : {}),
      ...(options.role ? { [ATTR_SAAS_ROLE]: options.role } : {}),
    });
    this.#provider = new BasicTracerProvider({
      // The environment's attributes (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME) win.
      resource: defaultResource()
        .merge(own)
        .merge(detectResources({ detectors: [envDetector] })),
      idGenerator: this.#ids,
      spanProcessors: processors,
    });
    this.#tracer = this.#provider.getTracer('saas-gen-runtime');
    this.#messaging = options.messaging ?? inProcessMessaging;
  }

  /**
   * The span of one delivery to `endpoint`: a child of the span that published the message. Its
   * destination is the endpoint's queue; the endpoint is the consumer group.
   */
  process(endpoint: string, envelope: Envelope, attempt: number): Span {
    const ids = parse(envelope.traceId);
    const parent = ids
      ? trace.setSpanContext(context.active(), {
          ...ids,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        })
      : undefined;
    const queue = this.#messaging.queue(endpoint);
    return this.#tracer.startSpan(
      `process ${queue}`,
      {
        kind: SpanKind.CONSUMER,
        root: !parent,
        attributes: {
          ...this.#messageAttributes(envelope),
          [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
          [ATTR_MESSAGING_OPERATION_NAME]: 'process',
          [ATTR_MESSAGING_DESTINATION_NAME]: queue,
          [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: endpoint,
          'saas.attempt': attempt,
        },
      },
      parent,
    );
  }

  /**
   * Records that a unit of work published `envelope` (to the exchange), as a span with the
   * envelope's own ids, under `parent` when it belongs to the same trace, or else under the HTTP
   * request of its trace in flight. Ended at once: the publish is the commit.
   */
  publish(envelope: Envelope, parent: Span | undefined): void {
    const ids = parse(envelope.traceId);
    if (!ids) return;
    const under =
      parent?.spanContext().traceId === ids.traceId ? parent : this.#requests.get(ids.traceId);
    const parentContext: Context | undefined = under
      ? trace.setSpan(context.active(), under)
      : undefined;
    const exchange = this.#messaging.exchange;
    const span = this.#ids.withIds(ids, () =>
      this.#tracer.startSpan(
        `publish ${exchange}`,
        {
          kind: SpanKind.PRODUCER,
          root: !parentContext,
          attributes: {
            ...this.#messageAttributes(envelope),
            [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
            [ATTR_MESSAGING_OPERATION_NAME]: 'publish',
            [ATTR_MESSAGING_DESTINATION_NAME]: exchange,
          },
        },
        parentContext,
      ),
    );
    span.end();
  }

  child(parent: Span | undefined, name: string, attributes: Attributes): Span {
    const parentContext = parent ? trace.setSpan(context.active(), parent) : undefined;
    return this.#tracer.startSpan(name, { attributes, root: !parentContext }, parentContext);
  }

  /**
   * Gives `app` an HTTP server span per request (`@fastify/otel`, on this provider), which
   * continues the caller's trace when the request carries a W3C `traceparent`. Call it before
   * any route is declared: the instrumentation wraps routes as they are added.
   */
  instrumentHttp(app: FastifyInstance): void {
    // The instrumentation reads `traceparent` through the API's propagator, which is global.
    // A stateless W3C one is set only when nothing else was: what it does is the same for every
    // product in the process, and an application's own SDK keeps its choice.
    if (propagation.fields().length === 0)
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const instrumentation = new FastifyOtelInstrumentation({
      // A span per request and one for its handler; none per hook.
      instrumentHooks: false,
      ignorePaths: ({ url }) => untraced(url),
      requestHook: (span, request) => {
        this.#spans.set(request, span);
        this.#requests.set(span.spanContext().traceId, span);
        describeRequest(span, request);
      },
    });
    instrumentation.setTracerProvider(this.#provider);
    this.#instrumentations.push(instrumentation);
    // Applied at once rather than through `register`, which would load it after the routes that
    // `buildServer` declares synchronously (`@fastify/otel` does the same on initialization).
    instrumentation.plugin()(app, {}, (error) => {
      if (error) throw error;
    });
    // Before the instrumentation's own `onSend`, which ends the span.
    app.addHook('onSend', async (request, reply) => {
      if (reply.statusCode >= 500)
        this.#spans.get(request)?.setAttribute(ATTR_ERROR_TYPE, String(reply.statusCode));
    });
    const forget = async (request: FastifyRequest) => {
      const span = this.#spans.get(request);
      if (span && this.#requests.get(span.spanContext().traceId) === span)
        this.#requests.delete(span.spanContext().traceId);
    };
    app.addHook('onResponse', forget);
    app.addHook('onRequestAbort', forget);
  }

  /**
   * The `traceparent` of the request's HTTP server span, for what the request starts (the
   * onboarding of a sign-up) to be its child; the caller's header when the request has no span.
   */
  traceParentOf(request: FastifyRequest): string | undefined {
    const span = this.#spans.get(request);
    if (!span) return request.headers.traceparent as string | undefined;
    const { traceId, spanId, traceFlags } = span.spanContext();
    return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
  }

  static fail(span: Span, message: string): void {
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }

  async shutdown(): Promise<void> {
    for (const instrumentation of this.#instrumentations) instrumentation.disable();
    this.#requests.clear();
    await this.#provider.shutdown();
  }

  #messageAttributes(envelope: Envelope): Attributes {
    const { system } = this.#messaging;
    return {
      [ATTR_MESSAGING_SYSTEM]: system,
      ...(system === MESSAGING_SYSTEM_VALUE_RABBITMQ
        ? // Every message is published to the exchange with its type as the routing key.
          { [ATTR_MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY]: envelope.type }
        : {}),
      [ATTR_MESSAGING_MESSAGE_ID]: envelope.eventId,
      [ATTR_MESSAGING_MESSAGE_CONVERSATION_ID]: envelope.correlationId,
      [ATTR_SAAS_MESSAGE_TYPE]: envelope.type,
      'tenant.id': envelope.tenantId,
    };
  }
}

/** The HTTP semantic conventions' name and attributes the instrumentation does not set itself. */
function describeRequest(span: Span, request: FastifyRequest): void {
  const route = request.routeOptions.url;
  span.updateName(route ? `${request.method} ${route}` : request.method);
  const [path, query] = splitUrl(request.url);
  const port = request.port ?? undefined;
  const agent = request.headers['user-agent'];
  span.setAttributes({
    // The instrumentation's `url.path` is the whole target, query included.
    [ATTR_URL_PATH]: path,
    ...(query ? { [ATTR_URL_QUERY]: query } : {}),
    ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
    [ATTR_URL_SCHEME]: request.protocol,
    [ATTR_SERVER_ADDRESS]: request.hostname,
    ...(port ? { [ATTR_SERVER_PORT]: port } : {}),
    [ATTR_CLIENT_ADDRESS]: request.ip,
    [ATTR_NETWORK_PROTOCOL_VERSION]: request.raw.httpVersion,
    ...(typeof agent === 'string' ? { [ATTR_USER_AGENT_ORIGINAL]: agent } : {}),
  });
}

function splitUrl(url: string): [string, string | undefined] {
  const at = url.indexOf('?');
  return at < 0 ? [url, undefined] : [url.slice(0, at), url.slice(at + 1)];
}

/**
 * The product's version: npm's `npm_package_version` when started by an npm script, else the
 * version in the package.json of the folder it runs in (the product's root, as `npm start` and
 * the image run it).
 */
function packageVersion(): string | undefined {
  if (process.env.npm_package_version) return process.env.npm_package_version;
  try {
    const { version } = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
