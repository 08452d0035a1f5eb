/**
 * Handlers of the `analytics` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 *
 * `context.tx` is the step's transaction; `context.entitlements.has(tenantId, 'feature')` and
 * `context.limits.consume(tenantId, 'limit', 1)` enforce the tenant's edition inside it.
 */
import { randomUUID } from 'node:crypto';
import type { AnalyticsHandlers } from './contract.js';

export const analyticsHandlers: AnalyticsHandlers = {
  async onWorkspace(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'workspace' },
      'analytics.onWorkspace is a placeholder: replace it with the real step',
    );
    return { workspaceId: randomUUID(), sampleRows: 0 };
  },
  async deleteWorkspace(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'workspace' },
      'analytics.deleteWorkspace is a placeholder: replace it with the real compensation',
    );
  },
  async onSnapshot(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'snapshot' },
      'analytics.onSnapshot is a placeholder: replace it with the real step',
    );
    return { snapshotId: randomUUID(), rows: 0 };
  },
  async deleteSnapshot(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'snapshot' },
      'analytics.deleteSnapshot is a placeholder: replace it with the real compensation',
    );
  },
};
