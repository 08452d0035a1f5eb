/**
 * What the onboarding saga and the domain workflow sagas share: the bookkeeping of one run of a
 * workflow's steps, its compensation queue and its timeout token. Pure: each function takes a
 * state and returns the next one, and notes the messages to send in an `Effects` accumulator
 * that the caller owns; nothing here reads a clock or a store.
 */
import type { StepDefinition, WorkflowDefinition } from './definition.js';
import type { Effects } from './effects.js';
import { compensationPayload } from './payloads.js';

export type StepStatus = 'Pending' | 'Succeeded' | 'Failed' | 'Compensated';

export interface Timeout {
  /** Also the id of the scheduled `WorkflowTimeoutElapsed`, so that it can be cancelled. */
  readonly token: string;
  readonly dueAt: string;
}

export interface QueuedCompensation {
  readonly step: string;
  readonly reason: string;
}

export interface RunState {
  readonly steps: Readonly<Record<string, StepStatus>>;
  /** The steps that are `Succeeded`, in the order they succeeded. */
  readonly completed: readonly string[];
  /**
   * Steps still to undo, next first. The first one's command is in flight: compensations run
   * one at a time, the next one after the previous one's `StepCompensated`.
   */
  readonly compensation: readonly QueuedCompensation[];
  /** The timeout in force; a `WorkflowTimeoutElapsed` carrying any other token is stale. */
  readonly timeout: Timeout | null;
  /** 1, plus one per operator retry. Part of the timeout token. */
  readonly round: number;
  /** The trigger's payload and each succeeded step's event payload: inputs of re-runs and undos. */
  readonly input: unknown;
  readonly results: Readonly<Record<string, unknown>>;
  /**
   * When the run was asked for (its trigger's `occurredAt`: the sign-up, for the onboarding), for
   * the duration metric. Absent in runs saved by an earlier version of the product.
   */
  readonly startedAt?: string;
}

export function newRun(
  definition: WorkflowDefinition,
  input: unknown,
  startedAt: string,
): RunState {
  return {
    steps: Object.fromEntries(definition.steps.map((step) => [step.id, 'Pending' as const])),
    completed: [],
    compensation: [],
    timeout: null,
    round: 1,
    input,
    results: {},
    startedAt,
  };
}

/** The awaited step whose success `type` reports (reactions are not awaited). */
export const stepEmitting = (definition: WorkflowDefinition, type: string) =>
  definition.steps.find((step) => step.emits === type);

export const stepById = (definition: WorkflowDefinition, id: string) =>
  definition.steps.find((step) => step.id === id);

export const allSucceeded = (run: RunState, definition: WorkflowDefinition): boolean =>
  definition.steps.every((step) => run.steps[step.id] === 'Succeeded');

export const unfinishedSteps = (run: RunState, definition: WorkflowDefinition): string[] =>
  definition.steps.filter((step) => run.steps[step.id] !== 'Succeeded').map((step) => step.id);

/**
 * Records a step's event. A step counts once: a duplicate, or the event of a step that was
 * already undone, changes nothing (`undefined`). A step that had reported failure may still
 * succeed late (its dead letter was replayed): that success is recorded.
 */
export function recordSuccess<S extends RunState>(
  run: S,
  step: StepDefinition,
  payload: unknown,
): S | undefined {
  const status = run.steps[step.id];
  if (status !== 'Pending' && status !== 'Failed') return undefined;
  return {
    ...run,
    steps: { ...run.steps, [step.id]: 'Succeeded' },
    completed: [...run.completed, step.id],
    results: { ...run.results, [step.id]: payload },
  };
}

/** Records an irrecoverable failure of a step that was still pending; anything else is stale. */
export function recordFailure<S extends RunState>(run: S, stepId: string): S | undefined {
  if (run.steps[stepId] !== 'Pending') return undefined;
  return { ...run, steps: { ...run.steps, [stepId]: 'Failed' } };
}

/** Arms a new timeout (its token names the workflow, the instance and the round). */
export function armTimeout<S extends RunState>(
  run: S,
  definition: WorkflowDefinition,
  instanceId: string,
  now: Date,
  effects: Effects,
): S {
  if (run.timeout) effects.cancel.push(run.timeout.token);
  const token = `${definition.id}:${instanceId}:${run.round}`;
  const dueAt = new Date(now.getTime() + definition.timeoutMs).toISOString();
  effects.schedule.push({
    type: 'WorkflowTimeoutElapsed',
    payload: { workflow: definition.id, workflowId: instanceId, token },
    dueAt,
    id: token,
  });
  return { ...run, timeout: { token, dueAt } };
}

