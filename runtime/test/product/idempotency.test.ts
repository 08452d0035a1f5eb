/**
 * `Idempotency-Key` on sign-up: a client that retries (a timeout, a dropped connection) gets the
 * tenant its first request created, never a second one; the same key with another body is a 422.
 * A key is its client's: another client's same key is another request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectProblem, expectUnchanged, snapshot } from './api-support.js';
import type { Product } from './harness.js';
import { adminToken, nextSlug, startProduct } from './harness.js';
import { infrastructure } from './infrastructure.js';

let p: Product;
afterEach(async () => {
  await p?.stop();
});

const body = () => {
  const slug = nextSlug();
  return { slug, name: `Tenant ${slug}`, owner: { email: `owner@${slug}.test`, name: 'Owner' } };
};

const signUp = (payload: object, key?: string) =>
  p.inject({
    method: 'POST',
    url: '/tenants',
    token: null,
    payload,
    ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
  });

const registrations = () => p.published.filter((m) => m.type === 'TenantRegistered').length;

describe('Idempotency-Key', () => {
  it('answers a repeated request with the tenant the first one created, once', async () => {
    p = await startProduct();
    const payload = body();
    const first = await signUp(payload, 'key-1');
    expect(first.statusCode).toBe(202);
    await p.settle();
    const before = registrations();
    // The same body with its fields in another order is the same request.
    const reordered = {
      owner: { name: payload.owner.name, email: payload.owner.email },
      name: payload.name,
      slug: payload.slug,
    };
    for (const again of [payload, reordered]) {
      const response = await signUp(again, 'key-1');
      expect(response.statusCode).toBe(202);
      // The same tenant, and a progress token of its own (a fresh one: face-api.test.ts).
      expect(response.json()).toEqual({ ...first.json(), progressToken: expect.any(String) });
      expect(response.headers.location).toBe(first.headers.location);
      expect(response.headers['idempotent-replayed']).toBe('true');
    }
    await p.settle();
    expect(registrations()).toBe(before);
  });

  it('refuses the same key with another body (422) and creates nothing', async () => {
    p = await startProduct();
    const payload = body();
    expect((await signUp(payload, 'key-2')).statusCode).toBe(202);
    const before = await snapshot(p);
    const problem = expectProblem(await signUp({ ...payload, name: 'Another name' }, 'key-2'), 422);
    expect(problem.detail).toBe('Idempotency-Key reused with a different request body');
    expectProblem(await signUp(body(), 'key-2'), 422);
    await expectUnchanged(p, before);
  });

  it('creates one tenant for concurrent requests with the same key', async () => {
    p = await startProduct();
    const payload = body();
    const responses = await Promise.all(Array.from({ length: 10 }, () => signUp(payload, 'key-3')));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(202));
    expect(new Set(responses.map((r) => (r.json() as { tenantId: string }).tenantId)).size).toBe(1);
    await p.settle();
    expect(registrations()).toBe(1);
  });

  it('does not spend a key on a refused sign-up', async () => {
    p = await startProduct();
    const taken = body();
    expect((await signUp(taken)).statusCode).toBe(202);
    expectProblem(await signUp({ ...body(), slug: taken.slug }, 'key-4'), 409);
    // The client fixes the slug and retries with the same key: it goes through.
    expect((await signUp(body(), 'key-4')).statusCode).toBe(202);
  });

  it('keeps keys apart: different keys, different tenants', async () => {
    p = await startProduct();
    const a = await signUp(body(), 'key-a');
    const b = await signUp(body(), 'key-b');
    expect((a.json() as { tenantId: string }).tenantId).not.toBe(
      (b.json() as { tenantId: string }).tenantId,
    );
  });
});

describe(`Idempotency-Key per client on ${infrastructure}`, () => {
  /** A sign-up from the client a trusted proxy saw, optionally with a bearer token. */
  const from = (client: string, payload: object, key: string, token: string | null = null) =>
    p.inject({
      method: 'POST',
      url: '/tenants',
      token,
      payload,
      headers: { 'idempotency-key': key, 'x-forwarded-for': client },
    });
  const tenantOf = (response: { json(): unknown }) =>
    (response.json() as { tenantId: string }).tenantId;

  it("gives each client address its own result for one key: nobody squats another's key", async () => {
    p = await startProduct({ env: { TRUST_PROXY: '1' } });
    const key = 'signup-1';
    const [bodyA, bodyB] = [body(), body()];
    const a = await from('203.0.113.1', bodyA, key);
    const b = await from('203.0.113.2', bodyB, key);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(tenantOf(b)).not.toBe(tenantOf(a));
    // Each replays to its own tenant; each other body is still a 422 for that client.
    const replayA = await from('203.0.113.1', bodyA, key);
    const replayB = await from('203.0.113.2', bodyB, key);
    expect([tenantOf(replayA), tenantOf(replayB)]).toEqual([tenantOf(a), tenantOf(b)]);
    expect(replayB.headers['idempotent-replayed']).toBe('true');
    expect(expectProblem(await from('203.0.113.1', bodyB, key), 422).detail).toBe(
      'Idempotency-Key reused with a different request body',
    );
    await p.settle();
    expect(registrations()).toBe(2);
  });

  it('scopes a key to the principal of a bearer token, apart from the anonymous caller at the same address', async () => {
    p = await startProduct({ env: { TRUST_PROXY: '1' } });
    const key = 'a-shared-key';
    const anonymous = await from('203.0.113.1', body(), key);
    const operator = await from('203.0.113.1', body(), key, adminToken);
    expect([anonymous.statusCode, operator.statusCode]).toEqual([202, 202]);
    expect(tenantOf(operator)).not.toBe(tenantOf(anonymous));
    // The operator's key is the operator's from any address.
    const again = await from('198.51.100.9', body(), key, adminToken);
    expectProblem(again, 422);
  });
});
