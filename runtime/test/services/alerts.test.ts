/**
 * Onboarding alerts, end to end: a product whose onboarding fails or times out POSTs one alert
 * per event to a local receiver, signed as a Standard Webhook; a receiver that fails gets the
 * alert again with backoff, and at last a dead letter that a replay through the API delivers.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { productEndpoints, productRoutes } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { Envelope } from '../../src/contracts/envelope.js';
import type { TenantProvisioningFailed } from '../../src/contracts/builtins.js';
import { silentLogger } from '../../src/runtime/logger.js';
import type { AlertBody } from '../../src/services/alerts.js';
import {
  AlertDeliveryFailed,
  alertEndpoint,
  alertEndpointName,
  alertRetry,
  alertsCollection,
  requestTimeoutMs,
  safeUrl,
} from '../../src/services/alerts.js';
import type { Product } from '../product/harness.js';
import {
  fixture,
  jwtSecret,
  onboardingSteps,
  onboardingTimeoutMs,
  productPerTest,
} from '../product/harness.js';
import { infrastructure } from '../product/infrastructure.js';

const product = productPerTest();

/** A step no other step waits for: failing it means every other step had its chance. */
const lastStep = onboardingSteps.find(
  (step) => !onboardingSteps.some((other) => other.on === step.emits),
)!;

const secret = `whsec_${Buffer.from('alert-signing-key-0123456789abcdef').toString('base64')}`;
const publicUrl = 'https://acme.example';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

/** A webhook receiver on a free local port, answering each request with `answer(n)` (1-based). */
interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  answer: (n: number) => number;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

async function receiver(answer: (n: number) => number = () => 200): Promise<Receiver> {
  const requests: Received[] = [];
  const state: Receiver = { url: '', requests, answer };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = state.answer(requests.length + 1);
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString(), status });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { url: `http://127.0.0.1:${port}/hooks/onboarding` });
}

const alertEnv = (url: string, withSecret = true): Record<string, string> => ({
  ALERT_WEBHOOK_URL: url,
  PUBLIC_URL: publicUrl,
  ...(withSecret ? { ALERT_WEBHOOK_SECRET: secret } : {}),
});

