/**
 * A domain workflow run (a workflow with `startedBy`) as a pure decision, on the same machinery
 * as onboarding (run.ts): steps, a timeout token, compensation in reverse order of completion.
 * A run is keyed by the correlation id of the command that started it (its `workflowId`), and
 * every move goes through the table of workflow-machine.ts.
 */
import type { Envelope } from '../contracts/envelope.js';
import type { AnyMessage, PayloadOf } from '../contracts/builtins.js';
import type { StepDefinition, WorkflowDefinition } from './definition.js';
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
  stepEmitting,
  timeoutFired,
  unfinishedSteps,
} from './run.js';
import type { RunState } from './run.js';
import { workflowMachine } from './workflow-machine.js';
import type { WorkflowState, WorkflowTrigger } from './workflow-machine.js';

export interface WorkflowRunState extends RunState {
  readonly workflowId: string;
  readonly workflow: string;
  readonly tenantId: string;
  readonly correlationId: string;
  readonly state: WorkflowState;
  readonly failure: { readonly reason: string; readonly step?: string } | null;
}

const move = (
  run: WorkflowRunState,
  on: WorkflowTrigger,
  effects: Effects,
  detail?: Record<string, unknown>,
): WorkflowRunState | undefined => moveBy(workflowMachine, run, on, effects, detail);

const unchanged = (run: WorkflowRunState): Decision<WorkflowRunState> => decided(run, noEffects());

/** Internal messages name their workflow; another workflow's are none of this run's business. */
const ours = (definition: WorkflowDefinition, payload: { workflow: string }): boolean =>
  payload.workflow === definition.id;

export function decideWorkflow(
  definition: WorkflowDefinition,
  current: WorkflowRunState | undefined,
  message: AnyMessage,
  now: Date,
): Decision<WorkflowRunState> {
  if (message.type === definition.trigger) return start(definition, current, message, now);
  if (!current) return { rejected: `no run of workflow \`${definition.id}\` for this message` };
  const step = stepEmitting(definition, message.type);
  if (step) return stepSucceeded(definition, current, step, message.payload);
  switch (message.type) {
    case 'StepFailed': {
      const { payload } = message;
      if (!ours(definition, payload)) return unchanged(current);
      return stepFailed(definition, current, payload);
    }
    case 'StepCompensated': {
      const { payload } = message;
      if (!ours(definition, payload)) return unchanged(current);
      return stepCompensated(definition, current, payload.stepId);
    }
    case 'WorkflowTimeoutElapsed': {
      const { payload } = message;
      if (!ours(definition, payload)) return unchanged(current);
      return timedOut(definition, current, payload.token);
    }
  }
  return { rejected: `\`${message.type}\` is not a message of workflow \`${definition.id}\`` };
}

function start(
  definition: WorkflowDefinition,
  current: WorkflowRunState | undefined,
  message: Envelope,
  now: Date,
): Decision<WorkflowRunState> {
  if (current) return unchanged(current);
  const effects = noEffects();
  const running: WorkflowRunState = {
    ...newRun(definition, message.payload, message.occurredAt),
    workflowId: message.correlationId,
    workflow: definition.id,
    tenantId: message.tenantId,
    correlationId: message.correlationId,
    state: workflowMachine.initial.to,
    failure: null,
  };
  effects.audit.push({
    action: workflowMachine.initial.on,
    fromState: null,
    toState: running.state,
    detail: { workflow: definition.id, workflowId: running.workflowId },
  });
  const armed = armTimeout(running, definition, running.workflowId, now, effects);
  return decided(completeIfDone(definition, armed, effects), effects);
}

function completeIfDone(
  definition: WorkflowDefinition,
  run: WorkflowRunState,
  effects: Effects,
): WorkflowRunState {
  if (!allSucceeded(run, definition)) return run;
  const completed = move(run, 'allStepsSucceeded', effects);
  if (!completed) return run;
  effects.outgoing.push({
    type: 'WorkflowCompleted',
    payload: { workflow: definition.id, workflowId: run.workflowId },
  });
  return disarmTimeout(completed, effects);
}

