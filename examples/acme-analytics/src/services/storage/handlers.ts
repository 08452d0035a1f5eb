/**
 * Handlers of the `storage` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 *
 * `context.tx` is the step's transaction; `context.entitlements.has(tenantId, 'feature')` and
 * `context.limits.consume(tenantId, 'limit', 1)` enforce the tenant's edition inside it.
 */
import type { StorageHandlers } from './contract.js';

export const storageHandlers: StorageHandlers = {
  async onUpload(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'upload' },
      'storage.onUpload is a placeholder: replace it with the real step',
    );
    return { url: 'https://example.com/placeholder', bytes: 0 };
  },
};
