/**
 * The tenant-onboarding saga as a pure decision: `decide(definition, state, message, now)`
 * returns the tenant's next state and what to send, or a refusal; endpoints.ts does the effects.
 * Every move of the tenant goes through the table of tenant-machine.ts, which is what refuses
 * the forbidden ones.
 *
 * Operator retry (`RetryProvisioning`) re-runs only the steps that did not succeed: the saga
 * keeps the trigger's payload and each succeeded step's event payload, and sends each unfinished
 * step whose trigger already happened that trigger again, to that step's endpoint alone (see
 * `rerunUnfinished`). Steps further down the chain start from the re-run steps' events, as the
 * first time. A retry is refused while compensations of the failed attempt are still running,
 * so that no step is undone and redone at once.
 */
import type { AnyMessage, PayloadOf, TenantRegistered } from '../contracts/builtins.js';
import type { OnboardingDefinition, StepDefinition } from './definition.js';
import { decided, moveBy, noEffects, recordStep } from './effects.js';
import type { Decision, Effects } from './effects.js';
import { clip } from './payloads.js';
import {
  allSucceeded,
  armTimeout,
  compensateCompleted,
  disarmTimeout,
  isCurrentTimeout,
  newRun,
  recordCompensated,
  recordFailure,
  recordSuccess,
  rerunUnfinished,
  stepEmitting,
  timeoutFired,
  unfinishedSteps,
} from './run.js';
import type { RunState } from './run.js';
import { editionRefusal, tenantCommands, triggerRefusal } from './tenant-commands.js';
import { tenantMachine } from './tenant-machine.js';
import type { TenantState, TenantTrigger } from './tenant-machine.js';

export interface OnboardingState extends RunState {
  readonly tenantId: string;
  /** Shared by every message of this onboarding. */
  readonly correlationId: string;
  readonly slug: string;
  readonly name: string;
  readonly edition: string;
  readonly owner: { readonly email: string; readonly name: string };
  readonly state: TenantState;
  /** Why the last attempt failed; cleared by a retry. */
  readonly failure: { readonly reason: string; readonly step?: string } | null;
  /** A change to a paid edition, waiting for its payment; absent in states saved by 0.3.0. */
  readonly pendingEdition?: PendingEdition | null;
}

/**
 * An edition change that waits for `PaymentSettled`. It expires after the onboarding timeout,
 * by a scheduled `WorkflowTimeoutElapsed` that carries its token.
 */
export interface PendingEdition {
  readonly edition: string;
  readonly token: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
}

export function decide(
  definition: OnboardingDefinition,
  current: OnboardingState | undefined,
  message: AnyMessage,
  now: Date,
): Decision<OnboardingState> {
  const { workflow, lifecycle } = definition;
  if (message.type === 'TenantRegistered') return register(definition, current, message, now);
  if (!current) return { rejected: `tenant ${message.tenantId} has no onboarding` };
  const step = stepEmitting(workflow, message.type);
  if (step) return stepSucceeded(definition, current, step, message.payload);
  switch (message.type) {
    case 'StepFailed':
      return stepFailed(definition, current, message.payload);
    case 'StepCompensated':
      return stepCompensated(definition, current, message.payload);
    case 'WorkflowTimeoutElapsed':
      return timedOut(definition, current, message.payload);
    case 'RetryProvisioning':
      return retry(definition, current, now);
    case 'ChangeEdition':
      return changeEdition(definition, current, message.payload.edition, message.eventId, now);
    case 'PaymentSettled':
      return paymentSettled(definition, current, message.type, message.payload.invoiceId);
    case 'SuspendTenant':
    case 'ReinstateTenant':
    case 'DecommissionTenant': {
      const on = tenantCommands[message.type];
      return lifecycleMove(definition, current, on, message.payload.reason, message.type);
    }
  }
  if (lifecycle.suspendOn.includes(message.type))
    return lifecycleMove(definition, current, 'suspend', reasonOf(message), message.type);
  if (lifecycle.reinstateOn.includes(message.type))
    return lifecycleMove(definition, current, 'reinstate', message.type, message.type);
  return { rejected: `\`${message.type}\` is not a message of the onboarding saga` };
}

