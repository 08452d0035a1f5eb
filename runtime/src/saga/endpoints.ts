/**
 * The sagas as endpoints of the runtime. The decision is pure (onboarding.ts, workflow.ts); this
 * is the glue that does what it decided, inside the one store transaction the runtime opens per
 * message: load the instance, save it with the version it was loaded at (a concurrent change
 * throws `ConcurrencyConflict` and the runtime retries the message), publish and schedule, cancel
 * the timeout, append the audit entries and announce each one with `AuditEntryRecorded`.
 */
import type { TenantId } from '../contracts/envelope.js';
import { newId } from '../contracts/envelope.js';
import type { MessageType, PayloadOf } from '../contracts/builtins.js';
import type { EndpointDefinition, HandlerContext } from '../runtime/handler.js';
import type { RunOutcome } from '../runtime/observer.js';
import { runIdOf } from './definition.js';
import type {
  OnboardingDefinition,
  RetryPolicy,
  StepDefinition,
  WorkflowDefinition,
} from './definition.js';
import type { AuditNote, Decision, Outgoing } from './effects.js';
import { decide } from './onboarding.js';
import type { OnboardingState } from './onboarding.js';
import { slugScope } from '../services/sign-up.js';
import { findTenant } from '../services/tenants.js';
import { tenantCommands } from './tenant-commands.js';
import { decideWorkflow } from './workflow.js';
import type { WorkflowRunState } from './workflow.js';

export {
  commandAllowed,
  commandRefusal,
  editionRefusal,
  tenantCommands,
} from './tenant-commands.js';
export type { TenantCommand } from './tenant-commands.js';

/** Saga record types in the store: one `tenant` per tenant, one `workflow` per domain run. */
export const tenantSagaType = 'tenant';
export const workflowSagaType = 'workflow';

export interface SagaEndpointOptions {
  /** The endpoint that runs a step's handler: a re-run after an operator retry goes to it alone. */
  readonly stepEndpoint: (step: StepDefinition) => string;
  readonly retry?: RetryPolicy;
  readonly concurrency?: number;
}

/**
 * A conflicting save only means that another message of the same instance won the race, so it
 * is retried soon and often.
 */
export const sagaRetry: RetryPolicy = {
  attempts: 10,
  backoff: 'exponential',
  initialDelayMs: 10,
  maxDelayMs: 1000,
};

/** Messages that name their workflow and run in the payload. */
const internal = new Set(['StepFailed', 'StepCompensated', 'WorkflowTimeoutElapsed']);

interface RunAddress {
  readonly workflow: string;
  readonly workflowId: string;
}

const addressOf = (payload: unknown): RunAddress => payload as RunAddress;

const sorted = (types: readonly (string | null)[]): string[] =>
  [...new Set(types.filter((type): type is string => type !== null))].sort();

export function onboardingSagaEndpoint(
  definition: OnboardingDefinition,
  options: SagaEndpointOptions & { readonly name?: string },
): EndpointDefinition {
  const { workflow, lifecycle } = definition;
  const name = options.name ?? 'tenant-management';
  return {
    name,
    types: sorted([
      workflow.trigger,
      ...workflow.steps.map((step) => step.emits),
      ...internal,
      ...Object.keys(tenantCommands),
      'ChangeEdition',
      // A change to a paid edition waits for it, whatever `lifecycle` says.
      'PaymentSettled',
      ...lifecycle.suspendOn,
      ...lifecycle.reinstateOn,
    ]),
    retry: options.retry ?? sagaRetry,
    concurrency: options.concurrency,
    async handle(ctx) {
      const { message } = ctx;
      if (internal.has(message.type) && addressOf(message.payload).workflow !== workflow.id) return;
      const moved = await run<OnboardingState>(
        ctx,
        {
          type: tenantSagaType,
          id: message.tenantId,
          endpoint: name,
          workflow,
          stepEndpoint: options.stepEndpoint,
        },
        (state) => decide(definition, state, message, ctx.now),
      );
      if (moved?.from === undefined && moved?.to !== undefined) await provisionSpace(ctx);
      // A tenant closed before it was ever Active gives its slug back: a failed sign-up must not
      // hold a name forever. (Only ProvisioningFailed leads there without passing Active.)
      if (moved?.from === 'ProvisioningFailed' && moved.to === 'Decommissioned')
        await releaseSlug(ctx);
    },
  };
}

/**
 * The first act of provisioning, in the transaction that starts the onboarding: the place the
 * tenant's records will live (its own schema on PostgreSQL under `schema` isolation), so that it
 * exists before any step runs. Nothing to undo on failure: a retry reuses it, and the records of
 * compensated steps in it are marked undone, not deleted.
 */
async function provisionSpace(ctx: HandlerContext): Promise<void> {
  const space = await ctx.tx.provisionTenantSpace(ctx.message.tenantId);
  if (!space) return;
  await audit(ctx, {
    action: 'tenantSpaceProvisioned',
    fromState: null,
    toState: null,
    detail: { isolation: 'schema', space },
  });
}

async function releaseSlug(ctx: HandlerContext): Promise<void> {
  const { tenantId } = ctx.message;
  const tenant = await findTenant(ctx.tx, tenantId);
  if (!tenant || !(await ctx.tx.releaseUnique(slugScope, tenant.slug, tenantId))) return;
  await audit(ctx, {
    action: 'slugReleased',
    fromState: null,
    toState: null,
    detail: { slug: tenant.slug },
  });
}

/** One endpoint per domain workflow (onboarding has its own, above). */
export function workflowSagaEndpoints(
  definitions: Iterable<WorkflowDefinition>,
  options: SagaEndpointOptions,
): EndpointDefinition[] {
  return [...definitions]
    .filter((definition) => definition.kind === 'domain')
    .map((definition) => workflowSagaEndpoint(definition, options));
}

