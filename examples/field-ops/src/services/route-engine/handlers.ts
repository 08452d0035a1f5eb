/**
 * Handlers of the `route-engine` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 */
import { randomUUID } from 'node:crypto';
import type { RouteEngineHandlers } from './contract.js';

export const routeEngineHandlers: RouteEngineHandlers = {
  async onOptimise(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'optimise' },
      'route-engine.onOptimise is a placeholder: replace it with the real step',
    );
    return { planId: randomUUID(), stops: 0, score: 0, live: false };
  },
  async discardPlan(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'optimise' },
      'route-engine.discardPlan is a placeholder: replace it with the real compensation',
    );
  },
  async onPublishRoutes(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'publish-routes' },
      'route-engine.onPublishRoutes is a placeholder: replace it with the real step',
    );
    return { routeCount: 0 };
  },
};
