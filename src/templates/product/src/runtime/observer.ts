/**
 * What the runtime tells an observer about its work, for traces and metrics. Every hook is
 * optional, and the runtime behaves the same with or without an observer: hooks only watch.
 */
import type { Envelope } from '../contracts/envelope.js';
import type { DeadLetter } from './store.js';
import type { Delivery } from './transport.js';

export interface DeliveryFailure {
  readonly errorType: string;
  readonly errorMessage: string;
}

export interface RuntimeObserver {
  /**
   * Wraps the handling of one delivery at one endpoint. Must call `handle` exactly once and
   * settle as it settles; the other hooks of that delivery are called inside it.
   */
  delivery?(endpoint: string, delivery: Delivery, handle: () => Promise<void>): Promise<void>;
  /** A unit of work committed: the messages it published or scheduled. */
  committed?(messages: readonly Envelope[]): void;
  /** The delivery was a duplicate: the endpoint had processed that message already. */
  duplicate?(endpoint: string, envelope: Envelope): void;
  /** The delivery failed and is scheduled again as attempt `attempt + 1`. */
  retrying?(endpoint: string, envelope: Envelope, attempt: number, failure: DeliveryFailure): void;
  deadLettered?(letter: DeadLetter): void;
}
