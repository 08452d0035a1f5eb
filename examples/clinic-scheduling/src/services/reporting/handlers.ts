/**
 * Handlers of the `reporting` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 */
import { randomUUID } from 'node:crypto';
import type { ReportingHandlers } from './contract.js';

export const reportingHandlers: ReportingHandlers = {
  async onCompile(message) {
    console.warn(
      `reporting.onCompile: placeholder handler for step "compile" (tenant ${message.tenantId})`,
    );
    return { reportId: randomUUID(), appointments: 0 };
  },
  async discardReport(message) {
    console.warn(`reporting.discardReport: placeholder compensation (tenant ${message.tenantId})`);
  },
  async onDeliver(message) {
    console.warn(
      `reporting.onDeliver: placeholder handler for step "deliver" (tenant ${message.tenantId})`,
    );
    return { reportId: randomUUID(), deliveredTo: ['placeholder@example.com'] };
  },
};
