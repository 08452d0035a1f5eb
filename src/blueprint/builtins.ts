/** What every generated product has without the blueprint declaring it: services and messages. */

export const builtinEvents = [
  'TenantRegistered',
  'SubscriptionActivated',
  'EntitlementsApplied',
  'UserInvited',
  'NotificationSent',
  'TenantProvisioned',
  'TenantProvisioningFailed',
  'TenantProvisioningTimedOut',
  'TenantSuspended',
  'TenantReinstated',
  'TenantDecommissioned',
  'AuditEntryRecorded',
  'PaymentPastDue',
  'PaymentSettled',
] as const;
export type BuiltinEvent = (typeof builtinEvents)[number];

/**
 * Messages the runtime exchanges internally (step outcomes, timeouts, operator commands). A
 * blueprint may not declare, emit or otherwise claim them.
 */
export const internalMessages: ReadonlySet<string> = new Set([
  'StepFailed',
  'StepCompensated',
  'WorkflowTimeoutElapsed',
  'TrialEnded',
  'WorkflowCompleted',
  'WorkflowFailed',
  'SuspendTenant',
  'ReinstateTenant',
  'DecommissionTenant',
  'RetryProvisioning',
  'ChangeEdition',
  'EditionChanged',
  'SendEmail',
]);

/** The trigger of the onboarding workflow. */
export const onboardingTrigger = 'TenantRegistered';

export interface BuiltinService {
  readonly name: string;
  /** The one event the service publishes when its step succeeds. */
  readonly emits: string;
  /** The command that undoes its step, if it can be undone. */
  readonly compensate?: string;
  /** What its compensation command asks, in the imperative: "cancel the tenant's subscription". */
  readonly undo?: string;
}

export const builtinServices = {
  billing: {
    name: 'billing',
    emits: 'SubscriptionActivated',
    compensate: 'CancelSubscription',
    undo: "cancel the tenant's subscription",
  },
  identity: {
    name: 'identity',
    emits: 'UserInvited',
    compensate: 'DisableUser',
    undo: 'disable the owner user',
  },
  configuration: {
    name: 'configuration',
    emits: 'EntitlementsApplied',
    compensate: 'RevokeEntitlements',
    undo: "revoke the edition's features, limits and flags",
  },
  notification: {
    name: 'notification',
    emits: 'NotificationSent',
  },
} as const satisfies Record<string, BuiltinService>;

export type BuiltinServiceName = keyof typeof builtinServices;

/** Events the platform itself publishes (every built-in event no service emits); no step may claim them. */
export const platformEvents: ReadonlySet<string> = new Set(
  builtinEvents.filter((event) => !Object.values(builtinServices).some((s) => s.emits === event)),
);

export const isBuiltinService = (name: string): name is BuiltinServiceName =>
  Object.hasOwn(builtinServices, name);

/** Services that exist in every product but cannot run a step. */
export const reservedServices: ReadonlySet<string> = new Set(['audit', 'tenant-management']);

export const defaults = {
  isolation: 'pooled',
  slug: '^[a-z][a-z0-9-]{2,39}$',
  onboardingTimeout: '10m',
  workflowTimeout: '30m',
  retry: { attempts: 5, backoff: 'exponential', initialDelay: '200ms', maxDelay: '30s' },
} as const;
