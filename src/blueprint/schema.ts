/**
 * The blueprint v1 JSON Schema: the one source of truth for the blueprint format.
 *
 * `npm run schema:write` writes it to `schema/blueprint.schema.json` (which the package ships and
 * editors read through yaml-language-server) and derives `blueprint-types.generated.ts` from it;
 * a test regenerates both and fails when the committed files differ.
 *
 * `markdownDescription` and `defaultSnippets` are yaml-language-server extensions: hover docs and
 * completion snippets. The validator registers them as annotation keywords.
 */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

const describe = (description: string, markdownDescription?: string) =>
  markdownDescription === undefined ? { description } : { description, markdownDescription };

/** A map whose keys follow `nameDefinition` and whose values follow `value`. */
const mapOf = (nameDefinition: string, value: Schema, extra: Schema = {}): Schema => ({
  type: 'object',
  propertyNames: ref(nameDefinition),
  additionalProperties: value,
  ...extra,
});

const messageList = (description: string): Schema => ({
  type: 'array',
  ...describe(description),
  items: ref('messageName'),
  uniqueItems: true,
});

export const builtinServiceNames = [
  'billing',
  'identity',
  'configuration',
  'notification',
] as const;

const retry: Schema = {
  type: 'object',
  ...describe(
    'How a failing step is retried before its message is dead-lettered. A step may override any field.',
    'How a failing step is retried before its message is dead-lettered for operator replay.\n\n' +
      'Delays grow from `initialDelay` by the `backoff` policy and never exceed `maxDelay`. ' +
      'A step-level `retry` overrides the workflow default field by field.',
  ),
  additionalProperties: false,
  properties: {
    attempts: {
      type: 'integer',
      minimum: 1,
      maximum: 25,
      ...describe('Total attempts, including the first one (1 means no retry).'),
      examples: [5],
    },
    backoff: {
      type: 'string',
      enum: ['exponential', 'linear', 'fixed'],
      ...describe(
        'How the delay grows between attempts: exponential (doubles), linear (adds initialDelay) or fixed.',
      ),
      default: 'exponential',
    },
    initialDelay: {
      ...ref('duration'),
      ...describe('Delay before the second attempt, e.g. `200ms`.'),
    },
    maxDelay: {
      ...ref('duration'),
      ...describe('Upper bound of any single delay, e.g. `30s`.'),
    },
  },
};

const stepProperties: Record<string, Schema> = {
  service: {
    ...ref('serviceName'),
    ...describe(
      'The service that handles the step.',
      'The service that handles the step. Built-in: `billing`, `identity`, `configuration`, ' +
        '`notification`. Any other kebab-case name is a **domain service**: the generator writes a ' +
        'typed handler file for it once, and you complete it.',
    ),
    examples: [...builtinServiceNames],
  },
  on: {
    ...ref('messageName'),
    ...describe(
      'The message (event or command) that triggers the step: the workflow trigger, a built-in event or the event another step emits.',
    ),
    examples: ['TenantRegistered', 'SubscriptionActivated'],
  },
  emits: {
    ...ref('messageName'),
    ...describe(
      'The event the step publishes when it succeeds. No two steps may emit the same event.',
    ),
  },
  compensate: {
    ...ref('messageName'),
    ...describe(
      'The command that undoes the step. Compensations run in reverse order of completion when a later step fails or the tenant is decommissioned.',
    ),
  },
  retry: ref('retry'),
  description: { type: 'string', ...describe('What the step does, for the generated docs.') },
};

const step: Schema = {
  type: 'object',
  ...describe('A step the workflow waits for: idempotent, retried, and compensatable.'),
  additionalProperties: false,
  required: ['service', 'on', 'emits'],
  properties: stepProperties,
  defaultSnippets: [
    {
      label: 'step',
      body: { service: '$1', on: '$2', emits: '$3', compensate: '$4' },
    },
  ],
};

const reaction: Schema = {
  type: 'object',
  ...describe(
    'A follow-up the saga does not wait for (an e-mail, a webhook). It is retried like a step but never compensated.',
  ),
  additionalProperties: false,
  required: ['service', 'on'],
  properties: {
    service: stepProperties.service!,
    on: stepProperties.on!,
    emits: {
      ...ref('messageName'),
      ...describe('The event the reaction publishes when it is done (optional).'),
    },
    retry: stepProperties.retry!,
    description: stepProperties.description!,
  },
};

