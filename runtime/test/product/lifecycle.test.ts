/**
 * The operator's lifecycle commands through the API: every move the tenant state machine allows
 * is accepted (202), and every other one is refused (409) without queueing anything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { commandRefusal, tenantCommands } from '../../src/saga/endpoints.js';
import type { TenantCommand } from '../../src/saga/endpoints.js';
import { tenantTransitions } from '../../src/saga/tenant-machine.js';
import type { Product } from './harness.js';
import {
  lastOnboardingStep,
  onboardingSteps,
  onboardingTimeoutMs,
  startProduct,
} from './harness.js';

const paths: Record<TenantCommand, string> = {
  SuspendTenant: 'suspend',
  ReinstateTenant: 'reinstate',
  DecommissionTenant: 'decommission',
  RetryProvisioning: 'provisioning/retry',
};

let p: Product;
afterEach(async () => {
  await p.stop();
});

/** Brings a fresh tenant to `state` through the product's own paths. */
async function tenantIn(state: string): Promise<string> {
  const { tenantId } = await p.signUp();
  await p.settle();
  const command = async (path: string) => {
    const response = await p.inject({
      method: 'POST',
      url: `/tenants/${tenantId}/${path}`,
    });
    expect(response.statusCode, response.body).toBe(202);
    await p.settle();
  };
  if (state === 'Suspended') await command('suspend');
  if (state === 'Decommissioned') await command('decommission');
  return tenantId;
}

describe('lifecycle commands', () => {
  it('moves an Active tenant to Suspended and back, and closes it', async () => {
    p = await startProduct();
    const tenantId = await tenantIn('Active');
    for (const [path, expected] of [
      ['suspend', 'Suspended'],
      ['reinstate', 'Active'],
      ['decommission', 'Decommissioned'],
    ] as const) {
      const response = await p.inject({
        method: 'POST',
        url: `/tenants/${tenantId}/${path}`,
      });
      expect(response.statusCode, response.body).toBe(202);
      await p.settle();
      expect((await p.tenant(tenantId)).state).toBe(expected);
    }
    const actions = (await p.timeline(tenantId)).map((entry) => entry.toState);
    expect(actions).toEqual(expect.arrayContaining(['Suspended', 'Active', 'Decommissioned']));
  });

  it.each(['Active', 'Suspended', 'Decommissioned'])(
    'answers 202 or 409 exactly as the state machine says for a %s tenant',
    async (state) => {
      p = await startProduct();
      const tenantId = await tenantIn(state);
      expect((await p.tenant(tenantId)).state).toBe(state);
      for (const command of Object.keys(tenantCommands) as TenantCommand[]) {
        const allowedByTable = tenantTransitions.some(
          (t) => t.from === state && t.on === tenantCommands[command],
        );
        expect(commandRefusal({ state: state as never, compensation: [] }, command) === null).toBe(
          allowedByTable,
        );
        if (allowedByTable) continue;
        const published = p.published.length;
        const response = await p.inject({
          method: 'POST',
          url: `/tenants/${tenantId}/${paths[command]}`,
        });
        expect(response.statusCode, `${command} on ${state}`).toBe(409);
        expect(response.headers['content-type']).toContain('application/problem+json');
        await p.settle();
        expect(p.published.length, 'a refused command queues nothing').toBe(published);
        expect((await p.tenant(tenantId)).state).toBe(state);
      }
    },
  );

  it('refuses every command but retry and decommission for a tenant whose provisioning failed', async () => {
    p = await startProduct({ faults: `${lastOnboardingStep.id}:hang` });
    const { tenantId } = await p.signUp();
    await p.settle();
    for (const command of Object.keys(tenantCommands) as TenantCommand[]) {
      const response = await p.inject({
        method: 'POST',
        url: `/tenants/${tenantId}/${paths[command]}`,
      });
      expect(response.statusCode, `${command} while Provisioning`).toBe(409);
    }
    await p.elapse(onboardingTimeoutMs + 1000);
    expect((await p.tenant(tenantId)).state).toBe('ProvisioningFailed');
    for (const command of ['SuspendTenant', 'ReinstateTenant'] as const) {
      const response = await p.inject({
        method: 'POST',
        url: `/tenants/${tenantId}/${paths[command]}`,
      });
      expect(response.statusCode, `${command} while ProvisioningFailed`).toBe(409);
    }
  });

  it('answers 404 as a problem for an unknown tenant', async () => {
    p = await startProduct();
    const response = await p.inject({
      method: 'POST',
      url: '/tenants/00000000-0000-4000-8000-000000000000/suspend',
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ status: 404, title: 'Tenant not found' });
  });
});