/** Moves the tenant if the table allows it, with the audit entry; `undefined` if it does not. */
const move = (
  tenant: OnboardingState,
  on: TenantTrigger,
  effects: Effects,
  detail?: Record<string, unknown>,
): OnboardingState | undefined => moveBy(tenantMachine, tenant, on, effects, detail);

/** A move the caller has already checked; failing here is a bug in this file. */
function mustMove(
  tenant: OnboardingState,
  on: TenantTrigger,
  effects: Effects,
  detail?: Record<string, unknown>,
): OnboardingState {
  const moved = move(tenant, on, effects, detail);
  if (!moved) throw new Error(`bug: the onboarding saga tried \`${on}\` from ${tenant.state}`);
  return moved;
}

const unchanged = (tenant: OnboardingState): Decision<OnboardingState> =>
  decided(tenant, noEffects());

function register(
  definition: OnboardingDefinition,
  current: OnboardingState | undefined,
  message: TenantRegistered,
  now: Date,
): Decision<OnboardingState> {
  // A second registration of the same tenant is a redelivery: the onboarding is under way.
  if (current) return unchanged(current);
  const { payload } = message;
  const effects = noEffects();
  const registered: OnboardingState = {
    ...newRun(definition.workflow, payload, message.occurredAt),
    tenantId: message.tenantId,
    correlationId: message.correlationId,
    slug: payload.slug,
    name: payload.name,
    edition: payload.edition,
    owner: { email: payload.ownerEmail, name: payload.ownerName },
    state: tenantMachine.initial.to,
    failure: null,
  };
  effects.audit.push({
    action: tenantMachine.initial.on,
    fromState: null,
    toState: registered.state,
    detail: { slug: payload.slug, edition: payload.edition },
  });
  const provisioning = mustMove(registered, 'startProvisioning', effects, {
    steps: definition.workflow.steps.map((step) => step.id),
  });
  const armed = armTimeout(provisioning, definition.workflow, provisioning.tenantId, now, effects);
  return decided(completeIfDone(definition, armed, effects), effects);
}

/** Provisioning → Active once every awaited step succeeded. */
function completeIfDone(
  definition: OnboardingDefinition,
  tenant: OnboardingState,
  effects: Effects,
): OnboardingState {
  if (!allSucceeded(tenant, definition.workflow)) return tenant;
  const active = move(tenant, 'allStepsSucceeded', effects);
  if (!active) return tenant;
  effects.outgoing.push({ type: 'TenantProvisioned', payload: { edition: tenant.edition } });
  return disarmTimeout(active, effects);
}

function stepSucceeded(
  definition: OnboardingDefinition,
  tenant: OnboardingState,
  step: StepDefinition,
  payload: unknown,
): Decision<OnboardingState> {
  const recorded = recordSuccess(tenant, step, payload);
  if (!recorded) return unchanged(tenant);
  const effects = noEffects();
  const provisioning = move(recorded, 'stepSucceeded', effects, { step: step.id });
  if (provisioning) return decided(completeIfDone(definition, provisioning, effects), effects);
  // Late: the tenant failed or was closed meanwhile. What the step did is undone like the rest.
  recordStep(recorded, step.id, 'Succeeded', effects, { late: true });
  if (recorded.state !== 'ProvisioningFailed' && recorded.state !== 'Decommissioned')
    return decided(recorded, effects);
  const reason = recorded.failure?.reason ?? 'tenant decommissioned';
  return decided(compensateCompleted(recorded, definition.workflow, reason, effects), effects);
}

/** The attempt failed: stop waiting, say so, and undo what succeeded, latest first. */
function fail(
  definition: OnboardingDefinition,
  failed: OnboardingState,
  failure: { reason: string; step?: string },
  effects: Effects,
): OnboardingState {
  const stopped = disarmTimeout({ ...failed, failure }, effects);
  return compensateCompleted(stopped, definition.workflow, failure.reason, effects);
}

function stepFailed(
  definition: OnboardingDefinition,
  tenant: OnboardingState,
  payload: PayloadOf['StepFailed'],
): Decision<OnboardingState> {
  if (payload.workflow !== definition.workflow.id) return unchanged(tenant);
  const recorded = recordFailure(tenant, payload.stepId);
  if (!recorded) return unchanged(tenant);
  const effects = noEffects();
  const reason = clip(`step \`${payload.stepId}\` failed: ${payload.reason}`);
  const detail = { step: payload.stepId, errorType: payload.errorType, reason: payload.reason };
  const failed = move(recorded, 'stepFailed', effects, detail);
  if (!failed) {
    recordStep(recorded, payload.stepId, 'Failed', effects, { late: true, ...detail });
    return decided(recorded, effects);
  }
  effects.outgoing.push({
    type: 'TenantProvisioningFailed',
    payload: { reason, failedStep: payload.stepId },
  });
  return decided(fail(definition, failed, { reason, step: payload.stepId }, effects), effects);
}

