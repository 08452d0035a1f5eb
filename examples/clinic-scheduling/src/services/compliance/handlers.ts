/**
 * Handlers of the `compliance` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 */
import type { ComplianceHandlers } from './contract.js';

export const complianceHandlers: ComplianceHandlers = {
  async onCompliance(message) {
    console.warn(
      `compliance.onCompliance: placeholder handler for step "compliance" (tenant ${message.tenantId})`,
    );
    return { registryId: 'placeholder', verifiedAt: new Date().toISOString() };
  },
  async revokeCompliance(message) {
    console.warn(
      `compliance.revokeCompliance: placeholder compensation (tenant ${message.tenantId})`,
    );
  },
};
