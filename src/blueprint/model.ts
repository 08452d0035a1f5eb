/**
 * The normalized blueprint: defaults applied, durations in milliseconds, maps turned into ordered
 * lists. Every element keeps the JSON pointer it came from so that rules can point at it.
 */

export type Isolation = 'pooled' | 'schema';
export type Backoff = 'exponential' | 'linear' | 'fixed';

export interface RetryPolicy {
  readonly attempts: number;
  readonly backoff: Backoff;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface Feature {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly pointer: string;
}

export interface Limit {
  readonly id: string;
  /** `null` means unlimited. */
  readonly max: number | null;
  readonly pointer: string;
}

export interface Edition {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly trialDays: number;
  readonly price: {
    readonly amount: number;
    readonly currency: string;
    readonly interval: 'month' | 'year';
  };
  readonly features: readonly { readonly id: string; readonly pointer: string }[];
  readonly limits: readonly Limit[];
  readonly pointer: string;
}

export interface Flag {
  readonly id: string;
  readonly default: boolean;
  readonly editions: readonly { readonly id: string; readonly pointer: string }[];
  readonly description?: string;
  readonly pointer: string;
}

export interface Field {
  readonly name: string;
  readonly type: string;
  readonly list: boolean;
  readonly optional: boolean;
}

export interface MessageDeclaration {
  readonly name: string;
  readonly version: number;
  readonly payload: readonly Field[];
  readonly description?: string;
  readonly pointer: string;
}

export interface Step {
  readonly id: string;
  readonly workflowId: string;
  readonly kind: 'step' | 'reaction';
  readonly service: string;
  readonly on: string;
  readonly emits?: string;
  readonly compensate?: string;
  readonly retry: RetryPolicy;
  readonly description?: string;
  readonly pointer: string;
}

export interface Workflow {
  readonly id: string;
  readonly kind: 'onboarding' | 'domain';
  /** `TenantRegistered` for onboarding, the `startedBy` command otherwise. */
  readonly trigger: string;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly steps: readonly Step[];
  readonly reactions: readonly Step[];
  readonly description?: string;
  readonly pointer: string;
}

export interface Model {
  readonly product: {
    readonly name: string;
    readonly title: string;
    readonly description?: string;
  };
  readonly tenancy: {
    readonly isolation: Isolation;
    readonly slugPattern: string;
    readonly defaultEdition: string;
  };
  readonly features: readonly Feature[];
  readonly editions: readonly Edition[];
  readonly flags: readonly Flag[];
  readonly messages: readonly MessageDeclaration[];
  readonly workflows: readonly Workflow[];
  readonly lifecycle: {
    readonly suspendOn: readonly { readonly name: string; readonly pointer: string }[];
    readonly reinstateOn: readonly { readonly name: string; readonly pointer: string }[];
  };
}
