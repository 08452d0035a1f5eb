/**
 * The message catalogue of a product: every event and command it exchanges, built-in or from the
 * blueprint, with its payload fields.
 */
import { builtinServices, onboardingTrigger } from '../blueprint/builtins.js';
import type { Field, Model, Step } from '../blueprint/model.js';
import { pascalCase } from './names.js';

export type MessageKind = 'event' | 'command';

export interface MessageSpec {
  readonly name: string;
  readonly kind: MessageKind;
  readonly builtin: boolean;
  readonly version: number;
  /** From the blueprint, else what the workflows say of it; empty when there is nothing to say. */
  readonly description: string;
  readonly fields: readonly Field[];
}

const field = (
  name: string,
  type: string,
  flags: { list?: boolean; optional?: boolean } = {},
): Field => ({
  name,
  type,
  list: flags.list ?? false,
  optional: flags.optional ?? false,
});

const reason = [field('reason', 'string', { optional: true })];

/** Payloads of the built-in messages; `json` is an arbitrary JSON object, for built-ins only. */
const builtinMessages: readonly Omit<MessageSpec, 'builtin' | 'version'>[] = [
  {
    name: onboardingTrigger,
    kind: 'event',
    description: 'A sign-up was accepted; onboarding starts.',
    fields: [
      field('slug', 'string'),
      field('name', 'string'),
      field('edition', 'string'),
      field('ownerEmail', 'email'),
      field('ownerName', 'string'),
    ],
  },
  {
    name: 'SubscriptionActivated',
    kind: 'event',
    description: "Billing opened a subscription to the tenant's edition.",
    fields: [
      field('subscriptionId', 'uuid'),
      field('edition', 'string'),
      field('amount', 'number'),
      field('currency', 'string'),
      field('interval', 'string'),
      field('trialEndsAt', 'datetime', { optional: true }),
    ],
  },
  {
    name: 'EntitlementsApplied',
    kind: 'event',
    description: "Configuration applied the edition's features, limits and flags.",
    fields: [
      field('edition', 'string'),
      field('features', 'string', { list: true }),
      field('limits', 'json'),
      field('flags', 'json'),
    ],
  },
  {
    name: 'UserInvited',
    kind: 'event',
    description:
      'Identity invited the owner user; the activation code is derived from the invitation when the e-mail is sent, and travels in no message.',
    fields: [
      field('userId', 'uuid'),
      field('email', 'email'),
      field('name', 'string'),
      field('invitationId', 'uuid'),
    ],
  },
  {
    name: 'UserActivated',
    kind: 'event',
    description: 'The invited owner activated their account with the e-mailed code; it is Active.',
    fields: [field('userId', 'uuid'), field('email', 'email')],
  },
  {
    name: 'NotificationSent',
    kind: 'event',
    description: 'Notification delivered a message.',
    fields: [
      field('notificationId', 'uuid'),
      field('channel', 'string'),
      field('to', 'email'),
      field('template', 'string'),
    ],
  },
  {
    name: 'TenantProvisioned',
    kind: 'event',
    description: 'Every onboarding step succeeded; the tenant is Active.',
    fields: [field('edition', 'string')],
  },
  {
    name: 'TenantProvisioningFailed',
    kind: 'event',
    description: 'A step failed irrecoverably; completed steps were compensated.',
    fields: [field('reason', 'string'), field('failedStep', 'string', { optional: true })],
  },
  {
    name: 'TenantProvisioningTimedOut',
    kind: 'event',
    description: 'Onboarding did not finish within its timeout.',
    fields: [field('timeoutMs', 'integer'), field('pendingSteps', 'string', { list: true })],
  },
  {
    name: 'TenantSuspended',
    kind: 'event',
    description: 'The tenant was suspended.',
    fields: reason,
  },
  {
    name: 'TenantReinstated',
    kind: 'event',
    description: 'The tenant was reinstated.',
    fields: reason,
  },
  {
    name: 'TenantDecommissioned',
    kind: 'event',
    description: 'The tenant was closed.',
    fields: reason,
  },
  {
    name: 'AuditEntryRecorded',
    kind: 'event',
    description: 'A state change was written to the audit trail.',
    fields: [
      field('entryId', 'uuid'),
      field('action', 'string'),
      field('fromState', 'string', { optional: true }),
      field('toState', 'string', { optional: true }),
    ],
  },
  {
    name: 'PaymentPastDue',
    kind: 'event',
    description:
      "The tenant's invoice is past due: the payment provider says so, or billing does when a trial ends without a settled payment.",
    fields: [field('invoiceId', 'string', { optional: true }), ...reason],
  },
  {
    name: 'PaymentSettled',
    kind: 'event',
    description: 'A payment of the tenant settled: a past-due invoice, a checkout, a trial.',
    fields: [field('invoiceId', 'string', { optional: true })],
  },
  // Internal messages of the runtime: step outcomes, timeouts, operator commands.
  {
    name: 'StepFailed',
    kind: 'event',
    description: 'A step failed irrecoverably; its workflow compensates.',
    fields: [
      field('workflow', 'string'),
      field('workflowId', 'string'),
      field('stepId', 'string'),
      field('errorType', 'string'),
      field('reason', 'string'),
    ],
  },
  {
    name: 'StepCompensated',
    kind: 'event',
    description: 'A compensation finished.',
    fields: [field('workflow', 'string'), field('workflowId', 'string'), field('stepId', 'string')],
  },
  {
    name: 'WorkflowTimeoutElapsed',
    kind: 'event',
    description: 'The timeout of a workflow run fired; ignored unless its token is still current.',
    fields: [field('workflow', 'string'), field('workflowId', 'string'), field('token', 'string')],
  },
  {
    name: 'TrialEnded',
    kind: 'event',
    description:
      "Billing's timer: the trial of this subscription is over; ignored once a payment settled.",
    fields: [field('subscriptionId', 'uuid')],
  },
  {
    name: 'WorkflowCompleted',
    kind: 'event',
    description: 'Every step of a domain workflow run succeeded.',
    fields: [field('workflow', 'string'), field('workflowId', 'string')],
  },
  {
    name: 'WorkflowFailed',
    kind: 'event',
    description: 'A domain workflow run failed and was compensated.',
    fields: [field('workflow', 'string'), field('workflowId', 'string'), field('reason', 'string')],
  },
  {
    name: 'SuspendTenant',
    kind: 'command',
    description: 'Operator: suspend an Active tenant.',
    fields: reason,
  },
  {
    name: 'ReinstateTenant',
    kind: 'command',
    description: 'Operator: reinstate a Suspended tenant.',
    fields: reason,
  },
  {
    name: 'DecommissionTenant',
    kind: 'command',
    description: 'Operator: close the tenant, compensating its steps.',
    fields: reason,
  },
  {
    name: 'RetryProvisioning',
    kind: 'command',
    description: 'Operator: re-run the steps that did not succeed.',
    fields: [],
  },
  {
    name: 'ChangeEdition',
    kind: 'command',
    description: 'Operator: move the tenant to another edition.',
    fields: [field('edition', 'string')],
  },
  {
    name: 'SendEmail',
    kind: 'command',
    description:
      'Notification: send this e-mail. Queued by the step that renders it and sent after commit.',
    fields: [
      // A name (it names a file), and a subject of one line (a line break would add a header).
      field('mailId', 'name'),
      field('to', 'email'),
      field('subject', 'line'),
      field('text', 'text'),
      field('invitationId', 'uuid', { optional: true }),
    ],
  },
  {
    name: 'EditionChanged',
    kind: 'event',
    description: 'The tenant moved to another edition; configuration re-applies its entitlements.',
    fields: [field('from', 'string'), field('to', 'string')],
  },
  ...Object.values(builtinServices).flatMap((service) =>
    'compensate' in service
      ? [
          {
            name: service.compensate,
            kind: 'command' as const,
            description: `${pascalCase(service.name)}: ${service.undo}, undoing its step.`,
            fields: reason,
          },
        ]
      : [],
  ),
];

