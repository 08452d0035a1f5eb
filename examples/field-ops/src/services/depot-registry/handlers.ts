/**
 * Handlers of the `depot-registry` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 */
import { randomUUID } from 'node:crypto';
import type { DepotRegistryHandlers } from './contract.js';

export const depotRegistryHandlers: DepotRegistryHandlers = {
  async onDepotSetup(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'depot-setup' },
      'depot-registry.onDepotSetup is a placeholder: replace it with the real step',
    );
    return {
      depotId: randomUUID(),
      address: 'placeholder',
      openedOn: new Date().toISOString().slice(0, 10),
      tags: ['placeholder'],
    };
  },
};
