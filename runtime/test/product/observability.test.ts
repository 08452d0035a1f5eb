/**
 * Observability: Prometheus metrics at /metrics (what a scrape costs, who may scrape), JSON logs
 * carrying tenantId, correlationId and traceId, and /health. Traces are in tracing.test.ts; the
 * metrics dashboards and alerts read, in metrics.test.ts.
 */
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { newTenantId, startEnvelope } from '../../src/contracts/envelope.js';
import { deadLetterId } from '../../src/runtime/dead-letters.js';
import { expectProblem } from './api-support.js';
import type { Product } from './harness.js';
import { adminToken, lastOnboardingStep, onboardingSteps, productPerTest } from './harness.js';
import { sample, scrape } from './metrics-support.js';

/** Starts a product that is stopped after the test. */
const product = productPerTest();

const firstStep = onboardingSteps.find((step) => step.on === 'TenantRegistered')!;
const maxDelay = Math.max(...onboardingSteps.map((step) => step.retry.maxDelayMs));
const traceIdOf = (traceparent: string) => traceparent.split('-')[1]!;

describe('metrics', () => {
  it('counts saga instances per state, steps, messages in and out, and retries', async () => {
    const p = await product({ faults: `${firstStep.id}:transient:1` });
    await p.signUp();
    await p.signUp();
    await p.settle();
    await p.elapse(maxDelay);
    const text = await scrape(p);
    expect(sample(text, 'saas_saga_instances', { saga: 'tenant', state: 'Active' })).toBe(2);
    expect(sample(text, 'saas_saga_instances', { saga: 'tenant' })).toBe(2);
    for (const step of onboardingSteps)
      expect(
        sample(text, 'saas_step_duration_seconds_count', { step: step.id, outcome: 'succeeded' }),
        step.id,
      ).toBe(2);
    expect(
      sample(text, 'saas_message_retries_total', {
        endpoint: `${firstStep.service}.${firstStep.id}`,
      }),
    ).toBe(2);
    expect(sample(text, 'saas_messages_published_total', { type: 'TenantRegistered' })).toBe(2);
    expect(
      sample(text, 'saas_messages_consumed_total', {
        type: 'TenantRegistered',
        outcome: 'handled',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts compensations, failed provisionings and dead letters', async () => {
    const failing = await product({ faults: `${lastOnboardingStep.id}:fail` });
    await failing.signUp();
    await failing.settle();
    let text = await scrape(failing);
    expect(
      sample(text, 'saas_saga_instances', { saga: 'tenant', state: 'ProvisioningFailed' }),
    ).toBe(1);
    const compensable = onboardingSteps.filter(
      (s) => s.compensate && s.id !== lastOnboardingStep.id,
    ).length;
    expect(sample(text, 'saas_compensations_total')).toBe(compensable);
    expect(
      sample(text, 'saas_step_duration_seconds_count', {
        step: lastOnboardingStep.id,
        outcome: 'failed',
      }),
    ).toBe(1);

    const dead = await product({ faults: `${firstStep.id}:transient:${firstStep.retry.attempts}` });
    await dead.signUp();
    await dead.settle();
    await dead.elapse(maxDelay * firstStep.retry.attempts);
    text = await scrape(dead);
    expect(sample(text, 'saas_dead_letters_total', { type: firstStep.on })).toBe(1);
    expect(sample(text, 'saas_dead_letters_pending')).toBe(1);
  });
});

/**
 * Counts the rows the store's queries hand back, on either store: every row a better-sqlite3
 * statement returns (`all`, `get`), and every row of every result of pg's pool (where the
 * PostgreSQL store reads outside transactions, as a scrape does).
 */
function countRowsRead() {
  let count = 0;
  const scratch = new Database(':memory:');
  const statement = Object.getPrototypeOf(scratch.prepare('SELECT 1')) as {
    all: (...args: unknown[]) => unknown[];
    get: (...args: unknown[]) => unknown;
  };
  scratch.close();
  const { all, get } = statement;
  statement.all = function (this: unknown, ...args: unknown[]) {
    const rows = all.apply(this, args);
    count += rows.length;
    return rows;
  };
  statement.get = function (this: unknown, ...args: unknown[]) {
    const row = get.apply(this, args);
    if (row !== undefined) count += 1;
    return row;
  };
  const pool = pg.Pool.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = pool.query;
  pool.query = function (this: unknown, ...args: unknown[]) {
    const answer = query.apply(this, args);
    if (!(answer instanceof Promise)) return answer;
    return answer.then((results: unknown) => {
      for (const result of [results].flat())
        count += (result as { rows?: unknown[] }).rows?.length ?? 0;
      return results;
    });
  };
  return {
    get count() {
      return count;
    },
    reset: () => (count = 0),
    restore() {
      statement.all = all;
      statement.get = get;
      pool.query = query;
    },
  };
}

/** Writes `count` dead letters at the first step's consumer, as its failures would. */
async function addDeadLetters(p: Product, count: number): Promise<void> {
  const endpoint = `${firstStep.service}.${firstStep.id}`;
  const at = p.clock.now();
  const sizes = Array.from({ length: Math.ceil(count / 500) }, (_, batch) =>
    Math.min(500, count - batch * 500),
  );
  await Promise.all(
    sizes.map((size) =>
      p.app.store.transaction(async (tx) => {
        for (let n = 0; n < size; n++) {
          const envelope = startEnvelope({
            type: firstStep.on,
            payload: {},
            tenantId: newTenantId(),
            occurredAt: at,
          });
          await tx.addDeadLetter({
            id: deadLetterId(endpoint, { json: envelope }),
            endpoint,
            envelope,
            errorType: 'TransientFault',
            errorMessage: 'injected',
            attempts: 1,
            firstFailedAt: at.toISOString(),
            lastFailedAt: at.toISOString(),
          });
        }
      }),
    ),
  );
}

describe('what a scrape costs, and who may scrape', () => {
  it('reads as many store rows with 10,000 dead letters as with one: counted, not timed', async () => {
    const p = await product();
    // Nothing but the scrape reads the store meanwhile: the pollers stop with the runtime.
    await p.app.runtime.stop();
    const rows = countRowsRead();
    try {
      const scraped = async () => {
        rows.reset();
        const text = await scrape(p);
        return { rows: rows.count, text };
      };
      const none = await scraped();
      await addDeadLetters(p, 1);
      const one = await scraped();
      await addDeadLetters(p, 9_999);
      const many = await scraped();
      expect(sample(many.text, 'saas_dead_letters_pending')).toBe(10_000);
      expect(one.rows, 'the count sees what the store reads').toBeGreaterThan(0);
      expect(many.rows).toBe(one.rows);
      // A series more (the endpoint with letters) is a row more, at most.
      expect(one.rows).toBeLessThanOrEqual(none.rows + 1);
    } finally {
      rows.restore();
    }
  });

  it('asks for METRICS_TOKEN when it is set, and takes no other token for it', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const p = await product({ env: { METRICS_TOKEN: token } });
    for (const presented of [null, 'not-the-token', adminToken, `${token}x`]) {
      const refused = await p.inject({ method: 'GET', url: '/metrics', token: presented });
      expectProblem(refused, 401);
      expect(refused.headers['www-authenticate']).toContain('Bearer');
      expect(refused.body).not.toContain('saas_');
    }
    const scraped = await p.inject({ method: 'GET', url: '/metrics', token });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('saas_dead_letters_pending');
  });

  it('serves the metrics to anyone when METRICS_TOKEN is not set', async () => {
    const p = await product();
    for (const presented of [null, 'any-token', adminToken]) {
      const scraped = await p.inject({ method: 'GET', url: '/metrics', token: presented });
      expect(scraped.statusCode).toBe(200);
      expect(scraped.body).toContain('saas_dead_letters_pending');
    }
  });
});

describe('logs and health', () => {
  it('writes JSON lines that carry tenantId, correlationId and traceId', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new PassThrough();
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const p = await product({
      logStream: stream,
      logLevel: 'info',
      faults: `${firstStep.id}:transient:1`,
    });
    const { tenantId, correlationId } = await p.signUp();
    await p.settle();
    await p.elapse(maxDelay);
    const registered = p.published.find(
      (m) => m.type === 'TenantRegistered' && m.tenantId === tenantId,
    )!;
    const context = { tenantId, correlationId, traceId: traceIdOf(registered.traceId) };
    expect(lines.find((l) => l.msg === 'tenant registered')).toMatchObject(context);
    // A line the runtime wrote while it handled a message of the onboarding.
    expect(
      lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('delivery failed')),
    ).toMatchObject(context);
    expect(lines.find((l) => l.msg === 'request completed')).toHaveProperty('reqId');
  });

  it('reports the readiness of the store and the bus at /health, without a token', async () => {
    const p = await product();
    const ready = await p.inject({ method: 'GET', url: '/health', token: null });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', store: true, bus: true });
    await p.app.runtime.stop();
    const stopped = await p.inject({ method: 'GET', url: '/health', token: null });
    expect(stopped.statusCode).toBe(503);
    expect(stopped.json()).toEqual({ status: 'unavailable', store: true, bus: false });
  });
});
