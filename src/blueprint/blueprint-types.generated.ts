/* Generated from src/blueprint/schema.ts by `npm run schema:write`. Do not edit. */

/**
 * An id in camelCase or kebab-case, e.g. `newDashboard`, `data-export`.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "identifier".
 */
export type Identifier = string;
/**
 * A payload field type: uuid, string, text, integer, number, boolean, email, url, datetime or date; `[]` for a list, `?` for optional.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "fieldType".
 */
export type FieldType = string | undefined;
/**
 * A message (event or command) name in PascalCase, e.g. `WorkspaceSeeded`.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "messageName".
 */
export type MessageName = string;
/**
 * A service name in kebab-case, e.g. `billing`, `analytics`.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "serviceName".
 */
export type ServiceName = string;
/**
 * A duration: a whole number and a unit (ms, s, m, h, d), e.g. `250ms`, `30s`.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "duration".
 */
export type Duration = string;

/**
 * Describes a SaaS product: its tenancy, editions (plans with features and limits) and workflows. `saas-gen new` turns it into a runnable TypeScript product.
 */
export interface SaasGenBlueprintV1 {
  /**
   * Optional JSON Schema reference for editors; ignored by saas-gen.
   */
  $schema?: string;
  /**
   * Blueprint format version. Only `1` exists.
   */
  blueprint: 1;
  /**
   * The product being generated.
   */
  product: {
    /**
     * npm package name of the generated product (kebab-case), e.g. `acme-analytics`.
     */
    name: string;
    /**
     * Human-readable product name.
     */
    title: string;
    /**
     * One sentence about the product.
     */
    description?: string;
  };
  /**
   * How tenants are kept apart and named.
   */
  tenancy: {
    /**
     * pooled: one set of tables with tenant_id on every row; schema: a database schema (or SQLite file) per tenant.
     */
    isolation?: 'pooled' | 'schema';
    /**
     * Regular expression (ECMAScript) that every tenant slug must match. Anchor it with ^ and $.
     */
    slug?: string;
    /**
     * Edition given to a sign-up that names none; must be an edition id.
     */
    defaultEdition: string;
  };
  /**
   * The feature catalogue, keyed by feature id. Editions may only name these features.
   */
  features: {
    [k: string]:
      | {
          /**
           * Display name of the feature.
           */
          title: string;
          /**
           * What the feature gives a tenant.
           */
          description?: string;
        }
      | undefined;
  };
  /**
   * The editions (plans), keyed by edition id. At least one.
   */
  editions: {
    [k: string]: Edition | undefined;
  };
  /**
   * Configuration flags, keyed by flag id. Precedence: tenant override, then edition, then default.
   */
  flags?: {
    [k: string]:
      | {
          /**
           * Value of the flag for editions not listed.
           */
          default: boolean;
          /**
           * Editions for which the flag is the opposite of its default.
           */
          editions?: Identifier[];
          /**
           * What the flag switches.
           */
          description?: string;
        }
      | undefined;
  };
  /**
   * Domain messages (events and commands) with their payloads. The built-in events are implicit; undeclared commands have an empty payload.
   */
  events?: {
    [k: string]:
      | {
          /**
           * Payload fields and their types.
           */
          payload?: {
            [k: string]: FieldType | undefined;
          };
          /**
           * Schema version of the message, carried in the envelope.
           */
          version?: number;
          /**
           * What the message means.
           */
          description?: string;
        }
      | undefined;
  };
  /**
   * Workflows keyed by id: `onboarding` (required) and any number of domain workflows.
   */
  workflows: {
    onboarding: OnboardingWorkflow;
    [workflowId: string]: DomainWorkflow | OnboardingWorkflow;
  };
  /**
   * Events that move an Active tenant to Suspended and back.
   */
  lifecycle?: {
    /**
     * Events that suspend an Active tenant, e.g. `PaymentPastDue`.
     */
    suspendOn?: MessageName[];
    /**
     * Events that reinstate a Suspended tenant, e.g. `PaymentSettled`.
     */
    reinstateOn?: MessageName[];
  };
}
/**
 * A plan a tenant subscribes to: its price, trial, features and limits.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "edition".
 */
