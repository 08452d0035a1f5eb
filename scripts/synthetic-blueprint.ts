/**
 * A large, valid blueprint built from a few numbers, for `npm run bench`: the onboarding saga and
 * `workflows - 1` domain workflows started by commands, `steps` steps in all, spread over
 * `services` domain services. Each workflow's steps are chained by the events they emit, with a
 * branch every third step (two steps waiting for the same event), a compensation on every other
 * step, and a retry override now and then, so that the generator meets the shapes real blueprints
 * have, only many more of them. `test/bench-blueprint.test.ts` validates it, so the bench cannot
 * silently measure a blueprint the generator refuses.
 */
import { stringify } from 'yaml';

export interface SyntheticShape {
  /** Workflows in all, onboarding included (at least 1). */
  readonly workflows: number;
  /** Steps in all, over every workflow (reactions not counted): at least 3 per workflow. */
  readonly steps: number;
  /** Domain services the domain steps are spread over (at least 1, at most 26). */
  readonly services: number;
}

export const largeShape: SyntheticShape = { workflows: 50, steps: 400, services: 10 };

export interface SyntheticBlueprint {
  readonly text: string;
  readonly workflows: number;
  readonly steps: number;
  readonly reactions: number;
  readonly services: readonly string[];
}

// Domain service names far from the built-in ones (`billing`, `identity`, …), which a near
// miss would be refused as a typo of.
const serviceNames = [
  'analytics',
  'storage',
  'reporting',
  'search',
  'inventory',
  'scheduling',
  'documents',
  'ledger',
  'media',
  'workspaces',
];

const fieldTypes = ['uuid', 'string', 'integer', 'boolean', 'datetime', 'number', 'email?', 'url'];

type Step = Record<string, unknown>;
type Payload = Record<string, string>;

/** The steps of one workflow: `count` of them, the first started by `trigger`. */
function chain(
  prefix: string,
  count: number,
  trigger: string,
  serviceAt: (index: number) => string,
  events: Record<string, { payload: Payload }>,
): { steps: Record<string, Step>; emitted: string[] } {
  const steps: Record<string, Step> = {};
  const emitted: string[] = [];
  const pascal = prefix[0]!.toUpperCase() + prefix.slice(1);
  for (let i = 1; i <= count; i++) {
    // Every third step branches off the step before its predecessor, so that two steps wait
    // for one event and the workflow is a tree, not a line.
    const on = i === 1 ? trigger : emitted[i % 3 === 0 && i > 2 ? i - 3 : i - 2]!;
    const emits = `${pascal}Step${i}Completed`;
    const step: Step = { service: serviceAt(i), on, emits };
    if (i % 2 === 1) step.compensate = `Undo${pascal}Step${i}`;
    if (i % 7 === 0) step.retry = { attempts: 3, initialDelay: '100ms' };
    steps[`${prefix}Step${i}`] = step;
    events[emits] = { payload: payloadFor(i) };
    emitted.push(emits);
  }
  return { steps, emitted };
}

function payloadFor(index: number): Payload {
  const payload: Payload = { recordId: 'uuid' };
  for (let k = 0; k < 1 + (index % 3); k++) {
    payload[`field${k + 1}`] = fieldTypes[(index + k) % fieldTypes.length]!;
  }
  return payload;
}

/** Step counts per workflow: as even as possible, the first workflows taking the remainder. */
function split(steps: number, workflows: number): number[] {
  const base = Math.floor(steps / workflows);
  return Array.from({ length: workflows }, (_, i) => base + (i < steps % workflows ? 1 : 0));
}

