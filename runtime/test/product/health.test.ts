/**
 * Liveness and readiness, as an orchestrator probes them: `/health/live` answers as long as the
 * process does, whatever the store and the bus do; `/health/ready` (and `/health`, its old name)
 * answers 503 while either of them does not. All three are public, in every role.
 */
import { describe, expect, it } from 'vitest';
import type { Product } from './harness.js';
import { productPerTest } from './harness.js';
import { infrastructure } from './infrastructure.js';

const product = productPerTest();

const probe = async (p: Product, url: string) => {
  const response = await p.inject({ method: 'GET', url, token: null });
  return { status: response.statusCode, body: response.json() as unknown };
};

const ok = { status: 200, body: { status: 'ok', store: true, bus: true } };

describe(`health (${infrastructure})`, () => {
  it('is live and ready while the store and the bus answer', async () => {
    const p = await product();
    expect(await probe(p, '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(p, '/health/ready')).toEqual(ok);
    expect(await probe(p, '/health')).toEqual(ok);
  });

  it('stays live but is not ready while the store is down', async () => {
    // Stopping a product whose store is gone waits for the shutdown deadline: keep it short.
    const p = await product({ env: { SHUTDOWN_TIMEOUT_MS: '500' } });
    await p.app.store.close();
    const down = { status: 503, body: { status: 'unavailable', store: false, bus: true } };
    expect(await probe(p, '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(p, '/health/ready')).toEqual(down);
    expect(await probe(p, '/health')).toEqual(down);
  });

  it('is not ready, rather than silent, while the store does not answer at all', async () => {
    // Whatever waits for the store at the end waits for the shutdown deadline, not forever.
    const p = await product({ env: { SHUTDOWN_TIMEOUT_MS: '500' } });
    // A database that accepts no connection: the pool waits, and so would a naive probe.
    p.app.store.transaction = () => new Promise<never>(() => undefined);
    const started = Date.now();
    expect(await probe(p, '/health/ready')).toEqual({
      status: 503,
      body: { status: 'unavailable', store: false, bus: true },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await probe(p, '/health/live')).status).toBe(200);
  });

  it('is not ready once the runtime stopped taking deliveries', async () => {
    const p = await product();
    await p.app.runtime.stop();
    expect(await probe(p, '/health/ready')).toEqual({
      status: 503,
      body: { status: 'unavailable', store: true, bus: false },
    });
    expect((await probe(p, '/health/live')).status).toBe(200);
  });

  it('answers all three on a worker, which serves no other route but its metrics', async () => {
    // A worker needs a bus shared with other processes; the harness gives it its own transport.
    const p = await product({ env: { ROLE: 'worker', BUS_URL: 'amqp://127.0.0.1:5672' } });
    expect(await probe(p, '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(p, '/health/ready')).toEqual(ok);
    expect(await probe(p, '/health')).toEqual(ok);
    expect((await p.inject({ method: 'GET', url: '/tenants' })).statusCode).toBe(404);
    // Its steps' counters are its own: Prometheus scrapes every worker.
    const metrics = await p.inject({ method: 'GET', url: '/metrics', token: null });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('saas_build_info{');
    expect(metrics.body).toContain('role="worker"');
  });
});
