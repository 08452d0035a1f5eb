/**
 * Runs the steps of the blueprint: each step is an endpoint that receives the step's trigger,
 * calls the service's handler and publishes the step's event, or `StepFailed` when the handler
 * fails irrecoverably. Each compensation is an endpoint too, answering with `StepCompensated`.
 * Transient errors are thrown on to the runtime, which retries with the step's backoff.
 */
import type { Envelope, TenantId } from '../contracts/envelope.js';
import { entitlementsOf, limitsOf } from '../entitlements.js';
import type { MessageType, PayloadOf } from '../contracts/builtins.js';
import type { EndpointDefinition, HandlerContext } from '../runtime/handler.js';
import { PermanentError } from '../runtime/handler.js';
import type { StepDefinition, WorkflowDefinition } from '../saga/definition.js';
import { runIdOf } from '../saga/definition.js';
import type { Faults } from './faults.js';
import { TransientFault } from './faults.js';
import type { Logger } from '../runtime/logger.js';
import { messageFields, withFields } from '../runtime/logger.js';
import type { Catalog } from '../product-definition.js';
import type { StepContext } from './step-context.js';
import { StepAwaits, StepFailure } from './step-context.js';
import { findTenant } from './tenants.js';

export interface StepImplementation {
  /**
   * Performs the step; returns the payload of the event it emits (nothing for a step without
   * one), or `StepAwaits` when the event comes later from elsewhere.
   */
  run(message: Envelope, context: StepContext): Promise<unknown>;
  /** Undoes the step. Must be idempotent. */
  compensate?(message: Envelope, context: StepContext): Promise<void>;
}

export interface StepEndpointOptions {
  readonly faults: Faults;
  readonly log: Logger;
  /** What the step's `entitlements` and `limits` read the tenant's edition against. */
  readonly catalog: Catalog;
}

export const stepEndpointName = (step: StepDefinition): string => `${step.service}.${step.id}`;

async function contextFor(
  ctx: HandlerContext,
  step: StepDefinition,
  { log, catalog }: StepEndpointOptions,
): Promise<StepContext> {
  const tenant = await findTenant(ctx.tx, ctx.message.tenantId);
  // A message about a tenant nobody registered cannot be processed, now or later.
  if (!tenant)
    throw new PermanentError(`tenant ${ctx.message.tenantId} is not in the tenant directory`);
  return {
    tenant,
    stepId: step.id,
    attempt: ctx.attempt,
    now: ctx.now,
    tx: ctx.tx,
    publish: ctx.publish,
    schedule: ctx.schedule,
    log: withFields(log, messageFields(ctx.message)),
    entitlements: entitlementsOf(ctx.tx, catalog),
    limits: limitsOf(ctx.tx, catalog),
  };
}

/** Runs a step's handler (or compensation) in a span of its own, timed for the metrics. */
function observed<T>(
  ctx: HandlerContext,
  workflow: WorkflowDefinition,
  step: StepDefinition,
  phase: 'run' | 'compensate',
  context: StepContext,
  work: () => Promise<T>,
): Promise<T> {
  if (!ctx.scope) return work();
  return ctx.scope.step(
    {
      workflow: workflow.id,
      step: step.id,
      phase,
      tenantId: context.tenant.tenantId,
      isFailure: (error) => error instanceof StepFailure || error instanceof PermanentError,
    },
    work,
  );
}

export function stepEndpoint(
  workflow: WorkflowDefinition,
  step: StepDefinition,
  implementation: StepImplementation,
  options: StepEndpointOptions,
): EndpointDefinition {
  return {
    name: stepEndpointName(step),
    types: [step.on],
    retry: step.retry,
    async handle(ctx) {
      const fault = options.faults.get(step.id);
      if (fault?.kind === 'hang') {
        options.log.warn(
          { ...messageFields(ctx.message), step: step.id },
          'SAAS_FAULTS: step hangs',
        );
        return;
      }
      const context = await contextFor(ctx, step, options);
      let payload: unknown;
      try {
        payload = await observed(ctx, workflow, step, 'run', context, async () => {
          if (fault?.kind === 'transient' && ctx.attempt <= fault.attempts)
            throw new TransientFault(step.id, ctx.attempt);
          if (fault?.kind === 'fail') throw new StepFailure(`SAAS_FAULTS: step ${step.id} fails`);
          return implementation.run(ctx.message, context);
        });
      } catch (error) {
        if (!(error instanceof StepFailure)) throw error;
        if (step.kind === 'reaction') throw new PermanentError(error.message, { cause: error });
        ctx.publish('StepFailed', {
          workflow: workflow.id,
          workflowId: runIdOf(workflow, ctx.message),
          stepId: step.id,
          errorType: error.name,
          reason: error.message,
        });
        return;
      }
      if (payload instanceof StepAwaits) {
        context.log.info({ step: step.id, awaits: payload.what }, 'step awaits');
        return;
      }
      if (step.emits) publishAs(ctx, step.emits, payload ?? {}, ctx.message.tenantId);
    },
  };
}

export function compensationEndpoint(
  workflow: WorkflowDefinition,
  step: StepDefinition & { readonly compensate: string },
  implementation: StepImplementation,
  options: StepEndpointOptions,
): EndpointDefinition {
  return {
    name: `${stepEndpointName(step)}.compensate`,
    types: [step.compensate],
    retry: step.retry,
    async handle(ctx) {
      const context = await contextFor(ctx, step, options);
      await observed(ctx, workflow, step, 'compensate', context, async () =>
        implementation.compensate?.(ctx.message, context),
      );
      ctx.publish('StepCompensated', {
        workflow: workflow.id,
        workflowId: runIdOf(workflow, ctx.message),
        stepId: step.id,
      });
    },
  };
}

/** Publishes a message whose type is only known at run time; the runtime validates it. */
function publishAs(ctx: HandlerContext, type: string, payload: unknown, tenantId: TenantId): void {
  ctx.publish(type as MessageType, payload as PayloadOf[MessageType], { tenantId });
}
