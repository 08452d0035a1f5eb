/**
 * The state machine of a domain workflow run. The workflow saga (workflow.ts) makes every move
 * through `workflowMachine.next`, so any move not listed here is refused.
 */
import { defineMachine } from './machine.js';
import type { Transition } from './machine.js';

export const workflowStates = ['Running', 'Completed', 'Compensating', 'Failed'] as const;
export type WorkflowState = (typeof workflowStates)[number];

/** The allowed moves: from, to, and the trigger that causes the move. */
export const workflowTransitions = [
  { from: 'Running', to: 'Running', on: 'stepSucceeded' },
  { from: 'Running', to: 'Completed', on: 'allStepsSucceeded' },
  { from: 'Running', to: 'Compensating', on: 'stepFailed' },
  { from: 'Running', to: 'Compensating', on: 'timeout' },
  { from: 'Compensating', to: 'Compensating', on: 'stepCompensated' },
  { from: 'Compensating', to: 'Failed', on: 'allCompensated' },
] as const satisfies readonly Transition<WorkflowState, string>[];

export type WorkflowTrigger = (typeof workflowTransitions)[number]['on'] | 'start';

export const workflowMachine = defineMachine<WorkflowState, WorkflowTrigger>({
  states: workflowStates,
  initial: { to: 'Running', on: 'start' },
  transitions: workflowTransitions,
});

/** Whether the table allows moving a run from `from` to `to`; every other move is refused. */
export const canMoveWorkflow = (from: WorkflowState, to: WorkflowState): boolean =>
  workflowMachine.canMove(from, to);