const code = (name: string): string => `\`${name}\``;

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length < 2
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * What the blueprint itself says of a message it does not describe: which workflow it starts,
 * which step it undoes, which steps publish it and which handle it. Empty when it says nothing.
 */
function roleOf(name: string, model: Model): string {
  const steps = model.workflows.flatMap((workflow) => [...workflow.steps, ...workflow.reactions]);
  const step = (s: Step) => `step ${code(s.id)} (${code(s.service)})`;
  const sentences = [
    ...model.workflows
      .filter((workflow) => workflow.kind === 'domain' && workflow.trigger === name)
      .map((workflow) => `Starts a run of workflow ${code(workflow.id)}.`),
    ...steps
      .filter((s) => s.compensate === name)
      .map((s) => `Undoes step ${code(s.id)} of workflow ${code(s.workflowId)}.`),
  ];
  const publishers = steps.filter((s) => s.emits === name).map(step);
  const handlers = steps.filter((s) => s.on === name).map(step);
  const clauses = [
    ...(publishers.length > 0 ? [`published by ${listed(publishers)}`] : []),
    ...(handlers.length > 0 ? [`handled by ${listed(handlers)}`] : []),
  ];
  if (clauses.length > 0) {
    const sentence = clauses.join('; ');
    sentences.push(`${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`);
  }
  return sentences.join(' ');
}

/** Every message of the product, sorted by name. */
export function messageCatalog(model: Model): MessageSpec[] {
  const specs = new Map<string, MessageSpec>();
  for (const message of builtinMessages)
    specs.set(message.name, { ...message, builtin: true, version: 1 });

  const commands = new Set<string>();
  for (const workflow of model.workflows)
    if (workflow.kind === 'domain') commands.add(workflow.trigger);
  for (const workflow of model.workflows) {
    for (const step of [...workflow.steps, ...workflow.reactions])
      if (step.compensate) commands.add(step.compensate);
  }
  const declared = new Map(model.messages.map((message) => [message.name, message]));
  const names = new Set<string>([...declared.keys(), ...commands]);
  for (const workflow of model.workflows) {
    for (const step of [...workflow.steps, ...workflow.reactions])
      if (step.emits) names.add(step.emits);
  }
  for (const name of names) {
    if (specs.has(name)) continue;
    const declaration = declared.get(name);
    specs.set(name, {
      name,
      kind: commands.has(name) ? 'command' : 'event',
      builtin: false,
      version: declaration?.version ?? 1,
      description: declaration?.description ?? roleOf(name, model),
      fields: declaration?.payload ?? [],
    });
  }
  return [...specs.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}