function timedOut(
  definition: OnboardingDefinition,
  tenant: OnboardingState,
  payload: PayloadOf['WorkflowTimeoutElapsed'],
): Decision<OnboardingState> {
  if (payload.workflow !== definition.workflow.id) return unchanged(tenant);
  if (tenant.pendingEdition?.token === payload.token) return editionExpired(tenant);
  // A timeout of an earlier round, a duplicate, or one that lost the race with completion.
  if (!isCurrentTimeout(tenant, payload.token)) return unchanged(tenant);
  const effects = noEffects();
  const { timeoutMs } = definition.workflow;
  const pendingSteps = unfinishedSteps(tenant, definition.workflow);
  const failed = move(timeoutFired(tenant), 'timeout', effects, { timeoutMs, pendingSteps });
  if (!failed) return unchanged(tenant);
  const reason = clip(`timed out after ${timeoutMs} ms waiting for ${pendingSteps.join(', ')}`);
  effects.outgoing.push({
    type: 'TenantProvisioningTimedOut',
    payload: { timeoutMs, pendingSteps },
  });
  return decided(fail(definition, failed, { reason }, effects), effects);
}

function stepCompensated(
  definition: OnboardingDefinition,
  tenant: OnboardingState,
  payload: PayloadOf['StepCompensated'],
): Decision<OnboardingState> {
  if (payload.workflow !== definition.workflow.id) return unchanged(tenant);
  const effects = noEffects();
  const next = recordCompensated(tenant, definition.workflow, payload.stepId, effects);
  if (!next) return unchanged(tenant);
  recordStep(next, payload.stepId, 'Compensated', effects);
  return decided(next, effects);
}

function retry(
  definition: OnboardingDefinition,
  tenant: OnboardingState,
  now: Date,
): Decision<OnboardingState> {
  const refused = triggerRefusal(tenant, 'retry');
  if (refused) return { rejected: refused };
  const effects = noEffects();
  const rerun = unfinishedSteps(tenant, definition.workflow);
  const provisioning = mustMove({ ...tenant, failure: null }, 'retry', effects, {
    round: tenant.round + 1,
    steps: rerun,
  });
  const next = rerunUnfinished(provisioning, definition.workflow, effects);
  const armed = armTimeout(next, definition.workflow, next.tenantId, now, effects);
  return decided(completeIfDone(definition, armed, effects), effects);
}

const announcements = {
  suspend: 'TenantSuspended',
  reinstate: 'TenantReinstated',
  decommission: 'TenantDecommissioned',
} as const;

/** Suspend, reinstate or decommission, by an operator's command or a lifecycle event. */
function lifecycleMove(
  definition: OnboardingDefinition,
  tenant: OnboardingState,
  on: keyof typeof announcements,
  reason: string | undefined,
  cause: string,
): Decision<OnboardingState> {
  const refused = triggerRefusal(tenant, on);
  if (refused) return { rejected: refused };
  const effects = noEffects();
  const moved = mustMove(tenant, on, effects, { cause, ...(reason ? { reason } : {}) });
  effects.outgoing.push({ type: announcements[on], payload: reason ? { reason } : {} });
  if (on !== 'decommission') return decided(moved, effects);
  const why = clip(`tenant decommissioned${reason ? `: ${reason}` : ''}`);
  return decided(compensateCompleted(moved, definition.workflow, why, effects), effects);
}

/** What a lifecycle event says of itself (`PaymentPastDue` at a trial's end), else its type. */
function reasonOf(message: AnyMessage): string {
  const { reason } = message.payload as { readonly reason?: unknown };
  return typeof reason === 'string' && reason !== '' ? reason : message.type;
}

/**
 * An operator's edition change: not a move of the tenant machine, but audited like one, and
 * announced with `EditionChanged` so that configuration re-applies the entitlements and billing
 * moves the subscription. A change to a paid edition waits for its payment (`pendingEdition`),
 * for as long as an onboarding may take; a newer change replaces a waiting one.
 */
