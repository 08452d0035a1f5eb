/**
 * The shape of a workflow as the blueprint defines it. `definitions.ts` holds this product's.
 */

export type Backoff = 'exponential' | 'linear' | 'fixed';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  readonly backoff: Backoff;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface StepDefinition {
  readonly id: string;
  readonly workflow: string;
  /** A step is awaited by its workflow; a reaction is a follow-up nobody waits for. */
  readonly kind: 'step' | 'reaction';
  readonly service: string;
  /** Whether `service` is one of the built-in services. */
  readonly builtin: boolean;
  readonly on: string;
  readonly emits: string | null;
  readonly compensate: string | null;
  readonly retry: RetryPolicy;
}

export interface WorkflowDefinition {
  readonly id: string;
  readonly kind: 'onboarding' | 'domain';
  /** `TenantRegistered` for onboarding; the `startedBy` command of a domain workflow. */
  readonly trigger: string;
  readonly timeoutMs: number;
  readonly steps: readonly StepDefinition[];
  readonly reactions: readonly StepDefinition[];
}

/** Besides the operator's commands, the events that suspend and reinstate a tenant (`lifecycle`). */
export interface LifecyclePolicy {
  readonly suspendOn: readonly string[];
  readonly reinstateOn: readonly string[];
}

/** What the onboarding saga needs: the onboarding workflow and the tenant lifecycle policy. */
export interface OnboardingDefinition {
  readonly workflow: WorkflowDefinition;
  readonly lifecycle: LifecyclePolicy;
}

/**
 * The id of the workflow run a message belongs to: the tenant for onboarding (one per tenant),
 * else the correlation id of the command that started the run. Services put it in `StepFailed`
 * and `StepCompensated` as `workflowId`.
 */
export const runIdOf = (
  workflow: Pick<WorkflowDefinition, 'kind'>,
  envelope: { readonly tenantId: string; readonly correlationId: string },
): string => (workflow.kind === 'onboarding' ? envelope.tenantId : envelope.correlationId);

/** Delay before attempt `attempt + 1`, after attempt `attempt` (≥ 1) failed. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  const delay =
    policy.backoff === 'exponential'
      ? policy.initialDelayMs * 2 ** (attempt - 1)
      : policy.backoff === 'linear'
        ? policy.initialDelayMs * attempt
        : policy.initialDelayMs;
  return Math.min(delay, policy.maxDelayMs);
}
