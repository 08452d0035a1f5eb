/**
 * Handlers of the `storage` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 */
import type { StorageHandlers } from './contract.js';

export const storageHandlers: StorageHandlers = {
  async onUpload(message) {
    console.warn(
      `storage.onUpload: placeholder handler for step "upload" (tenant ${message.tenantId})`,
    );
    return { url: 'https://example.com/placeholder', bytes: 0 };
  },
};