const workflowCommon: Record<string, Schema> = {
  timeout: {
    ...ref('duration'),
    ...describe(
      'How long the workflow may take before it fails (onboarding: `ProvisioningFailed` and `TenantProvisioningTimedOut`).',
    ),
    examples: ['10m'],
  },
  retry: ref('retry'),
  steps: mapOf('identifier', ref('step'), {
    ...describe(
      'The steps, keyed by step id. The workflow completes when every step has succeeded. Step ids are unique across the blueprint.',
    ),
    minProperties: 1,
  }),
  reactions: mapOf('identifier', ref('reaction'), {
    ...describe('Follow-ups the workflow does not wait for, keyed by id.'),
  }),
  description: { type: 'string', ...describe('What the workflow is for, for the generated docs.') },
};

const onboarding: Schema = {
  type: 'object',
  ...describe(
    'The tenant-onboarding saga (required). It starts with the built-in `TenantRegistered` event and makes the tenant `Active` when every step succeeded.',
  ),
  additionalProperties: false,
  required: ['steps'],
  properties: workflowCommon,
};

const domainWorkflow: Schema = {
  type: 'object',
  ...describe('A domain saga started for an Active tenant by a command accepted by the API.'),
  additionalProperties: false,
  required: ['startedBy', 'steps'],
  properties: {
    startedBy: {
      ...ref('messageName'),
      ...describe(
        'The command that starts the workflow (`POST /tenants/{id}/workflows/{workflow}` accepts its payload).',
      ),
      examples: ['RequestDataExport'],
    },
    ...workflowCommon,
  },
};

const edition: Schema = {
  type: 'object',
  ...describe('A plan a tenant subscribes to: its price, trial, features and limits.'),
  additionalProperties: false,
  required: ['title', 'price', 'features', 'limits'],
  properties: {
    title: { type: 'string', minLength: 1, ...describe('Display name of the edition.') },
    description: { type: 'string', ...describe('Marketing description of the edition.') },
    trialDays: {
      type: 'integer',
      minimum: 0,
      maximum: 365,
      default: 0,
      ...describe('Days of free trial before the first charge (0: no trial).'),
    },
    price: {
      type: 'object',
      ...describe('Recurring price of the edition.'),
      additionalProperties: false,
      required: ['amount', 'currency', 'interval'],
      properties: {
        amount: {
          type: 'number',
          minimum: 0,
          ...describe('Price per interval in major units (49 means 49.00).'),
        },
        currency: {
          type: 'string',
          pattern: '^[A-Z]{3}$',
          ...describe('ISO 4217 currency code, e.g. `USD`, `EUR`.'),
          examples: ['USD', 'EUR', 'GBP'],
        },
        interval: {
          type: 'string',
          enum: ['month', 'year'],
          ...describe('Billing interval.'),
        },
      },
    },
    features: {
      type: 'array',
      ...describe('Features of the edition; each must be declared under `features`.'),
      items: ref('identifier'),
      uniqueItems: true,
    },
    limits: mapOf(
      'identifier',
      {
        anyOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', const: 'unlimited' },
        ],
        ...describe('A metered limit: a non-negative integer, or `unlimited`.'),
      },
      {
        ...describe(
          'Metered limits (seats, projects, …). Every edition names the same limits; use `unlimited` for no cap.',
        ),
      },
    ),
  },
};

