/** Helpers shared by the API tests: tokens, problems, and "nothing changed" snapshots. */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Product, SignUpBody } from './harness.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { in: string; path: string; message: string }[];
  [extension: string]: unknown;
}

/** Asserts an RFC 9457 problem with this status and returns it. */
export function expectProblem(response: LightMyRequestResponse, status: number): Problem {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  const body = response.json() as Problem;
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  return body;
}

/** A sign-up that has become an Active tenant. */
export async function activeTenant(p: Product, overrides: Partial<SignUpBody> = {}) {
  const signedUp = await p.signUp(overrides);
  await p.settle();
  // A paid edition without a trial waits for its payment.
  if ((await p.tenant(signedUp.tenantId)).state === 'Provisioning') await p.pay(signedUp.tenantId);
  expect((await p.tenant(signedUp.tenantId)).state).toBe('Active');
  return signedUp;
}

/** A tenant-scoped token, minted by an operator. */
export async function tenantToken(p: Product, tenantId: string, expiresIn?: number) {
  const response = await p.inject({
    method: 'POST',
    url: `/tenants/${tenantId}/tokens`,
    ...(expiresIn === undefined ? {} : { payload: { expiresIn } }),
  });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { token: string }).token;
}

export interface Snapshot {
  readonly published: number;
  readonly tenants: number;
  readonly deadLetters: number;
}

/** What a refused request must leave as it was: messages sent, tenants, dead letters. */
export async function snapshot(p: Product): Promise<Snapshot> {
  await p.settle();
  const tenants = await p.app.store.listSagas({ type: 'tenant', limit: 10_000 });
  return {
    published: p.published.length,
    tenants: tenants.items.length,
    deadLetters: (await p.app.store.listDeadLetters()).length,
  };
}

export async function expectUnchanged(p: Product, before: Snapshot): Promise<void> {
  expect(await snapshot(p)).toEqual(before);
}
