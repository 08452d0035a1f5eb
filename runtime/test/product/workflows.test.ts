/**
 * Domain workflows through the API: started for an Active tenant with the payload of their
 * `startedBy` command, run to completion by their steps (placeholder handlers at first).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { workflows } from '../../src/saga/definitions.js';
import type { Product } from './harness.js';
import { lastOnboardingStep, startProduct } from './harness.js';
import { samplePayload } from './payloads.js';

const domain = Object.values(workflows).filter((workflow) => workflow.kind === 'domain');

let p: Product;
afterEach(async () => {
  await p.stop();
});

describe('domain workflows', () => {
  it('answers 404 for a workflow the blueprint does not have', async () => {
    p = await startProduct();
    const { tenantId } = await p.signUp();
    await p.settle();
    const response = await p.inject({
      method: 'POST',
      url: `/tenants/${tenantId}/workflows/noSuchWorkflow`,
      payload: {},
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it.each(domain.map((workflow) => [workflow.id, workflow] as const))(
    'runs %s to completion for an Active tenant',
    async (_id, workflow) => {
      p = await startProduct();
      const { tenantId } = await p.signUp();
      await p.settle();
      const started = await p.inject({
        method: 'POST',
        url: `/tenants/${tenantId}/workflows/${workflow.id}`,
        payload: samplePayload(workflow.trigger),
      });
      expect(started.statusCode, started.body).toBe(202);
      const { workflowId } = started.json() as { workflowId: string };
      await p.settle();
      const run = await p.inject({
        method: 'GET',
        url: `/tenants/${tenantId}/workflows/${workflowId}`,
      });
      expect(run.json()).toMatchObject({ workflowId, workflow: workflow.id, state: 'Completed' });
      const steps = (run.json() as { steps: Record<string, string> }).steps;
      expect(Object.keys(steps).sort()).toEqual(workflow.steps.map((step) => step.id).sort());
      expect(Object.values(steps).every((status) => status === 'Succeeded')).toBe(true);
    },
  );

  it.each(domain.map((workflow) => [workflow.id, workflow] as const))(
    'refuses %s for a tenant that is not Active, and for a bad payload',
    async (_id, workflow) => {
      // Its last step never answers, so the tenant stays in provisioning however fast the rest is.
      p = await startProduct({ faults: `${lastOnboardingStep.id}:hang` });
      const { tenantId } = await p.signUp();
      const early = await p.inject({
        method: 'POST',
        url: `/tenants/${tenantId}/workflows/${workflow.id}`,
        payload: samplePayload(workflow.trigger),
      });
      expect(early.statusCode).toBe(409);
      await p.settle();
      const bad = await p.inject({
        method: 'POST',
        url: `/tenants/${tenantId}/workflows/${workflow.id}`,
        payload: { ...samplePayload(workflow.trigger), unexpected: true },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    },
  );
});