export function syntheticBlueprint(shape: SyntheticShape = largeShape): SyntheticBlueprint {
  const { workflows, steps, services } = shape;
  if (!Number.isInteger(workflows) || workflows < 1) throw new Error('workflows must be ≥ 1');
  if (!Number.isInteger(steps) || steps < 3 * workflows) {
    throw new Error('steps must be at least 3 per workflow (onboarding has 3 built-in steps)');
  }
  if (!Number.isInteger(services) || services < 1 || services > serviceNames.length) {
    throw new Error(`services must be between 1 and ${serviceNames.length}`);
  }
  const domainServices = serviceNames.slice(0, services);
  const counts = split(steps, workflows);
  const events: Record<string, { payload: Payload; description?: string }> = {};
  const serviceAt = (workflow: number) => (index: number) =>
    domainServices[(workflow * 3 + index) % domainServices.length]!;

  // Onboarding: the built-in steps, then a chain of domain steps after the entitlements.
  const onboardingDomain = chain(
    'onboarding',
    counts[0]! - 3,
    'EntitlementsApplied',
    serviceAt(0),
    events,
  );
  const onboarding = {
    timeout: '10m',
    retry: { attempts: 5, backoff: 'exponential', initialDelay: '200ms', maxDelay: '30s' },
    steps: {
      subscription: {
        service: 'billing',
        on: 'TenantRegistered',
        emits: 'SubscriptionActivated',
        compensate: 'CancelSubscription',
      },
      configuration: {
        service: 'configuration',
        on: 'SubscriptionActivated',
        emits: 'EntitlementsApplied',
        compensate: 'RevokeEntitlements',
      },
      owner: {
        service: 'identity',
        on: 'TenantRegistered',
        emits: 'UserInvited',
        compensate: 'DisableUser',
      },
      ...onboardingDomain.steps,
    },
    reactions: {
      activationEmail: { service: 'notification', on: 'UserInvited', emits: 'NotificationSent' },
    },
  };

  const domain: Record<string, unknown> = {};
  let reactions = 1;
  for (let w = 1; w < workflows; w++) {
    const id = `flow${String(w).padStart(2, '0')}`;
    const pascal = `Flow${String(w).padStart(2, '0')}`;
    const trigger = `Start${pascal}`;
    events[trigger] = {
      description: `Starts workflow \`${id}\`.`,
      payload: { reason: 'string', requestedAt: 'datetime', dryRun: 'boolean?' },
    };
    const { steps: workflowSteps, emitted } = chain(id, counts[w]!, trigger, serviceAt(w), events);
    const workflow: Record<string, unknown> = {
      startedBy: trigger,
      timeout: '30m',
      steps: workflowSteps,
    };
    if (w % 5 === 0) {
      // A follow-up the saga does not wait for, on the workflow's last event.
      const reported = `${pascal}Reported`;
      events[reported] = { payload: { reportId: 'uuid' } };
      workflow.reactions = {
        [`${id}Report`]: {
          service: domainServices[w % domainServices.length],
          on: emitted.at(-1),
          emits: reported,
        },
      };
      reactions++;
    }
    domain[id] = workflow;
  }

  const document = {
    blueprint: 1,
    product: {
      name: 'synthetic-scale',
      title: 'Synthetic Scale',
      description: `${workflows} workflows and ${steps} steps over ${services} domain services.`,
    },
    tenancy: { isolation: 'pooled', slug: '^[a-z][a-z0-9-]{2,39}$', defaultEdition: 'free' },
    features: {
      dashboards: { title: 'Dashboards' },
      exports: { title: 'CSV exports' },
      sso: { title: 'Single sign-on' },
    },
    editions: {
      free: {
        title: 'Free',
        trialDays: 0,
        price: { amount: 0, currency: 'USD', interval: 'month' },
        features: ['dashboards'],
        limits: { seats: 3, projects: 1 },
      },
      pro: {
        title: 'Pro',
        trialDays: 14,
        price: { amount: 49, currency: 'USD', interval: 'month' },
        features: ['dashboards', 'exports', 'sso'],
        limits: { seats: 25, projects: 'unlimited' },
      },
    },
    flags: { newDashboard: { default: false, editions: ['pro'] } },
    events,
    workflows: { onboarding, ...domain },
    lifecycle: { suspendOn: ['PaymentPastDue'], reinstateOn: ['PaymentSettled'] },
  };
  const text =
    `# A synthetic blueprint written by scripts/synthetic-blueprint.ts for \`npm run bench\`.\n` +
    stringify(document, { lineWidth: 0 });
  return { text, workflows, steps, reactions, services: domainServices };
}
