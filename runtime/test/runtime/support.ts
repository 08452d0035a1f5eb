/** Helpers shared by the runtime's tests. */
import type { TenantId } from '../../src/contracts/envelope.js';
import { newTenantId, startEnvelope } from '../../src/contracts/envelope.js';

/** Waits until `check` passes: for transports that deliver after `publish` resolves (a broker). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await tick(2);
    }
  }
}

export const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** A message of any type: transports and stores do not validate. */
export const envelope = <Type extends string>(
  type: Type,
  payload: Record<string, unknown> = {},
  tenantId: TenantId = newTenantId(),
) => startEnvelope({ type, payload, tenantId, occurredAt: new Date('2030-01-01T00:00:00Z') });
