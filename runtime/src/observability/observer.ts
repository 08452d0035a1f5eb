/**
 * The product's runtime observer: a span per delivery and per published message, the metrics of
 * every delivery, and the scope (scope.ts) of each, which the runtime hands to the handler.
 */
import type { Envelope } from '../contracts/envelope.js';
import type { DeliveryFailure, DeliveryScope, RuntimeObserver } from '../runtime/observer.js';
import type { DeadLetter } from '../runtime/store.js';
import type { Delivery } from '../runtime/transport.js';
import type { Metrics } from './metrics.js';
import type { DeliveryOutcome } from './scope.js';
import { ProductScope } from './scope.js';
import { Tracing } from './tracing.js';

/** An invalid message may not even be an object: read what it has, for labels only. */
const typeOf = (envelope: unknown): string => {
  const type: unknown = (envelope as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : 'invalid';
};

/** The runtime hands back the scopes this observer made. */
const productScope = (scope: DeliveryScope | undefined): ProductScope | undefined =>
  scope instanceof ProductScope ? scope : undefined;

export class ProductObserver implements RuntimeObserver {
  readonly #metrics: Metrics;
  readonly #tracing: Tracing | undefined;

  constructor(metrics: Metrics, tracing?: Tracing) {
    this.#metrics = metrics;
    this.#tracing = tracing;
  }

  async delivery(
    endpoint: string,
    delivery: Delivery,
    handle: (scope: DeliveryScope) => Promise<void>,
  ): Promise<void> {
    const { envelope } = delivery;
    const span = this.#tracing?.process(endpoint, envelope, delivery.attempt);
    const scope = new ProductScope(span, this.#tracing, (step) => this.#metrics.step(step));
    const stop = this.#metrics.deliverySeconds.startTimer({ endpoint });
    try {
      await handle(scope);
    } catch (error) {
      // The pipeline settles every delivery but when the store fails; the transport redelivers.
      if (span) Tracing.fail(span, error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      stop();
      const { outcome } = scope;
      this.#metrics.messagesIn.inc({ endpoint, type: typeOf(envelope), outcome });
      // A delivery that is retried or dead-lettered rolled its unit of work back.
      if (outcome === 'handled') {
        for (const run of scope.runs) this.#metrics.run(run);
        for (const event of scope.billingEvents) this.#metrics.billing(event);
      }
      span?.setAttribute('saas.outcome', outcome);
      span?.end();
    }
  }

  committed(messages: readonly Envelope[], scope?: DeliveryScope): void {
    const parent = productScope(scope)?.span;
    for (const message of messages) {
      this.#metrics.messagesOut.inc({ type: message.type });
      this.#tracing?.publish(message, parent);
    }
  }

  duplicate(_endpoint: string, _envelope: Envelope, scope?: DeliveryScope): void {
    const product = productScope(scope);
    if (product) product.outcome = 'duplicate';
  }

  retrying(
    endpoint: string,
    envelope: Envelope,
    _attempt: number,
    failure: DeliveryFailure,
    scope?: DeliveryScope,
  ): void {
    this.#metrics.retries.inc({ endpoint, type: typeOf(envelope) });
    const step = productScope(scope)?.lastStep;
    if (step) this.#metrics.stepRetries.inc(step);
    this.#failed('retry', failure, scope);
  }

  deadLettered(letter: DeadLetter, scope?: DeliveryScope): void {
    this.#metrics.deadLetters.inc({ endpoint: letter.endpoint, type: typeOf(letter.envelope) });
    const step = productScope(scope)?.lastStep;
    if (step) this.#metrics.stepDeadLetters.inc(step);
    this.#failed('dead-lettered', letter, scope);
  }

  #failed(outcome: DeliveryOutcome, failure: DeliveryFailure, scope?: DeliveryScope): void {
    const product = productScope(scope);
    if (!product) return;
    product.outcome = outcome;
    if (product.span) Tracing.fail(product.span, `${failure.errorType}: ${failure.errorMessage}`);
  }
}
