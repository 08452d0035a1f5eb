/**
 * Tracing: one onboarding is one trace, from the HTTP request of the sign-up to Active (the HTTP
 * server span → publish → process → step → publish …, linked by the envelopes' W3C trace
 * context), with the names and attributes of OpenTelemetry's HTTP and messaging conventions, a
 * resource from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, and OTLP/HTTP export to a
 * collector when OTEL_EXPORTER_OTLP_ENDPOINT is set. On the broker when BUS_URL names one.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { product as catalogProduct } from '../../src/catalog.js';
import type { Envelope } from '../../src/contracts/envelope.js';
import { nextSlug, onboardingSteps, productPerTest } from './harness.js';
import type { Product } from './harness.js';
import { infrastructure } from './infrastructure.js';

const fixtureRoot = fileURLToPath(new URL('../../../.product-fixture', import.meta.url));

/** Starts a product that is stopped after the test. */
const product = productPerTest();
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const onBroker = infrastructure.endsWith('rabbitmq');
const firstStep = onboardingSteps.find((step) => step.on === 'TenantRegistered')!;
const maxDelay = Math.max(...onboardingSteps.map((step) => step.retry.maxDelayMs));
const traceIdOf = (traceparent: string) => traceparent.split('-')[1]!;
const spanIdOf = (traceparent: string) => traceparent.split('-')[2]!;
const hex = (bytes: number) =>
  Array.from({ length: bytes }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');

/** The transport's names, which the spans must use. */
const names = (p: Product) => p.app.transport.messaging!;

const registeredOf = (p: Product, tenantId: string): Envelope =>
  p.published.find((m) => m.type === 'TenantRegistered' && m.tenantId === tenantId)!;

/** What the messaging conventions ask of every publish and process span of `message`. */
function expectMessagingAttributes(
  p: Product,
  attributes: Record<string, unknown>,
  message: Envelope,
): void {
  expect(attributes).toMatchObject({
    'messaging.system': onBroker ? 'rabbitmq' : 'saas_gen.memory',
    'messaging.message.id': message.eventId,
    'messaging.message.conversation_id': message.correlationId,
    'saas.message.type': message.type,
    'tenant.id': message.tenantId,
  });
  if (onBroker) expect(attributes['messaging.rabbitmq.destination.routing_key']).toBe(message.type);
  else expect(attributes).not.toHaveProperty('messaging.rabbitmq.destination.routing_key');
  expect(names(p).system).toBe(attributes['messaging.system']);
}

describe(`tracing (${infrastructure})`, () => {
  it('makes one onboarding one trace, from the sign-up’s HTTP server span to Active', async () => {
    const exporter = new InMemorySpanExporter();
    const p = await product({ spanExporter: exporter });
    const { tenantId } = await p.signUp();
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Active');
    const registered = registeredOf(p, tenantId);
    const trace = traceIdOf(registered.traceId);
    const spans = exporter.getFinishedSpans();
    const inTrace = spans.filter((s) => s.spanContext().traceId === trace);
    const ofTenant = spans.filter((s) => s.attributes['tenant.id'] === tenantId);
    expect(ofTenant.length).toBeGreaterThan(onboardingSteps.length * 2);
    expect(new Set(ofTenant.map((s) => s.spanContext().traceId))).toEqual(new Set([trace]));

    // The trace's one root is the HTTP server span of POST /tenants.
    const roots = inTrace.filter((s) => !s.parentSpanContext);
    expect(roots.map((s) => [s.name, s.kind])).toEqual([['POST /tenants', SpanKind.SERVER]]);
    const http = roots[0]!;
    expect(http.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/tenants',
      'http.response.status_code': 202,
      'url.path': '/tenants',
      'url.scheme': 'http',
    });

    const byId = new Map<string, ReadableSpan>(spans.map((s) => [s.spanContext().spanId, s]));
    for (const span of inTrace.filter((s) => s.parentSpanContext)) {
      const parent = byId.get(span.parentSpanContext!.spanId);
      expect(parent, `the parent of ${span.name}`).toBeDefined();
      // A delivery is a child of the publish span of the message it delivers.
      if (span.kind === SpanKind.CONSUMER) {
        expect(parent!.kind).toBe(SpanKind.PRODUCER);
        expect(parent!.attributes['messaging.message.id']).toBe(
          span.attributes['messaging.message.id'],
        );
      }
    }
    // The sign-up's message is published under the request; each message's publish span carries
    // the ids its envelope names.
    const publish = byId.get(spanIdOf(registered.traceId))!;
    expect(publish.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
    for (const message of p.published.filter((m) => m.tenantId === tenantId))
      expect(byId.get(spanIdOf(message.traceId))?.attributes['saas.message.type']).toBe(
        message.type,
      );
  });

  it('names the publish and process spans and their attributes as the messaging conventions do', async () => {
    const exporter = new InMemorySpanExporter();
    const p = await product({ spanExporter: exporter });
    const { tenantId, correlationId } = await p.signUp();
    await p.settle();
    const { exchange } = names(p);
    const spans = exporter.getFinishedSpans().filter((s) => s.attributes['tenant.id'] === tenantId);
    const messages = new Map<string, Envelope>(
      p.published.filter((m) => m.tenantId === tenantId).map((m) => [m.eventId, m]),
    );
    const publishes = spans.filter((s) => s.kind === SpanKind.PRODUCER);
    // Every message sent on the bus has its publish span (so has each one scheduled for later).
    const published = publishes.map((s) => s.attributes['messaging.message.id']);
    for (const id of messages.keys()) expect(published.filter((p) => p === id)).toHaveLength(1);
    for (const span of publishes) {
      expect(span.name).toBe(`publish ${exchange}`);
      const message = messages.get(span.attributes['messaging.message.id'] as string);
      if (message) expectMessagingAttributes(p, span.attributes, message);
      expect(span.attributes).toMatchObject({
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': exchange,
      });
    }
    const processes = spans.filter((s) => s.kind === SpanKind.CONSUMER);
    expect(processes.length).toBeGreaterThanOrEqual(onboardingSteps.length);
    const first = processes.find(
      (s) =>
        s.attributes['messaging.consumer.group.name'] === `${firstStep.service}.${firstStep.id}`,
    )!;
    const endpoint = `${firstStep.service}.${firstStep.id}`;
    const queue = names(p).queue(endpoint);
    // The broker's queue is the endpoint's name behind the transport's prefix.
    if (onBroker) expect(queue.endsWith(`.${endpoint}`) && queue !== endpoint).toBe(true);
    else expect(queue).toBe(endpoint);
    expect(first.name).toBe(`process ${queue}`);
    expect(first.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': queue,
      'saas.message.type': 'TenantRegistered',
      'messaging.message.conversation_id': correlationId,
    });
    for (const span of processes) {
      // A message scheduled for later reaches its endpoint without the tap seeing it.
      const message = messages.get(span.attributes['messaging.message.id'] as string);
      if (message) expectMessagingAttributes(p, span.attributes, message);
      const group = span.attributes['messaging.consumer.group.name'] as string;
      expect(span.attributes['messaging.destination.name']).toBe(names(p).queue(group));
    }
  });

  it('tags spans with the tenant and the begin and end state of each step and of the saga', async () => {
    const exporter = new InMemorySpanExporter();
    const p = await product({ spanExporter: exporter });
    const { tenantId } = await p.signUp();
    await p.settle();
    const spans = exporter.getFinishedSpans().filter((s) => s.attributes['tenant.id'] === tenantId);
    for (const step of onboardingSteps) {
      const span = spans.find((s) => s.name === `step ${step.id}`);
      expect(span?.attributes, step.id).toMatchObject({
        'saas.step': step.id,
        'saas.state.begin': 'Pending',
        'saas.state.end': 'Succeeded',
      });
    }
    const saga = spans.filter((s) => s.attributes['saas.saga'] === 'tenant');
    expect(
      saga.map((s) => [s.attributes['saas.state.begin'], s.attributes['saas.state.end']]),
    ).toContainEqual(['Provisioning', 'Active']);
  });

  it('records a failed attempt as an error span, and the retry as a new one in the same trace', async () => {
    const exporter = new InMemorySpanExporter();
    const p = await product({ spanExporter: exporter, faults: `${firstStep.id}:transient:1` });
    const { tenantId } = await p.signUp();
    await p.settle();
    await p.elapse(maxDelay);
    const attempts = exporter
      .getFinishedSpans()
      .filter(
        (s) =>
          s.kind === SpanKind.CONSUMER &&
          s.attributes['saas.message.type'] === firstStep.on &&
          s.attributes['messaging.consumer.group.name'] ===
            `${firstStep.service}.${firstStep.id}` &&
          s.attributes['tenant.id'] === tenantId,
      );
    expect(
      attempts.map((s) => [
        s.attributes['saas.attempt'],
        s.attributes['saas.outcome'],
        s.status.code,
      ]),
    ).toEqual([
      [1, 'retry', 2],
      [2, 'handled', 0],
    ]);
    expect(attempts[0]!.parentSpanContext?.spanId).toBe(attempts[1]!.parentSpanContext?.spanId);
  });

  it('continues the caller’s trace when the sign-up carries a traceparent header', async () => {
    const exporter = new InMemorySpanExporter();
    const p = await product({ spanExporter: exporter });
    const callerTrace = hex(16);
    const callerSpan = hex(8);
    const response = await p.inject({
      method: 'POST',
      url: '/tenants',
      token: null,
      headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` },
      payload: {
        slug: nextSlug(),
        name: 'Traced',
        owner: { email: 'owner@traced.test', name: 'Owner' },
      },
    });
    expect(response.statusCode, response.body).toBe(202);
    const { tenantId } = response.json() as { tenantId: string };
    await p.settle();
    const http = exporter.getFinishedSpans().find((s) => s.name === 'POST /tenants')!;
    expect(http.spanContext().traceId).toBe(callerTrace);
    expect(http.parentSpanContext).toMatchObject({ traceId: callerTrace, spanId: callerSpan });
    const registered = registeredOf(p, tenantId);
    expect(traceIdOf(registered.traceId)).toBe(callerTrace);
    const ofTenant = exporter
      .getFinishedSpans()
      .filter((s) => s.attributes['tenant.id'] === tenantId);
    expect(new Set(ofTenant.map((s) => s.spanContext().traceId))).toEqual(new Set([callerTrace]));
  });

  it('gives no span to health probes and scrapes', async () => {
    const exporter = new InMemorySpanExporter();
    const p = await product({ spanExporter: exporter });
    for (const url of ['/health', '/health/live', '/health/ready', '/metrics'])
      await p.inject({ method: 'GET', url, token: null });
    await p.inject({ method: 'GET', url: '/tenants?limit=5' });
    expect(
      exporter
        .getFinishedSpans()
        .filter((s) => s.kind === SpanKind.SERVER)
        .map((s) => s.name),
    ).toEqual(['GET /tenants']);
    const list = exporter.getFinishedSpans().find((s) => s.name === 'GET /tenants')!;
    expect(list.attributes).toMatchObject({
      'url.path': '/tenants',
      'url.query': 'limit=5',
      'http.response.status_code': 200,
    });
  });

  it('describes the service from OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and ROLE', async () => {
    // The product's own version, from the package.json of the folder it runs in.
    vi.stubEnv('npm_package_version', '');
    vi.spyOn(process, 'cwd').mockReturnValue(fixtureRoot);
    const plain = new InMemorySpanExporter();
    const p = await product({ spanExporter: plain });
    await p.signUp();
    expect(plain.getFinishedSpans()[0]!.resource.attributes).toMatchObject({
      'service.name': catalogProduct.name,
      'service.version': '0.1.0',
      'saas.role': 'all',
    });

    vi.stubEnv('OTEL_SERVICE_NAME', 'acme-signup');
    vi.stubEnv(
      'OTEL_RESOURCE_ATTRIBUTES',
      'deployment.environment.name=staging,service.namespace=acme,service.name=overridden',
    );
    const exporter = new InMemorySpanExporter();
    const named = await product({ spanExporter: exporter });
    await named.signUp();
    expect(exporter.getFinishedSpans()[0]!.resource.attributes).toMatchObject({
      // OTEL_SERVICE_NAME wins over the service.name of OTEL_RESOURCE_ATTRIBUTES.
      'service.name': 'acme-signup',
      'deployment.environment.name': 'staging',
      'service.namespace': 'acme',
      'saas.role': 'all',
    });
  });
});

/** One span as OTLP/JSON carries it. */
interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
  readonly resource: Record<string, unknown>;
}

type OtlpValue = {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
};
const valueOf = (value: OtlpValue): unknown =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue));
const attributesOf = (list: { key: string; value: OtlpValue }[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, valueOf(value)]));

/** A collector on node:http: decodes the OTLP/JSON `POST /v1/traces` the exporter sends. */
async function collector() {
  const spans: OtlpSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (request.url !== '/v1/traces' || !request.headers['content-type']?.includes('json')) {
        response.writeHead(415).end();
        return;
      }
      const decoded = JSON.parse(body.toString('utf8')) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: OtlpValue }[] };
          scopeSpans: {
            spans: (Omit<OtlpSpan, 'attributes' | 'resource'> & {
              attributes: { key: string; value: OtlpValue }[];
            })[];
          }[];
        }[];
      };
      for (const { resource, scopeSpans } of decoded.resourceSpans)
        for (const { spans: list } of scopeSpans)
          for (const span of list)
            spans.push({
              ...span,
              attributes: attributesOf(span.attributes),
              resource: attributesOf(resource.attributes),
            });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe(`OTLP/HTTP export (${infrastructure})`, () => {
  it('sends one onboarding as one trace, from the HTTP request across the bus, with the conventions’ attributes', async () => {
    const received = await collector();
    try {
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', received.endpoint);
      const p = await product({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: received.endpoint } });
      const { tenantId, correlationId } = await p.signUp();
      await p.settle();
      expect((await p.tenant(tenantId)).state).toBe('Active');
      const { exchange } = names(p);
      await p.stop(); // flushes the batch

      const ofTenant = received.spans.filter((s) => s.attributes['tenant.id'] === tenantId);
      expect(ofTenant.length).toBeGreaterThan(onboardingSteps.length * 2);
      const traces = new Set(ofTenant.map((s) => s.traceId));
      expect(traces.size, 'one trace id across the bus').toBe(1);
      const [trace] = traces;
      expect(trace).toMatch(/^[0-9a-f]{32}$/);
      expect(trace).toBe(traceIdOf(registeredOf(p, tenantId).traceId));

      const inTrace = received.spans.filter((s) => s.traceId === trace);
      const http = inTrace.filter((s) => !s.parentSpanId);
      expect(http.map((s) => s.name)).toEqual(['POST /tenants']);
      expect(http[0]!.kind).toBe(2); // SPAN_KIND_SERVER
      expect(http[0]!.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.route': '/tenants',
        'http.response.status_code': 202,
        'url.path': '/tenants',
      });
      const ids = new Set(inTrace.map((s) => s.spanId));
      for (const span of inTrace.filter((s) => s.parentSpanId))
        expect(ids.has(span.parentSpanId!), `the parent of ${span.name}`).toBe(true);

      const system = onBroker ? 'rabbitmq' : 'saas_gen.memory';
      const publishes = ofTenant.filter((s) => s.kind === 4); // SPAN_KIND_PRODUCER
      const processes = ofTenant.filter((s) => s.kind === 5); // SPAN_KIND_CONSUMER
      const publishedIds = publishes.map((s) => s.attributes['messaging.message.id']);
      for (const message of p.published.filter((m) => m.tenantId === tenantId))
        expect(publishedIds).toContain(message.eventId);
      expect(processes.length).toBeGreaterThanOrEqual(onboardingSteps.length);
      for (const span of publishes) {
        expect(span.name).toBe(`publish ${exchange}`);
        expect(span.attributes).toMatchObject({
          'messaging.system': system,
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'publish',
          'messaging.destination.name': exchange,
          'messaging.message.conversation_id': correlationId,
        });
        if (onBroker)
          expect(span.attributes['messaging.rabbitmq.destination.routing_key']).toBe(
            span.attributes['saas.message.type'],
          );
      }
      for (const span of processes) {
        expect(span.name).toBe(
          `process ${span.attributes['messaging.destination.name'] as string}`,
        );
        expect(span.attributes).toMatchObject({
          'messaging.system': system,
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.message.conversation_id': correlationId,
        });
        expect(span.attributes['messaging.consumer.group.name']).toEqual(expect.any(String));
        expect(span.attributes['messaging.message.id']).toEqual(expect.any(String));
      }
      expect(http[0]!.resource).toMatchObject({
        'service.name': catalogProduct.name,
        'saas.role': 'all',
      });
    } finally {
      await received.close();
    }
  });
});
