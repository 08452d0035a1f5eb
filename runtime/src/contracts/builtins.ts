/**
 * The messages every product has, whatever its blueprint: the built-in services' events and
 * compensations, and the runtime's own commands and outcomes. A product's generated
 * `contracts/messages.ts` adds its domain messages to `MessagePayloads` (runtime/messages.ts) and
 * re-exports these, so the team imports every message type from one place.
 */
import type { Envelope } from './envelope.js';

/** A state change was written to the audit trail. */
export interface AuditEntryRecordedPayload {
  readonly entryId: string;
  readonly action: string;
  readonly fromState?: string;
  readonly toState?: string;
}
export type AuditEntryRecorded = Envelope<'AuditEntryRecorded', AuditEntryRecordedPayload>;

/** Billing: cancel the tenant's subscription, undoing its step. */
export interface CancelSubscriptionPayload {
  readonly reason?: string;
}
export type CancelSubscription = Envelope<'CancelSubscription', CancelSubscriptionPayload>;

/** Operator: move the tenant to another edition. */
export interface ChangeEditionPayload {
  readonly edition: string;
}
export type ChangeEdition = Envelope<'ChangeEdition', ChangeEditionPayload>;

/** Operator: close the tenant, compensating its steps. */
export interface DecommissionTenantPayload {
  readonly reason?: string;
}
export type DecommissionTenant = Envelope<'DecommissionTenant', DecommissionTenantPayload>;

/** Identity: disable the owner user, undoing its step. */
export interface DisableUserPayload {
  readonly reason?: string;
}
export type DisableUser = Envelope<'DisableUser', DisableUserPayload>;

/** The tenant moved to another edition; configuration re-applies its entitlements. */
export interface EditionChangedPayload {
  readonly from: string;
  readonly to: string;
}
export type EditionChanged = Envelope<'EditionChanged', EditionChangedPayload>;

/** Configuration applied the edition's features, limits and flags. */
export interface EntitlementsAppliedPayload {
  readonly edition: string;
  readonly features: string[];
  readonly limits: Record<string, unknown>;
  readonly flags: Record<string, unknown>;
}
export type EntitlementsApplied = Envelope<'EntitlementsApplied', EntitlementsAppliedPayload>;

/** Notification delivered a message. */
export interface NotificationSentPayload {
  readonly notificationId: string;
  /** `email`, `email-file`, or `throttled`: not sent, its address had `ACTIVATION_EMAIL_LIMIT` this hour. */
  readonly channel: string;
  readonly to: string;
  readonly template: string;
}
export type NotificationSent = Envelope<'NotificationSent', NotificationSentPayload>;

/**
 * The tenant's invoice is past due: the payment provider says so, or billing does when a trial
 * ends without a settled payment (`reason` says which).
 */
export interface PaymentPastDuePayload {
  readonly invoiceId?: string;
  readonly reason?: string;
}
export type PaymentPastDue = Envelope<'PaymentPastDue', PaymentPastDuePayload>;

/** A payment of the tenant settled: a past-due invoice, a checkout, a trial's first invoice. */
export interface PaymentSettledPayload {
  readonly invoiceId?: string;
}
export type PaymentSettled = Envelope<'PaymentSettled', PaymentSettledPayload>;

/** Operator: reinstate a Suspended tenant. */
export interface ReinstateTenantPayload {
  readonly reason?: string;
}
export type ReinstateTenant = Envelope<'ReinstateTenant', ReinstateTenantPayload>;

/** Operator: re-run the steps that did not succeed. */
export interface RetryProvisioningPayload {}
export type RetryProvisioning = Envelope<'RetryProvisioning', RetryProvisioningPayload>;

/** Configuration: revoke the edition's features, limits and flags, undoing its step. */
export interface RevokeEntitlementsPayload {
  readonly reason?: string;
}
export type RevokeEntitlements = Envelope<'RevokeEntitlements', RevokeEntitlementsPayload>;

