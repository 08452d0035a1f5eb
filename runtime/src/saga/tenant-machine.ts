/**
 * The tenant state machine: Registered, Provisioning, Active, ProvisioningFailed, Suspended and
 * Decommissioned. The onboarding saga (onboarding.ts) makes every move of a tenant through
 * `tenantMachine.next`, so any move not listed here is refused: the API answers it with 409, and
 * a message that asks for it is recorded as `rejected` and ignored.
 */
import { defineMachine } from './machine.js';
import type { Transition } from './machine.js';

export const tenantStates = [
  'Registered',
  'Provisioning',
  'Active',
  'ProvisioningFailed',
  'Suspended',
  'Decommissioned',
] as const;
export type TenantState = (typeof tenantStates)[number];

/** The allowed moves: from, to, and the trigger that causes the move. */
export const tenantTransitions = [
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
] as const satisfies readonly Transition<TenantState, string>[];

export type TenantTrigger = (typeof tenantTransitions)[number]['on'] | 'register';

export const tenantMachine = defineMachine<TenantState, TenantTrigger>({
  states: tenantStates,
  initial: { to: 'Registered', on: 'register' },
  transitions: tenantTransitions,
});

/** Whether the table allows moving a tenant from `from` to `to`; every other move is refused. */
export const canMove = (from: TenantState, to: TenantState): boolean =>
  tenantMachine.canMove(from, to);