/** The one message of `type` published about `tenantId`. */
function publishedOne(p: Product, tenantId: string, type: string): Envelope {
  const found = p.published.filter((e) => e.type === type && e.tenantId === tenantId);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The request's body, after its Standard Webhooks signature checked out. */
function verified(request: Received): AlertBody {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(request.body, headers) as AlertBody;
}

const linksOf = (tenantId: string) => ({
  tenant: `${publicUrl}/tenants/${tenantId}`,
  timeline: `${publicUrl}/tenants/${tenantId}/timeline`,
  retry: `${publicUrl}/tenants/${tenantId}/provisioning/retry`,
});

/** The sum of the delays between the first and the last attempt, and a minute more. */
const allRetriesMs =
  Array.from({ length: alertRetry.attempts - 1 }, (_, i) =>
    Math.min(alertRetry.initialDelayMs * 2 ** i, alertRetry.maxDelayMs),
  ).reduce((a, b) => a + b, 0) + 60_000;

describe(`onboarding alerts (${infrastructure})`, () => {
  it('POSTs one signed alert for a failed onboarding, with the tenant and links', async () => {
    const hook = await receiver();
    const p = await product({ faults: `${lastStep.id}:fail`, env: alertEnv(hook.url) });
    const { tenantId, correlationId, slug } = await p.signUp();
    await p.settle();
    expect((await p.saga(tenantId))?.state).toBe('ProvisioningFailed');
    const event = publishedOne(p, tenantId, 'TenantProvisioningFailed');
    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toBe(event.eventId);
    const body = verified(request!);
    const payload = event.payload as { reason: string; failedStep: string };
    expect(body).toEqual({
      type: 'onboarding.failed',
      tenantId,
      correlationId,
      occurredAt: event.occurredAt,
      eventId: event.eventId,
      tenant: { slug, name: `Tenant ${slug}`, edition: (await p.tenant(tenantId)).edition },
      reason: payload.reason,
      failedStep: lastStep.id,
      links: linksOf(tenantId),
    });
    expect(body.reason).toContain(lastStep.id);
    // Delivered again (an at-least-once bus), the event is not alerted again.
    await p.app.transport.publish(event);
    await p.settle();
    expect(hook.requests).toHaveLength(1);
    expect(await p.app.store.getRecord(alertsCollection, tenantId, event.eventId)).toBeDefined();
  });

  it('POSTs one signed alert for a timed-out onboarding, naming the steps it waited for', async () => {
    const hook = await receiver();
    const p = await product({ faults: `${lastStep.id}:hang`, env: alertEnv(hook.url) });
    const { tenantId, correlationId, slug } = await p.signUp();
    await p.settle();
    expect(hook.requests).toHaveLength(0);
    await p.elapse(onboardingTimeoutMs + 1000);
    expect((await p.saga(tenantId))?.state).toBe('ProvisioningFailed');
    const event = publishedOne(p, tenantId, 'TenantProvisioningTimedOut');
    expect(hook.requests).toHaveLength(1);
    const body = verified(hook.requests[0]!);
    expect(body).toEqual({
      type: 'onboarding.timed_out',
      tenantId,
      correlationId,
      occurredAt: event.occurredAt,
      eventId: event.eventId,
      tenant: { slug, name: `Tenant ${slug}`, edition: (await p.tenant(tenantId)).edition },
      timeoutMs: onboardingTimeoutMs,
      pendingSteps: expect.arrayContaining([lastStep.id]) as unknown,
      links: linksOf(tenantId),
    });
    expect(hook.requests[0]!.headers['webhook-id']).toBe(event.eventId);
  });

  it('sends nothing for an onboarding that succeeds', async () => {
    const hook = await receiver();
    const p = await product({ env: alertEnv(hook.url) });
    const { tenantId } = await p.signUp();
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Active');
    await p.elapse(onboardingTimeoutMs + 1000);
    expect(hook.requests).toEqual([]);
  });

  it('retries a receiver that fails with backoff, under the same webhook-id, until it accepts', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    const p = await product({ faults: `${lastStep.id}:fail`, env: alertEnv(hook.url) });
    const { tenantId } = await p.signUp();
    await p.settle();
    expect(hook.requests.map((r) => r.status)).toEqual([500]);
    // Not before the backoff: the first retry is due `initialDelayMs` after the failure.
    p.clock.advance(alertRetry.initialDelayMs - 1);
    await p.settle();
    expect(hook.requests).toHaveLength(1);
    await p.elapse(alertRetry.initialDelayMs * 4);
    expect(hook.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    const event = publishedOne(p, tenantId, 'TenantProvisioningFailed');
    expect(new Set(hook.requests.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([event.eventId]),
    );
    expect(verified(hook.requests[2]!).eventId).toBe(event.eventId);
    // Accepted: nothing is retried any more, nothing is dead-lettered.
    await p.elapse(allRetriesMs);
    expect(hook.requests).toHaveLength(3);
    expect(await p.app.store.listDeadLetters()).toEqual([]);
  });

  it('dead-letters an alert the receiver never accepts, and a replay through the API delivers it', async () => {
    const hook = await receiver(() => 503);
    const p = await product({ faults: `${lastStep.id}:fail`, env: alertEnv(hook.url) });
    const { tenantId } = await p.signUp();
    await p.settle();
    await p.elapse(allRetriesMs);
    expect(hook.requests).toHaveLength(alertRetry.attempts);
    const letters = await p.app.store.listDeadLetters({ tenantId });
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(letter!.endpoint).toBe(alertEndpointName);
    expect(letter!.attempts).toBe(alertRetry.attempts);
    expect(letter!.errorType).toBe('AlertDeliveryFailed');
    expect(letter!.errorMessage).toContain('answered 503');
    expect(letter!.envelope.type).toBe('TenantProvisioningFailed');

    hook.answer = () => 200;
    const replayed = await p.inject({ method: 'POST', url: `/dead-letters/${letter!.id}/replay` });
    expect(replayed.statusCode).toBe(202);
    await p.settle();
    expect(hook.requests.map((r) => r.status)).toEqual([
      ...Array<number>(alertRetry.attempts).fill(503),
      200,
    ]);
    const last = hook.requests.at(-1)!;
    expect(last.headers['webhook-id']).toBe(letter!.envelope.eventId);
    expect(verified(last).type).toBe('onboarding.failed');
    expect(await p.app.store.listDeadLetters()).toEqual([]);
  });

  it('without a secret still sends webhook-id, unsigned; credentials travel as Basic and are never logged', async () => {
    const hook = await receiver((n) => (n === 1 ? 500 : 200));
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const url = hook.url.replace('http://', 'http://alice:s3cr3t-pass@') + '?token=t0k3n';
    const p = await product({
      faults: `${lastStep.id}:fail`,
      env: alertEnv(url, false),
      logStream,
      logLevel: 'info',
    });
    const { tenantId } = await p.signUp();
    await p.settle();
    await p.elapse(alertRetry.initialDelayMs * 2);
    expect(hook.requests.map((r) => r.status)).toEqual([500, 200]);
    const event = publishedOne(p, tenantId, 'TenantProvisioningFailed');
    for (const request of hook.requests) {
      expect(request.headers['webhook-id']).toBe(event.eventId);
      expect(request.headers['webhook-timestamp']).toMatch(/^\d+$/);
      expect(request.headers['webhook-signature']).toBeUndefined();
      expect(request.headers.authorization).toBe(
        `Basic ${Buffer.from('alice:s3cr3t-pass').toString('base64')}`,
      );
    }
    expect((JSON.parse(hook.requests[1]!.body) as AlertBody).eventId).toBe(event.eventId);
    const log = lines.join('');
    expect(log).toContain('onboarding alert delivered');
    expect(log).toContain('answered 500');
    expect(log).toContain('http://***@127.0.0.1');
    expect(log).not.toContain('s3cr3t-pass');
    expect(log).not.toContain('t0k3n');
  });
});

describe('alert sender', () => {
  const store = { getRecord: async () => undefined, transaction: async () => undefined } as never;
  const message = {
    eventId: 'event-1',
    type: 'TenantProvisioningFailed',
    version: 1,
    occurredAt: '2030-01-01T00:00:00.000Z',
    tenantId: 'tenant-1',
    correlationId: 'correlation-1',
    causationId: 'cause-1',
    traceId: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`,
    payload: { reason: 'broken', failedStep: 'seed' },
  } as unknown as TenantProvisioningFailed;

  it('bounds each request, and a request that gets no answer in time fails (to be retried)', async () => {
    let signal: AbortSignal | undefined;
    const endpoint = alertEndpoint({
      url: 'https://hooks.example/alerts',
      publicUrl,
      store,
      log: silentLogger,
      fetch: async (_url, init) => {
        signal = init?.signal ?? undefined;
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      },
    });
    await expect(endpoint.send(message, 1)).rejects.toThrow(
      new AlertDeliveryFailed(
        `POST https://hooks.example/alerts: no answer within ${requestTimeoutMs} ms`,
      ),
    );
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal!.aborted).toBe(false);
  });

  it('shows a URL without its credentials or query', () => {
    expect(safeUrl('https://user:pw@hooks.example/a/b?token=x')).toBe(
      'https://***@hooks.example/a/b?…',
    );
    expect(safeUrl('https://token@hooks.example/a')).toBe('https://***@hooks.example/a');
    expect(safeUrl('http://hooks.example:8080/a')).toBe('http://hooks.example:8080/a');
  });
});