export const blueprintSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'saas-gen:blueprint/1',
  title: 'saas-gen blueprint v1',
  ...describe(
    'Describes a SaaS product: its tenancy, editions (plans with features and limits) and workflows. `saas-gen new` turns it into a runnable TypeScript product.',
  ),
  type: 'object',
  additionalProperties: false,
  required: ['blueprint', 'product', 'tenancy', 'features', 'editions', 'workflows'],
  properties: {
    $schema: {
      type: 'string',
      ...describe('Optional JSON Schema reference for editors; ignored by saas-gen.'),
    },
    blueprint: {
      const: 1,
      ...describe('Blueprint format version. Only `1` exists.'),
    },
    product: {
      type: 'object',
      ...describe('The product being generated.'),
      additionalProperties: false,
      required: ['name', 'title'],
      properties: {
        name: {
          type: 'string',
          pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
          maxLength: 214,
          ...describe(
            'npm package name of the generated product (kebab-case), e.g. `acme-analytics`.',
          ),
        },
        title: { type: 'string', minLength: 1, ...describe('Human-readable product name.') },
        description: { type: 'string', ...describe('One sentence about the product.') },
      },
    },
    tenancy: {
      type: 'object',
      ...describe('How tenants are kept apart and named.'),
      additionalProperties: false,
      required: ['defaultEdition'],
      properties: {
        isolation: {
          type: 'string',
          enum: ['pooled', 'schema'],
          default: 'pooled',
          ...describe(
            'pooled: one set of tables with tenant_id on every row; schema: a database schema (or SQLite file) per tenant.',
            '- `pooled` — one set of tables, `tenant_id` on every row (default)\n' +
              '- `schema` — a PostgreSQL schema (or SQLite file) per tenant, created while provisioning',
          ),
        },
        slug: {
          type: 'string',
          minLength: 1,
          ...describe(
            'Regular expression (ECMAScript) that every tenant slug must match. Anchor it with ^ and $.',
          ),
          default: '^[a-z][a-z0-9-]{2,39}$',
          examples: ['^[a-z][a-z0-9-]{2,39}$'],
        },
        defaultEdition: {
          ...ref('identifier'),
          ...describe('Edition given to a sign-up that names none; must be an edition id.'),
        },
      },
    },
    features: mapOf(
      'identifier',
      {
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        properties: {
          title: { type: 'string', minLength: 1, ...describe('Display name of the feature.') },
          description: { type: 'string', ...describe('What the feature gives a tenant.') },
        },
      },
      {
        ...describe(
          'The feature catalogue, keyed by feature id. Editions may only name these features.',
        ),
      },
    ),
    editions: mapOf('identifier', ref('edition'), {
      ...describe('The editions (plans), keyed by edition id. At least one.'),
      minProperties: 1,
    }),
    flags: mapOf(
      'identifier',
      {
        type: 'object',
        additionalProperties: false,
        required: ['default'],
        properties: {
          default: { type: 'boolean', ...describe('Value of the flag for editions not listed.') },
          editions: {
            type: 'array',
            ...describe('Editions for which the flag is the opposite of its default.'),
            items: ref('identifier'),
            uniqueItems: true,
          },
          description: { type: 'string', ...describe('What the flag switches.') },
        },
      },
      {
        ...describe(
          'Configuration flags, keyed by flag id. Precedence: tenant override, then edition, then default.',
        ),
      },
    ),
    events: mapOf(
      'messageName',
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          payload: mapOf('identifier', ref('fieldType'), {
            ...describe('Payload fields and their types.'),
          }),
          version: {
            type: 'integer',
            minimum: 1,
            default: 1,
            ...describe('Schema version of the message, carried in the envelope.'),
          },
          description: { type: 'string', ...describe('What the message means.') },
        },
      },
      {
        ...describe(
          'Domain messages (events and commands) with their payloads. The built-in events are implicit; undeclared commands have an empty payload.',
        ),
      },
    ),
    workflows: {
      type: 'object',
      ...describe(
        'Workflows keyed by id: `onboarding` (required) and any number of domain workflows.',
      ),
      propertyNames: ref('identifier'),
      required: ['onboarding'],
      properties: { onboarding: ref('onboardingWorkflow') },
      additionalProperties: ref('domainWorkflow'),
      // The onboarding workflow is not a domain workflow (it has no `startedBy`), so the derived
      // index signature would not type-check; the types name both shapes explicitly.
      tsType:
        '{ onboarding: OnboardingWorkflow; [workflowId: string]: DomainWorkflow | OnboardingWorkflow }',
    },
    lifecycle: {
      type: 'object',
      ...describe('Events that move an Active tenant to Suspended and back.'),
      additionalProperties: false,
      properties: {
        suspendOn: messageList('Events that suspend an Active tenant, e.g. `PaymentPastDue`.'),
        reinstateOn: messageList(
          'Events that reinstate a Suspended tenant, e.g. `PaymentSettled`.',
        ),
      },
    },
  },
  definitions: {
    retry,
    step,
    reaction,
    onboardingWorkflow: onboarding,
    domainWorkflow,
    edition,
    identifier: {
      type: 'string',
      pattern: '^[a-z][a-zA-Z0-9]*(-[a-z0-9]+)*$',
      maxLength: 64,
      ...describe('An id in camelCase or kebab-case, e.g. `newDashboard`, `data-export`.'),
    },
    serviceName: {
      type: 'string',
      pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
      maxLength: 64,
      ...describe('A service name in kebab-case, e.g. `billing`, `analytics`.'),
    },
    messageName: {
      type: 'string',
      pattern: '^[A-Z][a-zA-Z0-9]*$',
      maxLength: 100,
      ...describe('A message (event or command) name in PascalCase, e.g. `WorkspaceSeeded`.'),
    },
    duration: {
      type: 'string',
      pattern: '^[0-9]+(ms|s|m|h|d)$',
      ...describe('A duration: a whole number and a unit (ms, s, m, h, d), e.g. `250ms`, `30s`.'),
      examples: ['250ms', '30s', '10m', '2h'],
    },
    fieldType: {
      type: 'string',
      pattern: '^(uuid|string|text|integer|number|boolean|email|url|datetime|date)(\\[\\])?\\??$',
      ...describe(
        'A payload field type: uuid, string, text, integer, number, boolean, email, url, datetime or date; `[]` for a list, `?` for optional.',
      ),
      examples: ['uuid', 'integer', 'string?', 'email[]'],
    },
  },
} as const satisfies Schema;

export type BlueprintSchema = typeof blueprintSchema;
