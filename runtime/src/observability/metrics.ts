/**
 * Prometheus metrics of one product instance, in a registry of its own (not prom-client's global
 * one), so that several instances in one process (tests) never share a series.
 *
 * A scrape reads from the store one row per series (saga states, endpoints with dead letters,
 * the outbox backlog, the subscriptions awaiting payment), through aggregate queries: never the sagas or the dead letters
 * themselves, so its cost does not grow with them. With `METRICS_TOKEN` set, only a scrape that
 * bears it may read the metrics.
 *
 * Every series whose labels the blueprint already names (each workflow and each of its steps) is
 * created at zero when the instance starts, so that a dashboard or an alert over it has data
 * before the first event, and `increase()` sees the first one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../runtime/clock.js';
import { systemClock } from '../runtime/clock.js';
import type { BillingEvent, RunEvent, RunOutcome } from '../runtime/observer.js';
import { paymentFinds } from '../runtime/observer.js';
import type { Store } from '../runtime/store.js';
import { awaitingPaymentScope } from '../services/billing.js';
import type { StepReport } from './scope.js';

/** The saga record types whose instances are counted per state. */
const sagaTypes = ['tenant', 'workflow'] as const;

const runOutcomes: readonly RunOutcome[] = ['completed', 'failed', 'timed_out'];

/**
 * prom-client's default gauges that end in `_total`, which the exposition format keeps for
 * counters (`promtool check metrics` refuses them); `nodejs_active_handles` and
 * `nodejs_active_requests` say the same without the suffix.
 */
const misnamedDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** What the metrics know of a workflow in advance: its id and the ids of its steps. */
export interface WorkflowShape {
  readonly id: string;
  /** Its awaited steps and its reactions. */
  readonly steps: readonly string[];
}

/** What `saas_build_info` says about this instance. */
export interface BuildInfo {
  readonly product: string;
  readonly generatorVersion: string;
  /** `ROLE`: all, api or worker. */
  readonly role: string;
}

export interface MetricsOptions {
  /** `METRICS_TOKEN`: the bearer token a scrape must present; unset, the metrics are public. */
  readonly token?: string | undefined;
  /** The product's workflows, the onboarding's included: their series start at zero. */
  readonly workflows?: readonly WorkflowShape[];
  readonly build?: BuildInfo;
  /** The store's clock, for the age of the outbox backlog. */
  readonly clock?: Clock;
}

export type MetricsStore = Pick<
  Store,
  'countSagas' | 'countDeadLetters' | 'outboxBacklog' | 'countClaims'
>;

/** The billing webhook's event types, and what became of a delivery of one. */
const webhookTypes = ['payment.settled', 'payment.past_due'] as const;
export type WebhookOutcome = 'applied' | 'repeated' | 'stale';
const webhookOutcomes: readonly WebhookOutcome[] = ['applied', 'repeated', 'stale'];

/** A fixed-length digest, so that comparing never leaks the token's length or a prefix. */
const digest = (value: string) => createHash('sha256').update(value).digest();

export class Metrics {
  readonly registry = new Registry();
  readonly messagesIn: Counter<'endpoint' | 'type' | 'outcome'>;
  readonly messagesOut: Counter<'type'>;
  readonly retries: Counter<'endpoint' | 'type'>;
  readonly deadLetters: Counter<'endpoint' | 'type'>;
  readonly compensations: Counter<'workflow' | 'step'>;
  readonly stepRetries: Counter<'workflow' | 'step'>;
  readonly stepDeadLetters: Counter<'workflow' | 'step'>;
  readonly stepSeconds: Histogram<'workflow' | 'step' | 'phase' | 'outcome'>;
  readonly deliverySeconds: Histogram<'endpoint'>;
  readonly runsStarted: Counter<'workflow'>;
  readonly runsEnded: Counter<'workflow' | 'outcome'>;
  readonly runSeconds: Histogram<'workflow' | 'outcome'>;
  readonly paymentsSettled: Counter<'subscription'>;
  readonly trialsExpired: Counter;
  readonly unpaidCanceled: Counter;
  readonly webhooks: Counter<'type' | 'outcome'>;
  readonly httpSeconds: Histogram<
    'http_request_method' | 'http_route' | 'http_response_status_code'
  >;
  #defaults = false;
  readonly #token: Buffer | undefined;

