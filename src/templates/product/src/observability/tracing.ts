/**
 * OpenTelemetry tracing of the bus. Every message already carries a W3C `traceparent` in its
 * envelope (`traceId`), and a message caused by another keeps its trace id with a span id of its
 * own. Here that span id becomes the id of the message's publish span, and each delivery's
 * process span is a child of it: so one onboarding, across every hop of the bus and every
 * process, is one trace: publish → process → step → publish → …
 */
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  RandomIdGenerator,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { IdGenerator, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Envelope } from '../contracts/envelope.js';

export interface TracingOptions {
  readonly serviceName: string;
  /** Spans go here as they end (tests: an `InMemorySpanExporter`). */
  readonly exporter?: SpanExporter;
  /** Export over OTLP/HTTP, configured by the standard `OTEL_EXPORTER_OTLP_*` variables. */
  readonly otlp?: boolean;
}

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

export class Tracing {
  readonly #provider: BasicTracerProvider;
  readonly #tracer: Tracer;
  readonly #ids = new EnvelopeIdGenerator();

  constructor(options: TracingOptions) {
    const processors: SpanProcessor[] = [];
    if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
    if (options.otlp) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName }),
      idGenerator: this.#ids,
      spanProcessors: processors,
    });
    this.#tracer = this.#provider.getTracer('saas-gen-runtime');
  }

  /** The span of one delivery: a child of the span that published the message. */
  process(endpoint: string, envelope: Envelope, attempt: number): Span {
    const ids = parse(envelope.traceId);
    const parent = ids
      ? trace.setSpanContext(context.active(), {
          ...ids,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        })
      : undefined;
    return this.#tracer.startSpan(
      `process ${envelope.type}`,
      {
        kind: SpanKind.CONSUMER,
        root: !parent,
        attributes: {
          ...messageAttributes(envelope),
          'messaging.operation.type': 'process',
          'messaging.consumer.group.name': endpoint,
          'saas.attempt': attempt,
        },
      },
      parent,
    );
  }

  /**
   * Records that a unit of work published `envelope`, as a span with the envelope's own ids,
   * under `parent` when it belongs to the same trace. Ended at once: the publish is the commit.
   */
  publish(envelope: Envelope, parent: Span | undefined): void {
    const ids = parse(envelope.traceId);
    if (!ids) return;
    const sameTrace = parent?.spanContext().traceId === ids.traceId;
    const parentContext: Context | undefined =
      sameTrace && parent ? trace.setSpan(context.active(), parent) : undefined;
    const span = this.#ids.withIds(ids, () =>
      this.#tracer.startSpan(
        `publish ${envelope.type}`,
        {
          kind: SpanKind.PRODUCER,
          root: !parentContext,
          attributes: { ...messageAttributes(envelope), 'messaging.operation.type': 'send' },
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

  static fail(span: Span, message: string): void {
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }

  shutdown(): Promise<void> {
    return this.#provider.shutdown();
  }
}

function messageAttributes(envelope: Envelope): Attributes {
  return {
    'messaging.system': 'saas-gen',
    'messaging.destination.name': envelope.type,
    'messaging.message.id': envelope.eventId,
    'messaging.message.conversation_id': envelope.correlationId,
    'tenant.id': envelope.tenantId,
  };
}
