/**
 * Handlers of the `analytics` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 */
import { randomUUID } from 'node:crypto';
import type { AnalyticsHandlers } from './contract.js';

export const analyticsHandlers: AnalyticsHandlers = {
  async onWorkspace(message) {
    console.warn(
      `analytics.onWorkspace: placeholder handler for step "workspace" (tenant ${message.tenantId})`,
    );
    return { workspaceId: randomUUID(), sampleRows: 0 };
  },
  async deleteWorkspace(message) {
    console.warn(
      `analytics.deleteWorkspace: placeholder compensation (tenant ${message.tenantId})`,
    );
  },
  async onSnapshot(message) {
    console.warn(
      `analytics.onSnapshot: placeholder handler for step "snapshot" (tenant ${message.tenantId})`,
    );
    return { snapshotId: randomUUID(), rows: 0 };
  },
  async deleteSnapshot(message) {
    console.warn(`analytics.deleteSnapshot: placeholder compensation (tenant ${message.tenantId})`);
  },
};