  constructor(store: MetricsStore, options: MetricsOptions = {}) {
    this.#token = options.token ? digest(options.token) : undefined;
    const clock = options.clock ?? systemClock;
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
    // One query answers both outbox gauges: the first to be collected asks, the other reuses it.
    let backlog: ReturnType<MetricsStore['outboxBacklog']> | undefined;
    const readBacklog = () => {
      backlog ??= store.outboxBacklog().finally(() => {
        backlog = undefined;
      });
      return backlog;
    };
    new Gauge({
      name: 'saas_outbox_pending',
      help: 'Messages committed and not yet handed to the bus.',
      registers,
      async collect() {
        this.set((await readBacklog()).pending);
      },
    });
    new Gauge({
      name: 'saas_outbox_oldest_age_seconds',
      help: 'How long the oldest message not yet handed to the bus has waited (0: none waits).',
      registers,
      async collect() {
        const { oldestAt } = await readBacklog();
        const age = oldestAt ? (clock.now().getTime() - oldestAt.getTime()) / 1000 : 0;
        this.set(Math.max(0, age));
      },
    });
    new Gauge({
      name: 'saas_payments_awaited',
      help: 'Subscriptions of a paid edition whose onboarding waits for its first payment.',
      registers,
      async collect() {
        this.set(await store.countClaims(awaitingPaymentScope));
      },
    });
    if (options.build) {
      new Gauge({
        name: 'saas_build_info',
        help: 'Always 1: the product, the saas-gen version that generated it, Node.js and the role.',
        labelNames: ['product', 'generator_version', 'node_version', 'role'],
        registers,
      }).set(
        {
          product: options.build.product,
          generator_version: options.build.generatorVersion,
          node_version: process.versions.node,
          role: options.build.role,
        },
        1,
      );
    }
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
    this.stepRetries = new Counter({
      name: 'saas_step_retries_total',
      help: "Attempts of a step's handler that failed and are tried again.",
      labelNames: ['workflow', 'step'],
      registers,
    });
    this.stepDeadLetters = new Counter({
      name: 'saas_step_dead_letters_total',
      help: 'Messages of a step dead-lettered: its handler failed on every attempt.',
      labelNames: ['workflow', 'step'],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'saas_step_duration_seconds',
      help: "Duration of a step's handler (phase run) or of its compensation.",
      labelNames: ['workflow', 'step', 'phase', 'outcome'],
      // Up to an hour: a step's share of its workflow's timeout is an alert threshold.
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 900, 1800, 3600],
      registers,
    });
    this.deliverySeconds = new Histogram({
      name: 'saas_delivery_duration_seconds',
      help: 'Duration of one delivery at an endpoint, its transaction included.',
      labelNames: ['endpoint'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.runsStarted = new Counter({
      name: 'saas_workflow_runs_started_total',
      help: 'Workflow runs started (for the onboarding: sign-ups).',
      labelNames: ['workflow'],
      registers,
    });
    this.runsEnded = new Counter({
      name: 'saas_workflow_runs_ended_total',
      help: 'Workflow runs ended, by outcome (for the onboarding, completed: the tenant is Active).',
      labelNames: ['workflow', 'outcome'],
      registers,
    });
    this.runSeconds = new Histogram({
      name: 'saas_workflow_run_duration_seconds',
      help: 'From the start of a workflow run (the sign-up, for the onboarding) to its end.',
      labelNames: ['workflow', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600],
      registers,
    });
    this.paymentsSettled = new Counter({
      name: 'saas_payments_settled_total',
      help: 'Settled payments billing applied, by the status of the subscription each found (awaiting_payment: it completed an onboarding; trialing: a trial converted; past_due: it reinstates; none: it came first, and waits for the subscription).',
      labelNames: ['subscription'],
      registers,
    });
    this.trialsExpired = new Counter({
      name: 'saas_trials_expired_total',
      help: 'Trials that ended without a settled payment: the subscription is past due.',
      registers,
    });
    this.unpaidCanceled = new Counter({
      name: 'saas_unpaid_subscriptions_canceled_total',
      help: 'Subscriptions that still awaited payment when their onboarding failed or timed out.',
      registers,
    });
    this.webhooks = new Counter({
      name: 'saas_billing_webhooks_total',
      help: 'Billing webhook deliveries with a valid signature, by event type and what became of each (applied; repeated: a webhook-id seen before; stale: older than the newest applied, so not applied).',
      labelNames: ['type', 'outcome'],
      registers,
    });
    for (const subscription of paymentFinds) this.paymentsSettled.inc({ subscription }, 0);
    for (const type of webhookTypes)
      for (const outcome of webhookOutcomes) this.webhooks.inc({ type, outcome }, 0);
    this.httpSeconds = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP requests the API answered, by method, route pattern and status.',
      labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
      // The HTTP semantic conventions' advice for this histogram.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
      registers,
    });
    for (const workflow of options.workflows ?? []) this.#zero(workflow);
  }

  /** Creates at zero the series of a workflow and its steps. */
  #zero({ id: workflow, steps }: WorkflowShape): void {
    this.runsStarted.inc({ workflow }, 0);
    for (const outcome of runOutcomes) {
      this.runsEnded.inc({ workflow, outcome }, 0);
      this.runSeconds.zero({ workflow, outcome });
    }
    for (const step of steps) {
      this.compensations.inc({ workflow, step }, 0);
      this.stepRetries.inc({ workflow, step }, 0);
      this.stepDeadLetters.inc({ workflow, step }, 0);
      this.stepSeconds.zero({ workflow, step, phase: 'run', outcome: 'succeeded' });
    }
  }

  step(report: StepReport): void {
    const { workflow, step, phase, outcome } = report;
    this.stepSeconds.observe({ workflow, step, phase, outcome }, report.seconds);
    if (phase === 'compensate' && outcome === 'succeeded')
      this.compensations.inc({ workflow, step });
  }

  /** A run started or ended in a unit of work that committed. */
  run(event: RunEvent): void {
    const { workflow } = event;
    if (event.kind === 'started') {
      this.runsStarted.inc({ workflow });
      return;
    }
    const { outcome } = event;
    this.runsEnded.inc({ workflow, outcome });
    if (event.seconds !== undefined) this.runSeconds.observe({ workflow, outcome }, event.seconds);
  }

  /** Billing did this in a unit of work that committed. */
  billing(event: BillingEvent): void {
    if (event.kind === 'payment') this.paymentsSettled.inc({ subscription: event.found });
    else if (event.kind === 'trial-expired') this.trialsExpired.inc();
    else this.unpaidCanceled.inc();
  }

  /** A signed billing webhook was answered (after its transaction committed). */
  webhook(type: string, outcome: WebhookOutcome): void {
    this.webhooks.inc({ type, outcome });
  }

  /** One HTTP request answered; `route` is the matched route's pattern, '' when none matched. */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpSeconds.observe(
      { http_request_method: method, http_route: route, http_response_status_code: status },
      seconds,
    );
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
      for (const name of misnamedDefaults) this.registry.removeSingleMetric(name);
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
