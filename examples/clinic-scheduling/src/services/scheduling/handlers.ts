/**
 * Handlers of the `scheduling` domain service. This file is yours: saas-gen wrote it once
 * and will never overwrite it. The compiler checks it against `contract.ts`, which saas-gen keeps
 * in step with the blueprint: a step added there is a type error here until you handle it.
 *
 * Until you replace them, the handlers complete their step with placeholder payloads.
 */
import { randomUUID } from 'node:crypto';
import type { SchedulingHandlers } from './contract.js';

export const schedulingHandlers: SchedulingHandlers = {
  async onCalendar(message) {
    console.warn(
      `scheduling.onCalendar: placeholder handler for step "calendar" (tenant ${message.tenantId})`,
    );
    return { calendarId: randomUUID(), slots: 0 };
  },
  async deleteCalendar(message) {
    console.warn(
      `scheduling.deleteCalendar: placeholder compensation (tenant ${message.tenantId})`,
    );
  },
};