describe('alert configuration', () => {
  const base = { ADMIN_TOKEN: 'a'.repeat(32), JWT_SECRET: jwtSecret };
  const names = (env: Record<string, string>) =>
    productRoutes(loadConfig({ ...base, ...env }), fixture).map((route) => route.endpoint);

  it('registers no alert endpoint without ALERT_WEBHOOK_URL, and one with it', () => {
    expect(names({})).not.toContain(alertEndpointName);
    expect(names({ ALERT_WEBHOOK_URL: '' })).not.toContain(alertEndpointName);
    const config = loadConfig({ ...base, ALERT_WEBHOOK_URL: 'https://hooks.example/a' });
    const alerts = productEndpoints(config, fixture, silentLogger, { jwtSecret }).filter(
      (endpoint) => endpoint.name === alertEndpointName,
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.types).toEqual(['TenantProvisioningTimedOut', 'TenantProvisioningFailed']);
    expect(alerts[0]!.retry).toEqual(alertRetry);
  });

  it('refuses a URL that is not http(s), naming ALERT_WEBHOOK_URL and hiding its password', () => {
    for (const url of ['ftp://hooks.example/a', 'hooks.example/a', 'not a url', 'file:///tmp/x'])
      expect(() => loadConfig({ ...base, ALERT_WEBHOOK_URL: url })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_URL: 'ftp://hooks.example' })).toThrow(
      /^ALERT_WEBHOOK_URL .*must be an http:\/\/ or https:\/\/ URL/,
    );
    let error: unknown;
    try {
      loadConfig({ ...base, ALERT_WEBHOOK_URL: 'ftp://user:hunter2@hooks.example' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('hunter2');
    expect(loadConfig({ ...base, ALERT_WEBHOOK_URL: 'http://hooks.example' }).alertWebhookUrl).toBe(
      'http://hooks.example',
    );
  });

  it('wants a whsec_ secret, of 32 bytes or more in production', () => {
    const production = {
      ...base,
      NODE_ENV: 'production',
      // Production wants its own secrets varied, and set apart.
      ADMIN_TOKEN: randomBytes(32).toString('base64'),
      PUBLIC_URL: 'https://app.example.com',
      ALERT_WEBHOOK_URL: 'https://h.example',
    };
    // Each byte a different value: as long as asked for, and varied.
    const key = (bytes: number) =>
      `whsec_${Buffer.from(Array.from({ length: bytes }, (_, i) => i)).toString('base64')}`;
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_SECRET: 'plain-text' })).toThrow(
      /ALERT_WEBHOOK_SECRET must be `whsec_`/,
    );
    expect(loadConfig({ ...base, ALERT_WEBHOOK_SECRET: key(16) }).alertWebhookSecret).toBe(key(16));
    expect(() => loadConfig({ ...production, ALERT_WEBHOOK_SECRET: key(31) })).toThrow(
      /ALERT_WEBHOOK_SECRET holds a key of 31 bytes; it must be at least 32 bytes/,
    );
    expect(loadConfig({ ...production, ALERT_WEBHOOK_SECRET: key(32) }).alertWebhookSecret).toBe(
      key(32),
    );
    // Unset, alerts go unsigned, in production too.
    expect(loadConfig(production).alertWebhookSecret).toBeUndefined();
  });
});