/** Notification: send this e-mail. Queued by the step that renders it and sent after commit. */
export interface SendEmailPayload {
  readonly mailId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly invitationId?: string;
}
export type SendEmail = Envelope<'SendEmail', SendEmailPayload>;

/** A compensation finished. */
export interface StepCompensatedPayload {
  readonly workflow: string;
  readonly workflowId: string;
  readonly stepId: string;
}
export type StepCompensated = Envelope<'StepCompensated', StepCompensatedPayload>;

/** A step failed irrecoverably; its workflow compensates. */
export interface StepFailedPayload {
  readonly workflow: string;
  readonly workflowId: string;
  readonly stepId: string;
  readonly errorType: string;
  readonly reason: string;
}
export type StepFailed = Envelope<'StepFailed', StepFailedPayload>;

/** Billing opened a subscription to the tenant's edition. */
export interface SubscriptionActivatedPayload {
  readonly subscriptionId: string;
  readonly edition: string;
  readonly amount: number;
  readonly currency: string;
  readonly interval: string;
  readonly trialEndsAt?: string;
}
export type SubscriptionActivated = Envelope<'SubscriptionActivated', SubscriptionActivatedPayload>;

/** Operator: suspend an Active tenant. */
export interface SuspendTenantPayload {
  readonly reason?: string;
}
export type SuspendTenant = Envelope<'SuspendTenant', SuspendTenantPayload>;

/** Billing's timer: the trial of this subscription is over; ignored once a payment settled. */
export interface TrialEndedPayload {
  readonly subscriptionId: string;
}
export type TrialEnded = Envelope<'TrialEnded', TrialEndedPayload>;

/** The tenant was closed. */
export interface TenantDecommissionedPayload {
  readonly reason?: string;
}
export type TenantDecommissioned = Envelope<'TenantDecommissioned', TenantDecommissionedPayload>;

/** Every onboarding step succeeded; the tenant is Active. */
export interface TenantProvisionedPayload {
  readonly edition: string;
}
export type TenantProvisioned = Envelope<'TenantProvisioned', TenantProvisionedPayload>;

/** A step failed irrecoverably; completed steps were compensated. */
export interface TenantProvisioningFailedPayload {
  readonly reason: string;
  readonly failedStep?: string;
}
export type TenantProvisioningFailed = Envelope<
  'TenantProvisioningFailed',
  TenantProvisioningFailedPayload
>;

/** Onboarding did not finish within its timeout. */
export interface TenantProvisioningTimedOutPayload {
  readonly timeoutMs: number;
  readonly pendingSteps: string[];
}
export type TenantProvisioningTimedOut = Envelope<
  'TenantProvisioningTimedOut',
  TenantProvisioningTimedOutPayload
>;

/** A sign-up was accepted; onboarding starts. */
export interface TenantRegisteredPayload {
  readonly slug: string;
  readonly name: string;
  readonly edition: string;
  readonly ownerEmail: string;
  readonly ownerName: string;
}
export type TenantRegistered = Envelope<'TenantRegistered', TenantRegisteredPayload>;

/** The tenant was reinstated. */
export interface TenantReinstatedPayload {
  readonly reason?: string;
}
export type TenantReinstated = Envelope<'TenantReinstated', TenantReinstatedPayload>;

/** The tenant was suspended. */
export interface TenantSuspendedPayload {
  readonly reason?: string;
}
export type TenantSuspended = Envelope<'TenantSuspended', TenantSuspendedPayload>;

/**
 * Identity invited the owner user; the activation code is derived from the invitation when the
 * e-mail is sent, and travels in no message.
 */
export interface UserInvitedPayload {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly invitationId: string;
}
export type UserInvited = Envelope<'UserInvited', UserInvitedPayload>;

/** Every step of a domain workflow run succeeded. */
export interface WorkflowCompletedPayload {
  readonly workflow: string;
  readonly workflowId: string;
}
export type WorkflowCompleted = Envelope<'WorkflowCompleted', WorkflowCompletedPayload>;

