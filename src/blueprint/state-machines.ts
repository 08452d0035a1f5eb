/**
 * The state machines every generated product runs (the tenant's lifecycle and a domain workflow
 * run's), as data. This is their one source: the product's `src/saga/tenant-machine.ts` and
 * `src/saga/workflow-machine.ts` are rendered from these tables, and so are the diagrams in its
 * `docs/diagrams.md` and the output of `saas-gen diagram`. The product's saga refuses every move
 * that is not a row here.
 *
 * `on` names what causes a move (a trigger), not a message type: which messages cause a trigger
 * depends on the blueprint (`lifecycle.suspendOn`, the steps' events).
 */

export interface Transition<State extends string = string, Trigger extends string = string> {
  readonly from: State;
  readonly to: State;
  readonly on: Trigger;
}

export interface MachineTable<State extends string = string, Trigger extends string = string> {
  readonly states: readonly State[];
  /** The move from nothing (`[*]`) into the machine. */
  readonly initial: { readonly to: State; readonly on: Trigger };
  readonly transitions: readonly Transition<State, Trigger>[];
}

/** The tenant of the onboarding saga. `Registered` is left at once: the saga starts provisioning. */
export const tenantMachine = {
  states: [
    'Registered',
    'Provisioning',
    'Active',
    'ProvisioningFailed',
    'Suspended',
    'Decommissioned',
  ],
  initial: { to: 'Registered', on: 'register' },
  transitions: [
    { from: 'Registered', to: 'Provisioning', on: 'startProvisioning' },
    { from: 'Provisioning', to: 'Provisioning', on: 'stepSucceeded' },
    { from: 'Provisioning', to: 'Active', on: 'allStepsSucceeded' },
    { from: 'Provisioning', to: 'ProvisioningFailed', on: 'stepFailed' },
    { from: 'Provisioning', to: 'ProvisioningFailed', on: 'timeout' },
    { from: 'ProvisioningFailed', to: 'Provisioning', on: 'retry' },
    { from: 'ProvisioningFailed', to: 'Decommissioned', on: 'decommission' },
    { from: 'Active', to: 'Suspended', on: 'suspend' },
    { from: 'Suspended', to: 'Active', on: 'reinstate' },
    { from: 'Active', to: 'Decommissioned', on: 'decommission' },
    { from: 'Suspended', to: 'Decommissioned', on: 'decommission' },
  ],
} as const satisfies MachineTable;

/**
 * A run of a domain workflow. A failed run always passes through `Compensating`, even with
 * nothing to undo, so that each (state, trigger) pair has exactly one target.
 */
export const workflowMachine = {
  states: ['Running', 'Completed', 'Compensating', 'Failed'],
  initial: { to: 'Running', on: 'start' },
  transitions: [
    { from: 'Running', to: 'Running', on: 'stepSucceeded' },
    { from: 'Running', to: 'Completed', on: 'allStepsSucceeded' },
    { from: 'Running', to: 'Compensating', on: 'stepFailed' },
    { from: 'Running', to: 'Compensating', on: 'timeout' },
    { from: 'Compensating', to: 'Compensating', on: 'stepCompensated' },
    { from: 'Compensating', to: 'Failed', on: 'allCompensated' },
  ],
} as const satisfies MachineTable;
