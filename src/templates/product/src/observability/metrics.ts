/**
 * Prometheus metrics of one product instance, in a registry of its own (not prom-client's global
 * one), so that several instances in one process (tests) never share a series.
 *
 * A scrape reads from the store one row per series (saga states, endpoints with dead letters),
 * through aggregate queries: never the sagas or the dead letters themselves, so its cost does not
 * grow with them. With `METRICS_TOKEN` set, only a scrape that bears it may read the metrics.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../runtime/store.js';
import type { StepReport } from './scope.js';

/** The saga record types whose instances are counted per state. */
const sagaTypes = ['tenant', 'workflow'] as const;

export interface MetricsOptions {
  /** `METRICS_TOKEN`: the bearer token a scrape must present; unset, the metrics are public. */
  readonly token?: string | undefined;
}

/** A fixed-length digest, so that comparing never leaks the token's length or a prefix. */
const digest = (value: string) => createHash('sha256').update(value).digest();

export class Metrics {
  readonly registry = new Registry();
  readonly messagesIn: Counter<'endpoint' | 'type' | 'outcome'>;
  readonly messagesOut: Counter<'type'>;
  readonly retries: Counter<'endpoint' | 'type'>;
  readonly deadLetters: Counter<'endpoint' | 'type'>;
  readonly compensations: Counter<'workflow' | 'step'>;
  readonly stepSeconds: Histogram<'workflow' | 'step' | 'phase' | 'outcome'>;
  readonly deliverySeconds: Histogram<'endpoint'>;
  #defaults = false;
  readonly #token: Buffer | undefined;

  constructor(store: Pick<Store, 'countSagas' | 'countDeadLetters'>, options: MetricsOptions = {}) {
    this.#token = options.token ? digest(options.token) : undefined;
    const registers = [this.registry];
    new Gauge({
      name: 'saas_saga_instances',
      help: 'Saga instances per saga type and state (tenant: the onboarding saga).',
      labelNames: ['saga', 'state'],
      registers,
      // Read from the store at each scrape: the number of instances, not of messages in flight.
      async collect() {
        const counts = await Promise.all(sagaTypes.map((type) => store.countSagas(type)));
        this.reset();
        counts.forEach((byState, index) => {
          for (const [state, count] of Object.entries(byState))
            this.set({ saga: sagaTypes[index]!, state }, count);
        });
      },
    });
    new Gauge({
      name: 'saas_dead_letters_pending',
      help: 'Dead letters waiting for an operator, per endpoint.',
      // Per endpoint, not per message type: endpoints are the product's, while a type is whatever
      // a dead-lettered message says, which would let a sender make up series.
      labelNames: ['endpoint'],
      registers,
      async collect() {
        const counts = await store.countDeadLetters();
        this.reset();
        for (const [endpoint, count] of Object.entries(counts)) this.set({ endpoint }, count);
      },
    });
    this.messagesIn = new Counter({
      name: 'saas_messages_consumed_total',
      help: 'Deliveries to an endpoint, by what became of them.',
      labelNames: ['endpoint', 'type', 'outcome'],
      registers,
    });
    this.messagesOut = new Counter({
      name: 'saas_messages_published_total',
      help: 'Messages committed to the outbox or the schedule.',
      labelNames: ['type'],
      registers,
    });
    this.retries = new Counter({
      name: 'saas_message_retries_total',
      help: 'Failed deliveries scheduled for another attempt.',
      labelNames: ['endpoint', 'type'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'saas_dead_letters_total',
      help: 'Messages dead-lettered.',
      labelNames: ['endpoint', 'type'],
      registers,
    });
    this.compensations = new Counter({
      name: 'saas_compensations_total',
      help: 'Steps undone by their compensation.',
      labelNames: ['workflow', 'step'],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'saas_step_duration_seconds',
      help: "Duration of a step's handler (phase run) or of its compensation.",
      labelNames: ['workflow', 'step', 'phase', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.deliverySeconds = new Histogram({
      name: 'saas_delivery_duration_seconds',
      help: 'Duration of one delivery at an endpoint, its transaction included.',
      labelNames: ['endpoint'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
  }

  step(report: StepReport): void {
    const { workflow, step, phase, outcome } = report;
    this.stepSeconds.observe({ workflow, step, phase, outcome }, report.seconds);
    if (phase === 'compensate' && outcome === 'succeeded')
      this.compensations.inc({ workflow, step });
  }

  /**
   * Whether a scrape with this `Authorization` header may read the metrics: any scrape when no
   * token is configured, else only `Bearer <METRICS_TOKEN>` (compared in constant time).
   */
  allows(authorization: string | undefined): boolean {
    if (!this.#token) return true;
    const presented = /^Bearer +([^\s]+)\s*$/i.exec(authorization ?? '')?.[1];
    // Compared even when nothing was presented, so that the answer takes the same time.
    return timingSafeEqual(digest(presented ?? ''), this.#token) && presented !== undefined;
  }

  /** The Prometheus text exposition, with the process's own metrics from the first scrape on. */
  async text(): Promise<string> {
    if (!this.#defaults) {
      this.#defaults = true;
      collectDefaultMetrics({ register: this.registry });
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
