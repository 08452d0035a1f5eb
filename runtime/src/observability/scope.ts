/**
 * One delivery as the product observes it: its span (when tracing is on) and its metrics. The
 * observer (observer.ts) opens one per delivery and hands it to the runtime, which passes it on
 * explicitly, to the handler as `HandlerContext.scope` and back to the observer's hooks.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { BillingEvent, DeliveryScope, RunEvent, StepInfo } from '../runtime/observer.js';
import type { Tracing } from './tracing.js';

/** What a step reports to metrics when it ends. */
export interface StepReport {
  readonly workflow: string;
  readonly step: string;
  readonly phase: 'run' | 'compensate';
  readonly outcome: 'succeeded' | 'failed' | 'error';
  readonly seconds: number;
}

export type DeliveryOutcome = 'handled' | 'duplicate' | 'retry' | 'dead-lettered';

export class ProductScope implements DeliveryScope {
  /** The span of the delivery; none when tracing is off. */
  readonly span: Span | undefined;
  /** What became of the delivery, set by the observer's hooks. */
  outcome: DeliveryOutcome = 'handled';
  /** The step whose handler this delivery ran last: a retry or a dead letter is that step's. */
  lastStep: { readonly workflow: string; readonly step: string } | undefined;
  /** Runs started or ended here: the observer counts them if the delivery is handled. */
  readonly runs: RunEvent[] = [];
  /** What billing did here: counted, as the runs are, if the delivery is handled. */
  readonly billingEvents: BillingEvent[] = [];
  readonly #tracing: Tracing | undefined;
  readonly #report: (step: StepReport) => void;

  constructor(
    span: Span | undefined,
    tracing: Tracing | undefined,
    report: (step: StepReport) => void,
  ) {
    this.span = span;
    this.#tracing = tracing;
    this.#report = report;
  }

  annotate(attributes: Readonly<Record<string, string | number | boolean>>): void {
    this.span?.setAttributes(attributes);
  }

  run(event: RunEvent): void {
    this.runs.push(event);
  }

  billing(event: BillingEvent): void {
    this.billingEvents.push(event);
  }

  /**
   * Runs one step's handler in a span of its own (a child of the delivery's), tagged with the
   * step's begin and end status, and reports its duration and outcome to the metrics.
   */
  async step<T>(info: StepInfo, work: () => Promise<T>): Promise<T> {
    const begin = info.phase === 'run' ? 'Pending' : 'Succeeded';
    const span = this.#tracing?.child(this.span, `step ${info.step}`, {
      'saas.workflow': info.workflow,
      'saas.step': info.step,
      'saas.step.phase': info.phase,
      'saas.state.begin': begin,
      'tenant.id': info.tenantId,
    });
    this.lastStep = { workflow: info.workflow, step: info.step };
    const started = performance.now();
    const finish = (outcome: StepReport['outcome'], end: string, error?: unknown) => {
      const { workflow, step, phase } = info;
      this.#report({
        workflow,
        step,
        phase,
        outcome,
        seconds: (performance.now() - started) / 1000,
      });
      if (!span) return;
      span.setAttribute('saas.state.end', end);
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      span.end();
    };
    try {
      const result = await work();
      finish('succeeded', info.phase === 'run' ? 'Succeeded' : 'Compensated');
      return result;
    } catch (error) {
      const failed = info.isFailure(error);
      finish(failed ? 'failed' : 'error', failed ? 'Failed' : begin, error);
      throw error;
    }
  }
}
