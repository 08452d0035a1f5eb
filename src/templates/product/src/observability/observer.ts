/**
 * The product's runtime observer: a span per delivery and per published message, the metrics of
 * every delivery, and the scope (scope.ts) that steps, the saga and the logger read.
 */
import type { Envelope } from '../contracts/envelope.js';
import type { DeliveryFailure, RuntimeObserver } from '../runtime/observer.js';
import type { DeadLetter } from '../runtime/store.js';
import type { Delivery } from '../runtime/transport.js';
import type { Metrics } from './metrics.js';
import type { Scope } from './scope.js';
import { currentScope, inScope } from './scope.js';
import { Tracing } from './tracing.js';

/** An invalid message may not even be an object: read what it has, for labels only. */
const typeOf = (envelope: unknown): string => {
  const type: unknown = (envelope as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : 'invalid';
};

export class ProductObserver implements RuntimeObserver {
  readonly #metrics: Metrics;
  readonly #tracing: Tracing | undefined;

  constructor(metrics: Metrics, tracing?: Tracing) {
    this.#metrics = metrics;
    this.#tracing = tracing;
  }

  async delivery(endpoint: string, delivery: Delivery, handle: () => Promise<void>): Promise<void> {
    const { envelope } = delivery;
    const tracing = this.#tracing;
    const span = tracing?.process(endpoint, envelope, delivery.attempt);
    const scope: Scope = {
      envelope,
      span,
      startSpan: (name, attributes) =>
        tracing?.child(currentScope()?.span ?? span, name, attributes),
      report: (step) => this.#metrics.step(step),
      delivery: { outcome: 'handled' },
    };
    const stop = this.#metrics.deliverySeconds.startTimer({ endpoint });
    try {
      await inScope(scope, handle);
    } catch (error) {
      // The pipeline settles every delivery but when the store fails; the transport redelivers.
      if (span) Tracing.fail(span, error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      stop();
      const { outcome } = scope.delivery;
      this.#metrics.messagesIn.inc({ endpoint, type: typeOf(envelope), outcome });
      span?.setAttribute('saas.outcome', outcome);
      span?.end();
    }
  }

  committed(messages: readonly Envelope[]): void {
    const parent = currentScope()?.span;
    for (const message of messages) {
      this.#metrics.messagesOut.inc({ type: message.type });
      this.#tracing?.publish(message, parent);
    }
  }

  duplicate(): void {
    const scope = currentScope();
    if (scope) scope.delivery.outcome = 'duplicate';
  }

  retrying(endpoint: string, envelope: Envelope, _attempt: number, failure: DeliveryFailure): void {
    this.#metrics.retries.inc({ endpoint, type: typeOf(envelope) });
    this.#failed('retry', failure);
  }

  deadLettered(letter: DeadLetter): void {
    this.#metrics.deadLetters.inc({ endpoint: letter.endpoint, type: typeOf(letter.envelope) });
    this.#failed('dead-lettered', letter);
  }

  #failed(outcome: 'retry' | 'dead-lettered', failure: DeliveryFailure): void {
    const scope = currentScope();
    if (!scope) return;
    scope.delivery.outcome = outcome;
    if (scope.span) Tracing.fail(scope.span, `${failure.errorType}: ${failure.errorMessage}`);
  }
}