export interface Edition {
  /**
   * Display name of the edition.
   */
  title: string;
  /**
   * Marketing description of the edition.
   */
  description?: string;
  /**
   * Days of free trial before the first charge (0: no trial).
   */
  trialDays?: number;
  /**
   * Recurring price of the edition.
   */
  price: {
    /**
     * Price per interval in major units (49 means 49.00).
     */
    amount: number;
    /**
     * ISO 4217 currency code, e.g. `USD`, `EUR`.
     */
    currency: string;
    /**
     * Billing interval.
     */
    interval: 'month' | 'year';
  };
  /**
   * Features of the edition; each must be declared under `features`.
   */
  features: Identifier[];
  /**
   * Metered limits (seats, projects, …). Every edition names the same limits; use `unlimited` for no cap.
   */
  limits: {
    /**
     * A metered limit: a non-negative integer, or `unlimited`.
     */
    [k: string]: (number | 'unlimited') | undefined;
  };
}
/**
 * How a failing step is retried before its message is dead-lettered. A step may override any field.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "retry".
 */
export interface Retry {
  /**
   * Total attempts, including the first one (1 means no retry).
   */
  attempts?: number;
  /**
   * How the delay grows between attempts: exponential (doubles), linear (adds initialDelay) or fixed.
   */
  backoff?: 'exponential' | 'linear' | 'fixed';
  /**
   * Delay before the second attempt, e.g. `200ms`.
   */
  initialDelay?: string;
  /**
   * Upper bound of any single delay, e.g. `30s`.
   */
  maxDelay?: string;
}
/**
 * A step the workflow waits for: idempotent, retried, and compensatable.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "step".
 */
export interface Step {
  /**
   * The service that handles the step.
   */
  service: string;
  /**
   * A message (event or command) name in PascalCase, e.g. `WorkspaceSeeded`.
   */
  on: string;
  /**
   * A message (event or command) name in PascalCase, e.g. `WorkspaceSeeded`.
   */
  emits: string;
  /**
   * A message (event or command) name in PascalCase, e.g. `WorkspaceSeeded`.
   */
  compensate?: string;
  retry?: Retry;
  /**
   * What the step does, for the generated docs.
   */
  description?: string;
}
/**
 * A follow-up the saga does not wait for (an e-mail, a webhook). It is retried like a step but never compensated.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "reaction".
 */
export interface Reaction {
  /**
   * The service that handles the step.
   */
  service: string;
  /**
   * A message (event or command) name in PascalCase, e.g. `WorkspaceSeeded`.
   */
  on: string;
  /**
   * A message (event or command) name in PascalCase, e.g. `WorkspaceSeeded`.
   */
  emits?: string;
  retry?: Retry;
  /**
   * What the step does, for the generated docs.
   */
  description?: string;
}
/**
 * The tenant-onboarding saga (required). It starts with the built-in `TenantRegistered` event and makes the tenant `Active` when every step succeeded.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "onboardingWorkflow".
 */
export interface OnboardingWorkflow {
  /**
   * How long the workflow may take before it fails (onboarding: `ProvisioningFailed` and `TenantProvisioningTimedOut`).
   */
  timeout?: string;
  retry?: Retry;
  /**
   * The steps, keyed by step id. The workflow completes when every step has succeeded. Step ids are unique across the blueprint.
   */
  steps: {
    [k: string]: Step;
  };
  /**
   * Follow-ups the workflow does not wait for, keyed by id.
   */
  reactions?: {
    [k: string]: Reaction;
  };
  /**
   * What the workflow is for, for the generated docs.
   */
  description?: string;
}
/**
 * A domain saga started for an Active tenant by a command accepted by the API.
 *
 * This interface was referenced by `SaasGenBlueprintV1`'s JSON-Schema
 * via the `definition` "domainWorkflow".
 */
export interface DomainWorkflow {
  /**
   * A message (event or command) name in PascalCase, e.g. `WorkspaceSeeded`.
   */
  startedBy: string;
  /**
   * How long the workflow may take before it fails (onboarding: `ProvisioningFailed` and `TenantProvisioningTimedOut`).
   */
  timeout?: string;
  retry?: Retry;
  /**
   * The steps, keyed by step id. The workflow completes when every step has succeeded. Step ids are unique across the blueprint.
   */
  steps: {
    [k: string]: Step;
  };
  /**
   * Follow-ups the workflow does not wait for, keyed by id.
   */
  reactions?: {
    [k: string]: Reaction;
  };
  /**
   * What the workflow is for, for the generated docs.
   */
  description?: string;
}
