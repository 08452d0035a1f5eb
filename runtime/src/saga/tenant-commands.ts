/**
 * The operator's commands on a tenant and whether its state allows them. The API asks
 * `commandAllowed` before it enqueues a command (202, or 409 for a move the tenant machine
 * forbids); the saga asks the same question when the command arrives, so the two never disagree.
 */
import type { RunState } from './run.js';
import { tenantMachine } from './tenant-machine.js';
import type { TenantState, TenantTrigger } from './tenant-machine.js';

/** The operator's commands, each asking for one trigger of the tenant machine. */
export const tenantCommands = {
  SuspendTenant: 'suspend',
  ReinstateTenant: 'reinstate',
  DecommissionTenant: 'decommission',
  RetryProvisioning: 'retry',
} as const satisfies Record<string, TenantTrigger>;
export type TenantCommand = keyof typeof tenantCommands;

export type OperatorTrigger = (typeof tenantCommands)[TenantCommand];

const verbs: Record<OperatorTrigger, string> = {
  suspend: 'suspend',
  reinstate: 'reinstate',
  decommission: 'decommission',
  retry: 'retry provisioning of',
};

/** What decides whether a command is allowed: the tenant's state and running compensations. */
export type Guarded = Pick<RunState, 'compensation'> & { readonly state: TenantState };

/** Why the tenant's state refuses `on`, or `null`. */
export function triggerRefusal(tenant: Guarded, on: OperatorTrigger): string | null {
  if (!tenantMachine.next(tenant.state, on))
    return `cannot ${verbs[on]} a tenant that is ${tenant.state}`;
  if (on === 'retry' && tenant.compensation.length > 0)
    return 'cannot retry provisioning while the failed attempt is still being compensated';
  return null;
}

/** Why `command` is refused for a tenant in this state (the API's 409), or `null` if it is allowed. */
export function commandRefusal(tenant: Guarded | undefined, command: TenantCommand): string | null {
  return tenant ? triggerRefusal(tenant, tenantCommands[command]) : 'no such tenant';
}

export const commandAllowed = (tenant: Guarded | undefined, command: TenantCommand): boolean =>
  commandRefusal(tenant, command) === null;

/** Tenants whose edition may change: those the onboarding made ready and that are not closed. */
const editionStates: readonly TenantState[] = ['Active', 'Suspended'];

/** Why the tenant's state refuses an edition change (the API's 409), or `null`. */
export function editionRefusal(tenant: { readonly state: TenantState } | undefined): string | null {
  if (!tenant) return 'no such tenant';
  return editionStates.includes(tenant.state)
    ? null
    : `cannot change the edition of a tenant that is ${tenant.state}; it must be ${editionStates.join(' or ')}`;
}
