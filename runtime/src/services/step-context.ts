/** What a step handler receives besides its message. */
import type { EntitlementsApi, LimitsApi } from '../entitlements.js';
import type { HandlerContext } from '../runtime/handler.js';
import type { Logger } from '../runtime/logger.js';
import type { Tx } from '../runtime/store.js';
import type { TenantRecord } from './tenants.js';

export interface StepContext {
  /** The tenant the message is about, from the tenant directory. */
  readonly tenant: TenantRecord;
  readonly stepId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly now: Date;
  /**
   * The transaction the step runs in: records written through it commit together with the
   * step's outcome, exactly once.
   */
  readonly tx: Tx;
  /**
   * Queues a message caused by the step's trigger, sent once the step's transaction commits
   * (and not at all if it rolls back).
   */
  readonly publish: HandlerContext['publish'];
  /**
   * Queues a message caused by the step's trigger for later (`dueAt`), with the same guarantee:
   * a durable timer, which `tx.cancelScheduled(id)` cancels.
   */
  readonly schedule: HandlerContext['schedule'];
  readonly log: Logger;
  /** The tenant's features and flags: `entitlements.has(tenantId, 'sso')`. */
  readonly entitlements: EntitlementsApi;
  /** Metered limits, consumed in the step's transaction: `limits.consume(tenantId, 'seats', 1)`. */
  readonly limits: LimitsApi;
}

/** Thrown by a handler when retrying cannot help: the step fails and its workflow compensates. */
export class StepFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StepFailure';
  }
}

/**
 * What a step returns when it has started but cannot finish yet: it waits for something outside
 * the product (billing waits for the payment of a paid edition). The step stays `Pending` and
 * publishes nothing; whatever it waits for publishes its event later, and the workflow's timeout
 * still applies.
 */
export class StepAwaits {
  constructor(readonly what: string) {}
}
