/**
 * The shape of a workflow as the blueprint defines it, and the defaults of what a blueprint may
 * leave out. `definitions.ts` holds this product's workflows, stating only what differs from them.
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
  /**
   * The fields of the compensation command's payload, from its schema (`defineProduct` fills them
   * in); unknown, the compensation carries `{ reason }` only.
   */
  readonly compensateFields?: readonly string[];
  readonly retry: RetryPolicy;
}

export interface WorkflowDefinition {
  readonly id: string;
  readonly kind: WorkflowKind;
  /** `TenantRegistered` for onboarding; the `startedBy` command of a domain workflow. */
  readonly trigger: string;
  readonly timeoutMs: number;
  readonly steps: readonly StepDefinition[];
  readonly reactions: readonly StepDefinition[];
}

export type WorkflowKind = 'onboarding' | 'domain';

/** The event that starts every onboarding: a sign-up was accepted. */
export const onboardingTrigger = 'TenantRegistered';

/** The retry policy of a step when neither its workflow nor the step sets one. */
export const defaultRetry: RetryPolicy = {
  attempts: 5,
  backoff: 'exponential',
  initialDelayMs: 200,
  maxDelayMs: 30_000,
};

/** How long a run may take when its workflow sets no timeout. */
export const defaultTimeoutMs: Readonly<Record<WorkflowKind, number>> = {
  onboarding: 10 * 60_000,
  domain: 30 * 60_000,
};

/** The services whose code ships with the product (src/services/); every other one is a domain service. */
export const builtinServices: ReadonlySet<string> = new Set([
  'billing',
  'configuration',
  'identity',
  'notification',
]);

/**
 * A step as `definitions.ts` states it: what the blueprint says, where it differs from the
 * defaults. `defineWorkflow` fills in the rest.
 */
export interface StepSpec {
  readonly id: string;
  readonly service: string;
  readonly on: string;
  /** None: the step publishes nothing when it succeeds. */
  readonly emits?: string;
  /** None: the step cannot be undone. */
  readonly compensate?: string;
  /** Overrides the workflow's policy field by field. */
  readonly retry?: Partial<RetryPolicy>;
}

interface WorkflowSpecBase {
  readonly id: string;
  /** Default: `defaultTimeoutMs` of the workflow's kind. */
  readonly timeoutMs?: number;
  /** Overrides `defaultRetry` field by field, for every step of the workflow. */
  readonly retry?: Partial<RetryPolicy>;
  readonly steps: readonly StepSpec[];
  readonly reactions?: readonly StepSpec[];
}

/** A workflow as `definitions.ts` states it; onboarding is always started by `onboardingTrigger`. */
export type WorkflowSpec =
  | (WorkflowSpecBase & { readonly kind: 'onboarding' })
  | (WorkflowSpecBase & { readonly kind: 'domain'; readonly trigger: string });

/** The whole definition of a workflow: `spec` with the defaults filled in. */
export function defineWorkflow(spec: WorkflowSpec): WorkflowDefinition {
  const retry = { ...defaultRetry, ...spec.retry };
  const resolve =
    (kind: StepDefinition['kind']) =>
    (step: StepSpec): StepDefinition => ({
      id: step.id,
      workflow: spec.id,
      kind,
      service: step.service,
      builtin: builtinServices.has(step.service),
      on: step.on,
      emits: step.emits ?? null,
      compensate: step.compensate ?? null,
      retry: { ...retry, ...step.retry },
    });
  return {
    id: spec.id,
    kind: spec.kind,
    trigger: spec.kind === 'onboarding' ? onboardingTrigger : spec.trigger,
    timeoutMs: spec.timeoutMs ?? defaultTimeoutMs[spec.kind],
    steps: spec.steps.map(resolve('step')),
    reactions: (spec.reactions ?? []).map(resolve('reaction')),
  };
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
  /**
   * How each edition is paid for (product-definition.ts `paymentTermsOf`). A change to a `paid`
   * edition waits for `PaymentSettled`; an edition not listed is free.
   */
  readonly paymentTerms?: Readonly<Record<string, 'free' | 'trial' | 'paid'>>;
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