export function workflowSagaEndpoint(
  definition: WorkflowDefinition,
  options: SagaEndpointOptions & { readonly name?: string },
): EndpointDefinition {
  const name = options.name ?? `tenant-management.${definition.id}`;
  return {
    name,
    types: sorted([definition.trigger, ...definition.steps.map((step) => step.emits), ...internal]),
    retry: options.retry ?? sagaRetry,
    concurrency: options.concurrency,
    async handle(ctx) {
      const { message } = ctx;
      let id = runIdOf(definition, message);
      if (internal.has(message.type)) {
        const address = addressOf(message.payload);
        if (address.workflow !== definition.id) return;
        id = address.workflowId;
      }
      await run<WorkflowRunState>(
        ctx,
        {
          type: workflowSagaType,
          id,
          endpoint: name,
          workflow: definition,
          stepEndpoint: options.stepEndpoint,
        },
        (state) => decideWorkflow(definition, state, message, ctx.now),
      );
    },
  };
}

interface Instance {
  readonly type: string;
  readonly id: string;
  /** This saga's endpoint: its timeouts come back to it alone. */
  readonly endpoint: string;
  readonly workflow: WorkflowDefinition;
  readonly stepEndpoint: (step: StepDefinition) => string;
}

/** Carries out the decision; says which state it moved from and to, when it was not refused. */
async function run<
  State extends { readonly state: string; readonly tenantId: string; readonly startedAt?: string },
>(
  ctx: HandlerContext,
  instance: Instance,
  decideFor: (state: State | undefined) => Decision<State>,
): Promise<{ from: string | undefined; to: string } | undefined> {
  const record = await ctx.tx.loadSaga<State>(instance.type, instance.id);
  const decision = decideFor(record?.state);
  ctx.scope?.annotate({
    'saas.saga': instance.type,
    'saas.state.begin': record?.state.state ?? 'none',
    'saas.state.end':
      'rejected' in decision ? (record?.state.state ?? 'none') : decision.state.state,
  });
  if ('rejected' in decision) {
    // A forbidden move asked for by a message (not by the API, which asks first) is ignored.
    const state = record?.state.state ?? null;
    await audit(ctx, {
      action: 'rejected',
      fromState: state,
      toState: state,
      detail: { message: ctx.message.type, reason: decision.rejected },
    });
    return undefined;
  }
  if (decision.state !== record?.state) {
    await ctx.tx.saveSaga(
      {
        type: instance.type,
        id: instance.id,
        tenantId: decision.state.tenantId,
        state: decision.state,
      },
      record?.version ?? 0,
    );
  }
  for (const id of decision.cancel) await ctx.tx.cancelScheduled(id);
  for (const timeout of decision.schedule) {
    ctx.schedule(timeout.type, timeout.payload, {
      dueAt: new Date(timeout.dueAt),
      id: timeout.id,
      endpoint: instance.endpoint,
    });
  }
  for (const message of decision.outgoing) send(ctx, instance, message);
  for (const note of decision.audit) await audit(ctx, note);
  reportRun(ctx, instance.workflow.id, record === undefined, decision);
  return { from: record?.state.state, to: decision.state.state };
}

/** The moves that end a run, by their trigger: the same in the tenant's and a workflow's machine. */
const runEnds: Readonly<Partial<Record<string, RunOutcome>>> = {
  allStepsSucceeded: 'completed',
  stepFailed: 'failed',
  timeout: 'timed_out',
};

/** Tells the delivery's observer that this decision started or ended a run (for its metrics). */
function reportRun(
  ctx: HandlerContext,
  workflow: string,
  started: boolean,
  decision: {
    readonly state: { readonly startedAt?: string };
    readonly audit: readonly AuditNote[];
  },
): void {
  const report = ctx.scope?.run?.bind(ctx.scope);
  if (!report) return;
  if (started) report({ kind: 'started', workflow });
  const outcome = decision.audit.map((note) => runEnds[note.action]).find(Boolean);
  if (!outcome) return;
  const { startedAt } = decision.state;
  const seconds =
    startedAt === undefined
      ? undefined
      : Math.max(0, ctx.now.getTime() - Date.parse(startedAt)) / 1000;
  report({ kind: 'ended', workflow, outcome, seconds });
}

function send(ctx: HandlerContext, instance: Instance, message: Outgoing): void {
  // The decision speaks of message types as data; the runtime validates each payload anyway.
  const type = message.type as MessageType;
  const payload = message.payload as PayloadOf[MessageType];
  const step = message.step
    ? instance.workflow.steps.find((candidate) => candidate.id === message.step)
    : undefined;
  if (step) {
    ctx.schedule(type, payload, { dueAt: ctx.now, endpoint: instance.stepEndpoint(step) });
    return;
  }
  ctx.publish(type, payload, message.tenantId ? { tenantId: message.tenantId as TenantId } : {});
}

async function audit(ctx: HandlerContext, note: AuditNote): Promise<void> {
  const id = newId();
  const { message } = ctx;
  await ctx.tx.appendAudit({
    id,
    tenantId: message.tenantId,
    correlationId: message.correlationId,
    causationId: message.eventId,
    action: note.action,
    fromState: note.fromState,
    toState: note.toState,
    detail: note.detail,
    at: ctx.now.toISOString(),
  });
  ctx.publish('AuditEntryRecorded', {
    entryId: id,
    action: note.action,
    ...(note.fromState === null ? {} : { fromState: note.fromState }),
    ...(note.toState === null ? {} : { toState: note.toState }),
  });
}
