/**
 * The delivery being handled, as seen from anywhere below it (a step handler, the saga, the
 * logger) without passing it through every signature: an AsyncLocalStorage scope that the
 * observer opens around each delivery. Outside a delivery every helper here does nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import type { Envelope } from '../contracts/envelope.js';

/** What a step reports to metrics when it ends. */
export interface StepReport {
  readonly workflow: string;
  readonly step: string;
  readonly phase: 'run' | 'compensate';
  readonly outcome: 'succeeded' | 'failed' | 'error';
  readonly seconds: number;
}

export interface Scope {
  readonly envelope: Envelope;
  /** The span of the delivery, or of the step inside it; none when tracing is off. */
  readonly span: Span | undefined;
  /** Starts a child span of `span` (undefined when tracing is off). */
  readonly startSpan: (name: string, attributes: Attributes) => Span | undefined;
  readonly report: (step: StepReport) => void;
  /** Set by the runtime's hooks: what became of the delivery (shared with nested scopes). */
  readonly delivery: { outcome: 'handled' | 'duplicate' | 'retry' | 'dead-lettered' };
}

const scopes = new AsyncLocalStorage<Scope>();

export const currentScope = (): Scope | undefined => scopes.getStore();

export const inScope = <T>(scope: Scope, work: () => T): T => scopes.run(scope, work);

/** Tags the current span (a saga's begin and end state, say). */
export function annotate(attributes: Attributes): void {
  currentScope()?.span?.setAttributes(attributes);
}

/** The trace id (32 hex digits) inside a W3C `traceparent`. */
export const traceIdOf = (traceparent: string): string | undefined =>
  /^00-([0-9a-f]{32})-/.exec(traceparent)?.[1];

/** Fields every log line written during a delivery carries. */
export function logFields(): Record<string, string> {
  const envelope = currentScope()?.envelope;
  if (!envelope) return {};
  const traceId = typeof envelope.traceId === 'string' ? traceIdOf(envelope.traceId) : undefined;
  return {
    tenantId: envelope.tenantId,
    correlationId: envelope.correlationId,
    ...(traceId ? { traceId } : {}),
  };
}

export interface StepInfo {
  readonly workflow: string;
  readonly step: string;
  readonly phase: 'run' | 'compensate';
  readonly tenantId: string;
  /** Whether an error is the step failing for good (its workflow compensates), not a retry. */
  readonly isFailure: (error: unknown) => boolean;
}

/**
 * Runs one step's handler in a span of its own, tagged with the step's begin and end status,
 * and reports its duration and outcome to the metrics.
 */
export async function inStep<T>(info: StepInfo, work: () => Promise<T>): Promise<T> {
  const parent = currentScope();
  if (!parent) return work();
  const begin = info.phase === 'run' ? 'Pending' : 'Succeeded';
  const span = parent.startSpan(`step ${info.step}`, {
    'saas.workflow': info.workflow,
    'saas.step': info.step,
    'saas.step.phase': info.phase,
    'saas.state.begin': begin,
    'tenant.id': info.tenantId,
  });
  const started = performance.now();
  const finish = (outcome: StepReport['outcome'], end: string, error?: unknown) => {
    parent.report({ ...info, outcome, seconds: (performance.now() - started) / 1000 });
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
    const result = await inScope({ ...parent, span: span ?? parent.span }, work);
    finish('succeeded', info.phase === 'run' ? 'Succeeded' : 'Compensated');
    return result;
  } catch (error) {
    const failed = info.isFailure(error);
    finish(failed ? 'failed' : 'error', failed ? 'Failed' : begin, error);
    throw error;
  }
}