function changeEdition(
  definition: OnboardingDefinition,
  tenant: OnboardingState,
  edition: string,
  eventId: string,
  now: Date,
): Decision<OnboardingState> {
  const refused = editionRefusal(tenant);
  if (refused) return { rejected: refused };
  const pending = tenant.pendingEdition ?? null;
  const effects = noEffects();
  if (pending) effects.cancel.push(pending.token);
  if (edition === tenant.edition) {
    if (!pending) return unchanged(tenant);
    effects.audit.push({
      action: 'editionChangeWithdrawn',
      fromState: tenant.state,
      toState: tenant.state,
      detail: { edition: pending.edition },
    });
    return decided({ ...tenant, pendingEdition: null }, effects);
  }
  if (definition.paymentTerms?.[edition] === 'paid') {
    const { workflow } = definition;
    const token = `edition:${tenant.tenantId}:${eventId}`;
    const expiresAt = new Date(now.getTime() + workflow.timeoutMs).toISOString();
    effects.schedule.push({
      type: 'WorkflowTimeoutElapsed',
      payload: { workflow: workflow.id, workflowId: tenant.tenantId, token },
      dueAt: expiresAt,
      id: token,
    });
    effects.audit.push({
      action: 'editionChangeAwaitingPayment',
      fromState: tenant.state,
      toState: tenant.state,
      detail: { from: tenant.edition, to: edition, expiresAt },
    });
    const waiting = { edition, token, requestedAt: now.toISOString(), expiresAt };
    return decided({ ...tenant, pendingEdition: waiting }, effects);
  }
  return decided(moveEdition({ ...tenant, pendingEdition: null }, edition, effects), effects);
}

function moveEdition(
  tenant: OnboardingState,
  edition: string,
  effects: Effects,
  detail: Record<string, unknown> = {},
): OnboardingState {
  effects.audit.push({
    action: 'editionChanged',
    fromState: tenant.state,
    toState: tenant.state,
    detail: { from: tenant.edition, to: edition, ...detail },
  });
  effects.outgoing.push({ type: 'EditionChanged', payload: { from: tenant.edition, to: edition } });
  return { ...tenant, edition };
}

/** A change to a paid edition whose payment never came: the tenant keeps its edition. */
function editionExpired(tenant: OnboardingState): Decision<OnboardingState> {
  const pending = tenant.pendingEdition!;
  const effects = noEffects();
  effects.audit.push({
    action: 'editionChangeExpired',
    fromState: tenant.state,
    toState: tenant.state,
    detail: { edition: pending.edition, requestedAt: pending.requestedAt },
  });
  return decided({ ...tenant, pendingEdition: null }, effects);
}

/**
 * A payment settled. It completes a change to a paid edition that waited for it, reinstates a
 * Suspended tenant when `lifecycle.reinstateOn` names it, and is otherwise noted on the timeline
 * (billing, which receives it too, completes a subscription that awaited it).
 */
function paymentSettled(
  definition: OnboardingDefinition,
  tenant: OnboardingState,
  type: string,
  invoiceId: string | undefined,
): Decision<OnboardingState> {
  const effects = noEffects();
  const pending = tenant.pendingEdition ?? null;
  let next = tenant;
  if (pending && editionRefusal(tenant) === null) {
    effects.cancel.push(pending.token);
    next = moveEdition({ ...tenant, pendingEdition: null }, pending.edition, effects, {
      paid: true,
    });
  }
  const reinstates = definition.lifecycle.reinstateOn.includes(type);
  if (reinstates && next.state === 'Suspended') {
    next = mustMove(next, 'reinstate', effects, { cause: type, reason: type });
    effects.outgoing.push({ type: 'TenantReinstated', payload: { reason: type } });
    return decided(next, effects);
  }
  if (next !== tenant) return decided(next, effects);
  if (tenant.state === 'Provisioning' || tenant.state === 'Active') {
    effects.audit.push({
      action: 'paymentSettled',
      fromState: tenant.state,
      toState: tenant.state,
      detail: invoiceId === undefined ? {} : { invoiceId },
    });
    return decided(tenant, effects);
  }
  if (reinstates) return lifecycleMove(definition, tenant, 'reinstate', type, type);
  return unchanged(tenant);
}