/** Compensating → Failed once nothing is left to undo. */
function failIfUndone(
  definition: WorkflowDefinition,
  run: WorkflowRunState,
  effects: Effects,
): WorkflowRunState {
  if (run.compensation.length > 0) return run;
  const failed = move(run, 'allCompensated', effects);
  if (!failed) return run;
  effects.outgoing.push({
    type: 'WorkflowFailed',
    payload: {
      workflow: definition.id,
      workflowId: run.workflowId,
      reason: run.failure?.reason ?? 'failed',
    },
  });
  return failed;
}

function fail(
  definition: WorkflowDefinition,
  compensating: WorkflowRunState,
  failure: { reason: string; step?: string },
  effects: Effects,
): WorkflowRunState {
  const stopped = disarmTimeout({ ...compensating, failure }, effects);
  const undoing = compensateCompleted(stopped, definition, failure.reason, effects);
  return failIfUndone(definition, undoing, effects);
}

function stepSucceeded(
  definition: WorkflowDefinition,
  run: WorkflowRunState,
  step: StepDefinition,
  payload: unknown,
): Decision<WorkflowRunState> {
  const recorded = recordSuccess(run, step, payload);
  if (!recorded) return unchanged(run);
  const effects = noEffects();
  const running = move(recorded, 'stepSucceeded', effects, { step: step.id });
  if (running) return decided(completeIfDone(definition, running, effects), effects);
  // Late: the run already failed. What the step did is undone like the rest.
  recordStep(recorded, step.id, 'Succeeded', effects, { late: true });
  const reason = recorded.failure?.reason ?? 'failed';
  return decided(compensateCompleted(recorded, definition, reason, effects), effects);
}

function stepFailed(
  definition: WorkflowDefinition,
  run: WorkflowRunState,
  payload: PayloadOf['StepFailed'],
): Decision<WorkflowRunState> {
  const recorded = recordFailure(run, payload.stepId);
  if (!recorded) return unchanged(run);
  const effects = noEffects();
  const detail = { step: payload.stepId, errorType: payload.errorType, reason: payload.reason };
  const compensating = move(recorded, 'stepFailed', effects, detail);
  if (!compensating) {
    recordStep(recorded, payload.stepId, 'Failed', effects, { late: true, ...detail });
    return decided(recorded, effects);
  }
  const reason = clip(`step \`${payload.stepId}\` failed: ${payload.reason}`);
  return decided(
    fail(definition, compensating, { reason, step: payload.stepId }, effects),
    effects,
  );
}

function timedOut(
  definition: WorkflowDefinition,
  run: WorkflowRunState,
  token: string,
): Decision<WorkflowRunState> {
  if (!isCurrentTimeout(run, token)) return unchanged(run);
  const effects = noEffects();
  const pendingSteps = unfinishedSteps(run, definition);
  const compensating = move(timeoutFired(run), 'timeout', effects, {
    timeoutMs: definition.timeoutMs,
    pendingSteps,
  });
  if (!compensating) return unchanged(run);
  const reason = clip(
    `timed out after ${definition.timeoutMs} ms waiting for ${pendingSteps.join(', ')}`,
  );
  return decided(fail(definition, compensating, { reason }, effects), effects);
}

function stepCompensated(
  definition: WorkflowDefinition,
  run: WorkflowRunState,
  stepId: string,
): Decision<WorkflowRunState> {
  const effects = noEffects();
  const recorded = recordCompensated(run, definition, stepId, effects);
  if (!recorded) return unchanged(run);
  const compensating = move(recorded, 'stepCompensated', effects, { step: stepId });
  if (!compensating) {
    // A late success of the failed run was undone after the run had already failed.
    recordStep(recorded, stepId, 'Compensated', effects);
    return decided(recorded, effects);
  }
  return decided(failIfUndone(definition, compensating, effects), effects);
}