/** A domain workflow run failed and was compensated. */
export interface WorkflowFailedPayload {
  readonly workflow: string;
  readonly workflowId: string;
  readonly reason: string;
}
export type WorkflowFailed = Envelope<'WorkflowFailed', WorkflowFailedPayload>;

/** The timeout of a workflow run fired; ignored unless its token is still current. */
export interface WorkflowTimeoutElapsedPayload {
  readonly workflow: string;
  readonly workflowId: string;
  readonly token: string;
}
export type WorkflowTimeoutElapsed = Envelope<
  'WorkflowTimeoutElapsed',
  WorkflowTimeoutElapsedPayload
>;

/** Payload type by message type, for the messages every product has. */
export interface BuiltinPayloads {
  readonly AuditEntryRecorded: AuditEntryRecordedPayload;
  readonly CancelSubscription: CancelSubscriptionPayload;
  readonly ChangeEdition: ChangeEditionPayload;
  readonly DecommissionTenant: DecommissionTenantPayload;
  readonly DisableUser: DisableUserPayload;
  readonly EditionChanged: EditionChangedPayload;
  readonly EntitlementsApplied: EntitlementsAppliedPayload;
  readonly NotificationSent: NotificationSentPayload;
  readonly PaymentPastDue: PaymentPastDuePayload;
  readonly PaymentSettled: PaymentSettledPayload;
  readonly ReinstateTenant: ReinstateTenantPayload;
  readonly RetryProvisioning: RetryProvisioningPayload;
  readonly RevokeEntitlements: RevokeEntitlementsPayload;
  readonly SendEmail: SendEmailPayload;
  readonly StepCompensated: StepCompensatedPayload;
  readonly StepFailed: StepFailedPayload;
  readonly SubscriptionActivated: SubscriptionActivatedPayload;
  readonly SuspendTenant: SuspendTenantPayload;
  readonly TenantDecommissioned: TenantDecommissionedPayload;
  readonly TenantProvisioned: TenantProvisionedPayload;
  readonly TenantProvisioningFailed: TenantProvisioningFailedPayload;
  readonly TenantProvisioningTimedOut: TenantProvisioningTimedOutPayload;
  readonly TenantRegistered: TenantRegisteredPayload;
  readonly TenantReinstated: TenantReinstatedPayload;
  readonly TenantSuspended: TenantSuspendedPayload;
  readonly TrialEnded: TrialEndedPayload;
  readonly UserInvited: UserInvitedPayload;
  readonly WorkflowCompleted: WorkflowCompletedPayload;
  readonly WorkflowFailed: WorkflowFailedPayload;
  readonly WorkflowTimeoutElapsed: WorkflowTimeoutElapsedPayload;
}

/** The names of the messages every product has. */
export const builtinMessageTypes = [
  'AuditEntryRecorded',
  'CancelSubscription',
  'ChangeEdition',
  'DecommissionTenant',
  'DisableUser',
  'EditionChanged',
  'EntitlementsApplied',
  'NotificationSent',
  'PaymentPastDue',
  'PaymentSettled',
  'ReinstateTenant',
  'RetryProvisioning',
  'RevokeEntitlements',
  'SendEmail',
  'StepCompensated',
  'StepFailed',
  'SubscriptionActivated',
  'SuspendTenant',
  'TenantDecommissioned',
  'TenantProvisioned',
  'TenantProvisioningFailed',
  'TenantProvisioningTimedOut',
  'TenantRegistered',
  'TenantReinstated',
  'TenantSuspended',
  'TrialEnded',
  'UserInvited',
  'WorkflowCompleted',
  'WorkflowFailed',
  'WorkflowTimeoutElapsed',
] as const satisfies readonly (keyof BuiltinPayloads)[];

// The product's own messages included: runtime/messages.ts.
export type {
  KnownMessage as AnyMessage,
  MessagePayloads as PayloadOf,
  MessageType,
} from '../runtime/messages.js';
