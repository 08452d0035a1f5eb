/**
 * Handlers of the `analytics` domain service. This file is yours: saas-gen wrote it once and will
 * never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps in step
 * with the blueprint; when a step is added there, `saas-gen generate` adds its placeholder method
 * here and leaves the rest of the file as it is.
 *
 * The workspace step seeds the tenant's workspace in the warehouse service (src/warehouse.ts);
 * `src/main.ts` builds its client from `WAREHOUSE_URL`, the tests use the double in
 * `test/doubles.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { Warehouse } from '../../warehouse.js';
import type { AnalyticsHandlers } from './contract.js';

/** What the `analytics` handlers are built from. */
export interface AnalyticsDependencies {
  readonly warehouse: Warehouse;
}

export function analyticsHandlers({ warehouse }: AnalyticsDependencies): AnalyticsHandlers {
  return {
    async onWorkspace(message) {
      return warehouse.seedWorkspace(message.tenantId);
    },
    async deleteWorkspace(message) {
      await warehouse.deleteWorkspace(message.tenantId);
    },
    async onSnapshot(message, context) {
      context.log.warn(
        { step: 'snapshot' },
        'analytics.onSnapshot is a placeholder: replace it with the real step',
      );
      return { snapshotId: randomUUID(), rows: 0 };
    },
    async deleteSnapshot(_message, context) {
      context.log.warn(
        { step: 'snapshot' },
        'analytics.deleteSnapshot is a placeholder: replace it with the real compensation',
      );
    },
  };
}
