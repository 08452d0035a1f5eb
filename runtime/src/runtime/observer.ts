/**
 * What the runtime tells an observer about its work, for traces and metrics. Every hook is
 * optional, and the runtime behaves the same with or without an observer: hooks only watch.
 *
 * What the observer keeps about one delivery (its span, say) is a `DeliveryScope` that the
 * runtime hands on explicitly: to the handler (`HandlerContext.scope`) and back to the hooks of
 * that delivery. Nothing is kept in an implicit async context: in Node 20 an AsyncLocalStorage
 * puts a hook on every promise the process creates, which cost the embedded product a sixth of
 * its throughput (docs/decisions.md).
 */
import type { Envelope } from '../contracts/envelope.js';
import type { DeadLetter } from './store.js';
import type { Delivery } from './transport.js';

export interface DeliveryFailure {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** What a step is, for its span and its metrics. */
export interface StepInfo {
  readonly workflow: string;
  readonly step: string;
  readonly phase: 'run' | 'compensate';
  readonly tenantId: string;
  /** Whether an error is the step failing for good (its workflow compensates), not a retry. */
  readonly isFailure: (error: unknown) => boolean;
}

/** How a workflow run (the onboarding's included) ended. */
export type RunOutcome = 'completed' | 'failed' | 'timed_out';

/** A workflow run started or ended in this delivery. */
export type RunEvent =
  | { readonly kind: 'started'; readonly workflow: string }
  | {
      readonly kind: 'ended';
      readonly workflow: string;
      readonly outcome: RunOutcome;
      /** From the run's start to its end; unknown for a run saved without its start time. */
      readonly seconds: number | undefined;
    };

/**
 * What billing's endpoint (services/billing.ts) did with a delivery: a settled payment, by the
 * status of the subscription it found (`none`: it came before the subscription, and waits for
 * it); a trial that ended unpaid; a subscription that awaited payment, cancelled because its
 * onboarding failed or timed out.
 */
export type BillingEvent =
  | { readonly kind: 'payment'; readonly found: PaymentFound }
  | { readonly kind: 'trial-expired' }
  | { readonly kind: 'unpaid-canceled' };

export const paymentFinds = [
  'awaiting_payment',
  'trialing',
  'past_due',
  'active',
  'canceled',
  'none',
] as const;
export type PaymentFound = (typeof paymentFinds)[number];

/** One delivery, as its observer follows it. */
export interface DeliveryScope {
  /** Tags the delivery's current span (a saga's begin and end state, say). */
  annotate(attributes: Readonly<Record<string, string | number | boolean>>): void;
  /** Runs one step's handler in a span of its own, timed and counted for the metrics. */
  step<T>(info: StepInfo, work: () => Promise<T>): Promise<T>;
  /**
   * A workflow run started or ended in this delivery's unit of work: it counts once that unit
   * commits (a unit that is retried or dead-lettered did not happen).
   */
  run?(event: RunEvent): void;
  /** Billing did this in the delivery's unit of work: it counts once that unit commits. */
  billing?(event: BillingEvent): void;
}

export interface RuntimeObserver {
  /**
   * Wraps the handling of one delivery at one endpoint. Must call `handle` exactly once, with the
   * delivery's scope, and settle as it settles; the other hooks of that delivery are called
   * inside it, with that scope.
   */
  delivery?(
    endpoint: string,
    delivery: Delivery,
    handle: (scope: DeliveryScope) => Promise<void>,
  ): Promise<void>;
  /** A unit of work committed: the messages it published or scheduled. */
  committed?(messages: readonly Envelope[], scope?: DeliveryScope): void;
  /** The delivery was a duplicate: the endpoint had processed that message already. */
  duplicate?(endpoint: string, envelope: Envelope, scope?: DeliveryScope): void;
  /** The delivery failed and is scheduled again as attempt `attempt + 1`. */
  retrying?(
    endpoint: string,
    envelope: Envelope,
    attempt: number,
    failure: DeliveryFailure,
    scope?: DeliveryScope,
  ): void;
  deadLettered?(letter: DeadLetter, scope?: DeliveryScope): void;
}
