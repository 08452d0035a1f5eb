/** Rules about durations and retry bounds that the schema's patterns cannot express. */
import { parseDuration, formatDuration } from '../duration.js';
import { pointerOf } from '../diagnostics.js';
import type { RetryPolicy } from '../model.js';
import { allSteps } from './context.js';
import type { Rule, RuleContext } from './context.js';

const second = 1_000;
const day = 86_400_000;

type Raw = Record<string, unknown>;
const record = (value: unknown): Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : {};

export const durationRange: Rule = {
  code: 'duration-range',
  description:
    'Timeouts lie between 1s and 30d; retry delays between 1ms and 1d, the first no longer than the cap.',
  check(ctx) {
    const workflows = record(record(ctx.data).workflows);
    for (const workflow of ctx.model.workflows) {
      const raw = record(workflows[workflow.id]);
      const timeout = typeof raw.timeout === 'string' ? parseDuration(raw.timeout) : undefined;
      if (timeout !== undefined && (timeout < second || timeout > 30 * day)) {
        ctx.report({
          code: 'duration-range',
          message: `timeout of workflow \`${workflow.id}\` is ${formatDuration(timeout)}; it must be between 1s and 30d`,
          pointer: `${workflow.pointer}/timeout`,
        });
      }
      checkRetry(ctx, raw.retry, workflow.retry, `${workflow.pointer}/retry`);
    }
    for (const step of allSteps(ctx.model)) {
      const kind = step.kind === 'step' ? 'steps' : 'reactions';
      const raw = record(record(record(workflows[step.workflowId])[kind])[step.id]);
      checkRetry(ctx, raw.retry, step.retry, `${step.pointer}/retry`);
    }
  },
};

/** Checks the delays written at `pointer`, against the policy in force there. */
function checkRetry(
  ctx: RuleContext,
  written: unknown,
  policy: RetryPolicy,
  pointer: string,
): void {
  const raw = record(written);
  for (const key of ['initialDelay', 'maxDelay'] as const) {
    const ms = typeof raw[key] === 'string' ? parseDuration(raw[key]) : undefined;
    if (ms === undefined || (ms >= 1 && ms <= day)) continue;
    ctx.report({
      code: 'duration-range',
      message: `retry \`${key}\` is ${formatDuration(ms)}; it must be between 1ms and 1d`,
      pointer: `${pointer}${pointerOf([key])}`,
    });
  }
  const writesDelays = raw.initialDelay !== undefined || raw.maxDelay !== undefined;
  if (writesDelays && policy.initialDelayMs > policy.maxDelayMs) {
    ctx.report({
      code: 'duration-range',
      message: `retry \`initialDelay\` (${formatDuration(policy.initialDelayMs)}) is longer than \`maxDelay\` (${formatDuration(policy.maxDelayMs)})`,
      pointer: `${pointer}/${raw.initialDelay !== undefined ? 'initialDelay' : 'maxDelay'}`,
      hint: 'raise `maxDelay` or lower `initialDelay`',
    });
  }
}

/** Delay before attempt `n + 1` (n ≥ 1) under `policy`. */
export function retryDelay(policy: RetryPolicy, n: number): number {
  const raw =
    policy.backoff === 'exponential'
      ? policy.initialDelayMs * 2 ** (n - 1)
      : policy.backoff === 'linear'
        ? policy.initialDelayMs * n
        : policy.initialDelayMs;
  return Math.min(raw, policy.maxDelayMs);
}

export const retryExceedsTimeout: Rule = {
  code: 'retry-exceeds-timeout',
  description:
    "A step's retries can outlast its workflow's timeout, so the last attempts would never run (warning).",
  check({ model, report }) {
    for (const workflow of model.workflows) {
      for (const step of [...workflow.steps, ...workflow.reactions]) {
        let total = 0;
        for (let n = 1; n < step.retry.attempts; n++) total += retryDelay(step.retry, n);
        if (step.kind !== 'step' || workflow.timeoutMs === 0 || total <= workflow.timeoutMs)
          continue;
        report({
          code: 'retry-exceeds-timeout',
          severity: 'warning',
          message: `the retries of step \`${step.id}\` wait ${formatDuration(total)} in all, longer than the ${formatDuration(workflow.timeoutMs)} timeout of \`${workflow.id}\``,
          pointer: step.pointer,
          target: 'key',
          hint: 'lower the attempts or delays, or raise the timeout',
        });
      }
    }
  },
};