/** Cancels the timeout in force, if any: the run finished or failed before it fired. */
export function disarmTimeout<S extends RunState>(run: S, effects: Effects): S {
  if (!run.timeout) return run;
  effects.cancel.push(run.timeout.token);
  return { ...run, timeout: null };
}

/** Whether a fired timeout is the one in force (a late or duplicate one is not). */
export const isCurrentTimeout = (run: RunState, token: string): boolean =>
  run.timeout !== null && run.timeout.token === token;

/** Forgets the timeout that just fired; there is nothing left to cancel. */
export const timeoutFired = <S extends RunState>(run: S): S => ({ ...run, timeout: null });

const compensatable = (definition: WorkflowDefinition, id: string): boolean =>
  Boolean(stepById(definition, id)?.compensate);

/**
 * Queues the undo of every succeeded step that has a `compensate` command and is not queued
 * yet, latest completion first, behind the one in flight (which cannot be recalled). Also used
 * for a step that succeeds after its run failed: it completed last, so it is undone next. Sends
 * the first command when none was in flight.
 */
export function compensateCompleted<S extends RunState>(
  run: S,
  definition: WorkflowDefinition,
  reason: string,
  effects: Effects,
): S {
  const [inFlight] = run.compensation;
  const reasons = new Map(run.compensation.map((entry) => [entry.step, entry.reason]));
  const rest = [...run.completed]
    .reverse()
    .filter((id) => id !== inFlight?.step && compensatable(definition, id))
    .map((id) => ({ step: id, reason: reasons.get(id) ?? reason }));
  const next = { ...run, compensation: inFlight ? [inFlight, ...rest] : rest };
  if (!inFlight && rest[0]) sendCompensation(next, definition, rest[0], effects);
  return next;
}

/**
 * Records that the compensation in flight finished and sends the next one. Any other
 * `StepCompensated` (a duplicate) changes nothing (`undefined`).
 */
export function recordCompensated<S extends RunState>(
  run: S,
  definition: WorkflowDefinition,
  stepId: string,
  effects: Effects,
): S | undefined {
  const [head, ...rest] = run.compensation;
  if (head?.step !== stepId) return undefined;
  const next = {
    ...run,
    steps: { ...run.steps, [stepId]: 'Compensated' as const },
    completed: run.completed.filter((id) => id !== stepId),
    compensation: rest,
  };
  if (rest[0]) sendCompensation(next, definition, rest[0], effects);
  return next;
}

function sendCompensation(
  run: RunState,
  definition: WorkflowDefinition,
  entry: QueuedCompensation,
  effects: Effects,
): void {
  const step = stepById(definition, entry.step);
  if (!step?.compensate) return;
  const sources = [run.results[entry.step], run.input];
  effects.outgoing.push({
    type: step.compensate,
    payload: compensationPayload(step.compensateFields, sources, entry.reason),
  });
}

/**
 * Starts another round: every step that did not succeed is pending again, and each one whose
 * trigger already happened gets that message again, delivered to its own endpoint only, so no
 * succeeded step runs twice. A step triggered by a step that is itself re-run is not sent
 * anything: the re-run step's event will trigger it, as it did the first time.
 */
export function rerunUnfinished<S extends RunState>(
  run: S,
  definition: WorkflowDefinition,
  effects: Effects,
): S {
  const unfinished = definition.steps.filter((step) => run.steps[step.id] !== 'Succeeded');
  for (const step of unfinished) {
    const trigger = triggerPayload(run, definition, step);
    if (trigger.ready)
      effects.outgoing.push({ type: step.on, payload: trigger.payload, step: step.id });
  }
  return {
    ...run,
    round: run.round + 1,
    steps: {
      ...run.steps,
      ...Object.fromEntries(unfinished.map((s) => [s.id, 'Pending' as const])),
    },
  };
}

function triggerPayload(
  run: RunState,
  definition: WorkflowDefinition,
  step: StepDefinition,
): { ready: true; payload: unknown } | { ready: false } {
  if (step.on === definition.trigger) return { ready: true, payload: run.input };
  const emitter = definition.steps.find((other) => other.emits === step.on);
  if (!emitter || run.steps[emitter.id] !== 'Succeeded') return { ready: false };
  return { ready: true, payload: run.results[emitter.id] };
}
