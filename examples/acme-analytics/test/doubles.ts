/**
 * Stand-ins for our domain services' dependencies, for the generated tests (onboarding.test.ts,
 * workflows.test.ts). This file is ours: saas-gen wrote it once and will never overwrite it.
 */
import type { Warehouse } from '../src/warehouse.js';
import type { Dependencies } from '../src/services/registry.js';

/** A warehouse in memory: one workspace per tenant, seeded once however often it is asked. */
export function memoryWarehouse(): Warehouse & { readonly workspaces: Map<string, string> } {
  const workspaces = new Map<string, string>();
  return {
    workspaces,
    async seedWorkspace(tenantId) {
      const workspaceId = workspaces.get(tenantId) ?? crypto.randomUUID();
      workspaces.set(tenantId, workspaceId);
      return { workspaceId, sampleRows: 100 };
    },
    async deleteWorkspace(tenantId) {
      workspaces.delete(tenantId);
    },
  };
}

export function doubles(): Dependencies {
  return {
    analytics: { warehouse: memoryWarehouse() },
    storage: {},
  };
}

/**
 * Our own variables (src/env.ts) for a test that starts the product as a process
 * (test/deploy/compiled.test.ts): a warehouse nobody answers at, which no test reaches.
 */
export const environment: Readonly<Record<string, string>> = {
  WAREHOUSE_URL: 'http://127.0.0.1:9/',
};
