/** A made-up onboarding, whose shape the tests can spell out whatever the blueprint. */
import type { OnboardingDefinition } from '../../src/saga/definition.js';
import type { AuditNote } from '../../src/saga/effects.js';
import { decide } from '../../src/saga/onboarding.js';
import type { OnboardingState } from '../../src/saga/onboarding.js';
import { Driver, step } from './harness.js';

/** alpha ∥ beta on registration; gamma after alpha (cannot be undone); delta after gamma. */
export const synthetic: OnboardingDefinition = {
  workflow: {
    id: 'onboarding',
    kind: 'onboarding',
    trigger: 'TenantRegistered',
    timeoutMs: 60_000,
    steps: [
      step('onboarding', 'alpha', 'TenantRegistered', 'AlphaDone', 'UndoAlpha'),
      step('onboarding', 'beta', 'TenantRegistered', 'BetaDone', 'UndoBeta'),
      step('onboarding', 'gamma', 'AlphaDone', 'GammaDone', null),
      step('onboarding', 'delta', 'GammaDone', 'DeltaDone', 'UndoDelta'),
    ],
    reactions: [],
  },
  lifecycle: { suspendOn: ['PaymentPastDue'], reinstateOn: ['PaymentSettled'] },
};

export const registration = {
  slug: 'acme',
  name: 'Acme',
  edition: 'pro',
  ownerEmail: 'owner@acme.test',
  ownerName: 'Olga Owner',
};

export const driver = (definition: OnboardingDefinition = synthetic) =>
  new Driver<OnboardingState>((state, message, now) => decide(definition, state, message, now));

export const failed = (workflow: string, workflowId: string, stepId: string) => ({
  workflow,
  workflowId,
  stepId,
  errorType: 'StepFailure',
  reason: 'card declined',
});

export const compensated = (workflowId: string, stepId: string) => ({
  workflow: 'onboarding',
  workflowId,
  stepId,
});

/** The moves an audit trail records (step records and refusals are not moves). */
export const moves = (audit: readonly AuditNote[]) =>
  audit
    .filter((note) => note.action !== 'stepRecorded' && note.action !== 'rejected')
    .map((note) => `${note.fromState ?? '[*]'} -${note.action}-> ${note.toState}`);
