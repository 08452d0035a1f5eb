/**
 * Handlers of the `scheduling` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 *
 * `context.tx` is the step's transaction; `context.entitlements.has(tenantId, 'feature')` and
 * `context.limits.consume(tenantId, 'limit', 1)` enforce the tenant's edition inside it.
 */
import { randomUUID } from 'node:crypto';
import type { SchedulingHandlers } from './contract.js';

export const schedulingHandlers: SchedulingHandlers = {
  async onCalendar(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'calendar' },
      'scheduling.onCalendar is a placeholder: replace it with the real step',
    );
    return { calendarId: randomUUID(), slots: 0 };
  },
  async deleteCalendar(message, context) {
    context.log.warn(
      { tenantId: message.tenantId, step: 'calendar' },
      'scheduling.deleteCalendar is a placeholder: replace it with the real compensation',
    );
  },
};
