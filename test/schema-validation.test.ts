/**
 * The JSON Schema stage, area by area, and the YAML problems found before it: each variant of a
 * small valid blueprint marks under its YAML every diagnostic it must draw, at the spot printed.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { blueprint } from './support/base-blueprint.js';
import { byPosition, check, yaml } from './support/marked-yaml.js';

interface Variant {
  readonly name: string;
  readonly yaml: string;
}

interface Invalid extends Variant {
  /** A name that some message proposes ("did you mean `…`?"). */
  readonly suggestion?: string;
}

interface AreaRow {
  readonly area: string;
  readonly valid: readonly Variant[];
  readonly invalid: readonly Invalid[];
}

const schemaTable: readonly AreaRow[] = [
  {
    area: 'top-level keys and version',
    valid: [
      {
        name: 'an editor modeline and a `$schema` key',
        yaml: `# yaml-language-server: $schema=./blueprint.schema.json\n$schema: ./blueprint.schema.json\n${blueprint()}`,
      },
    ],
    invalid: [
      {
        name: 'an unknown top-level key',
        suggestion: 'lifecycle',
        yaml: blueprint({
          lifecycle: yaml`
            lifecycel:
            ^^^^^^^^^ unknown-key
              suspendOn: [PaymentPastDue]
          `,
        }),
      },
      {
        name: 'a missing top-level key, reported at the first key',
        yaml: blueprint({
          version: yaml`
            blueprint: 1
            ^ missing-key
          `,
          product: '',
        }),
      },
      {
        name: 'a version other than 1',
        yaml: blueprint({
          version: yaml`
            blueprint: 2
                       ^ invalid-value
          `,
        }),
      },
      {
        name: 'the version as a string',
        yaml: blueprint({
          version: yaml`
            blueprint: "1"
                       ^ invalid-value
          `,
        }),
      },
      {
        name: 'a list instead of a mapping',
        yaml: yaml`
          - blueprint: 1
          ^ invalid-type
        `,
      },
    ],
  },
  {
    area: 'product',
    valid: [
      {
        name: 'a description',
        yaml: blueprint({
          product: yaml`
            product: { name: acme-notes, title: Acme Notes, description: Notes for teams. }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a name that is not kebab-case',
        yaml: blueprint({
          product: yaml`
            product:
              name: AcmeNotes
                    ^ invalid-name
              title: Acme Notes
          `,
        }),
      },
      {
        name: 'a name longer than npm allows',
        yaml: blueprint({
          product: `product:\n  name: ${'a'.repeat(215)}\n        ^ out-of-range\n  title: Acme`,
        }),
      },
      {
        name: 'an empty title',
        yaml: blueprint({
          product: yaml`
            product:
              name: acme-notes
              title: ""
                     ^ out-of-range
          `,
        }),
      },
      {
        name: 'a misspelt key, which also leaves a required key missing',
        suggestion: 'title',
        yaml: blueprint({
          product: yaml`
            product:
            ^ missing-key
              name: acme-notes
              titel: Acme Notes
              ^ unknown-key
          `,
        }),
      },
      {
        name: 'a string instead of a mapping',
        yaml: blueprint({
          product: yaml`
            product: acme-notes
                     ^ invalid-type
          `,
        }),
      },
    ],
  },
  {
    area: 'tenancy',
    valid: [
      {
        name: 'schema isolation and the default slug pattern',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              isolation: schema
              defaultEdition: free
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'an unknown isolation',
        suggestion: 'pooled',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              isolation: pool
                         ^ invalid-value
              defaultEdition: free
          `,
        }),
      },
      {
        name: 'no default edition',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
            ^ missing-key
              isolation: pooled
          `,
        }),
      },
      {
        name: 'a default edition that is not an id',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              defaultEdition: Free
                              ^ invalid-name
          `,
        }),
      },
      {
        name: 'an empty slug pattern',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              slug: ''
                    ^ out-of-range
              defaultEdition: free
          `,
        }),
      },
      {
        name: 'a slug pattern that is not a string',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              slug: 42
                    ^ invalid-type
              defaultEdition: free
          `,
        }),
      },
    ],
  },
  {
    area: 'features',
    valid: [
      {
        name: 'a feature with a description',
        yaml: blueprint({
          features: yaml`
            features:
              notes: { title: Notes, description: Unlimited notebooks. }
              sharing: { title: Sharing }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a feature without a title',
        yaml: blueprint({
          features: yaml`
            features:
              notes: { title: Notes }
              sharing: { description: Share notebooks. }
              ^ missing-key
          `,
        }),
      },
      {
        name: 'a feature id that is not camelCase or kebab-case',
        yaml: blueprint({
          features: yaml`
            features:
              notes: { title: Notes }
              sharing: { title: Sharing }
              Export_CSV: { title: CSV export }
              ^ invalid-name
          `,
        }),
      },
      {
        name: 'an unknown key in a feature',
        suggestion: 'description',
        yaml: blueprint({
          features: yaml`
            features:
              notes: { title: Notes, descripton: Unlimited notebooks. }
                                     ^ unknown-key
              sharing: { title: Sharing }
          `,
        }),
      },
    ],
  },
  {
    area: 'editions, prices and limits',
    valid: [
      {
        name: 'a yearly price in euros, a trial and unlimited limits',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
                title: Free
                price: { amount: 0, currency: EUR, interval: year }
                features: []
                limits: { seats: 0 }
              team:
                title: Team
                description: For growing teams.
                trialDays: 365
                price: { amount: 9.5, currency: EUR, interval: year }
                features: [notes, sharing]
                limits: { seats: unlimited }
          `,
          features: yaml`
            features:
              notes: { title: Notes }
              sharing: { title: Sharing }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'an edition without a price',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
              ^ missing-key
                title: Free
                features: [notes]
                limits: { seats: 3 }
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: unlimited }
          `,
        }),
      },
      {
        name: 'a negative price, a lower-case currency and an unknown interval',
        suggestion: 'month',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
                title: Free
                price: { amount: -1, currency: usd, interval: monthly }
                                 ^ out-of-range
                                               ^ invalid-value
                                                              ^ invalid-value
                features: [notes]
                limits: { seats: 3 }
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: unlimited }
          `,
        }),
      },
      {
        name: 'a price amount that is not a number',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
                title: Free
                price: { amount: free, currency: USD, interval: month }
                                 ^ invalid-type
                features: [notes]
                limits: { seats: 3 }
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: unlimited }
          `,
        }),
      },
      {
        name: 'trial days that are out of range or not whole',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
                title: Free
                trialDays: 400
                           ^ out-of-range
                price: { amount: 0, currency: USD, interval: month }
                features: [notes]
                limits: { seats: 3 }
              team:
                title: Team
                trialDays: 1.5
                           ^ invalid-type
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: unlimited }
          `,
        }),
      },
      {
        name: 'a feature listed twice',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
                title: Free
                price: { amount: 0, currency: USD, interval: month }
                features: [notes, notes]
                                  ^ duplicate-item
                limits: { seats: 3 }
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: unlimited }
          `,
        }),
      },
      {
        name: 'limits that are negative or words other than `unlimited`',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
                title: Free
                price: { amount: 0, currency: USD, interval: month }
                features: [notes]
                limits: { seats: -1 }
                                 ^ invalid-value
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: lots }
                                 ^ invalid-value
          `,
        }),
      },
      {
        name: 'a misspelt edition key',
        suggestion: 'features',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
              ^ missing-key
                title: Free
                price: { amount: 0, currency: USD, interval: month }
                feature: [notes]
                ^ unknown-key
                limits: { seats: 3 }
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: unlimited }
          `,
        }),
      },
      {
        name: 'no edition at all',
        yaml: blueprint({
          editions: yaml`
            editions: {}
            ^ out-of-range
          `,
          flags: '',
          features: yaml`
            features: {}
          `,
        }),
      },
    ],
  },
  {
    area: 'flags',
    valid: [
      {
        name: 'a flag on by default with a description and no editions',
        yaml: blueprint({
          flags: yaml`
            flags:
              darkMode: { default: true, description: Dark theme. }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a flag without a default',
        yaml: blueprint({
          flags: yaml`
            flags:
              newEditor: { editions: [team] }
              ^ missing-key
          `,
        }),
      },
      {
        name: 'a default that is not a boolean',
        yaml: blueprint({
          flags: yaml`
            flags:
              newEditor: { default: "no", editions: [team] }
                                    ^ invalid-type
          `,
        }),
      },
      {
        name: 'an edition listed twice',
        yaml: blueprint({
          flags: yaml`
            flags:
              newEditor: { default: false, editions: [team, team] }
                                                            ^ duplicate-item
          `,
        }),
      },
      {
        name: 'a misspelt key, and a flag id with an underscore',
        suggestion: 'editions',
        yaml: blueprint({
          flags: yaml`
            flags:
              new_editor: { default: false, edition: [team] }
              ^ invalid-name
                                            ^ unknown-key
          `,
        }),
      },
    ],
  },
  {
    area: 'events and payload field types',
    valid: [
      {
        name: 'every field type, as a list and optional',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                version: 2
                description: A notebook was created.
                payload:
                  notebookId: uuid
                  title: string
                  body: text
                  pages: integer
                  score: number?
                  shared: boolean
                  owners: email[]
                  links: url[]?
                  createdAt: datetime
                  dueOn: date?
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'an event name that is not PascalCase',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                payload: { notebookId: uuid }
              notebookShared:
              ^ invalid-name
                payload: { notebookId: uuid }
          `,
        }),
      },
      {
        name: 'an unknown field type',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                payload: { notebookId: uuid, pages: int }
                                                    ^ invalid-field-type
          `,
        }),
      },
      {
        name: 'a list marker after the optional marker',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                payload: { notebookId: uuid, tags: "string?[]" }
                                                   ^ invalid-field-type
          `,
        }),
      },
      {
        name: 'a field name with an underscore',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                payload: { notebook_id: uuid }
                           ^ invalid-name
          `,
        }),
      },
      {
        name: 'version 0 and a misspelt key',
        suggestion: 'payload',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                version: 0
                         ^ out-of-range
                payloads: { notebookId: uuid }
                ^ unknown-key
          `,
        }),
      },
      {
        name: 'a payload that is a list (printed at its key)',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                payload: [notebookId]
                ^ invalid-type
          `,
        }),
      },
    ],
  },
  {
    area: 'the onboarding workflow',
    valid: [
      {
        name: 'a description, a timeout and no reactions',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                description: From sign-up to a ready tenant.
                timeout: 2h
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'no onboarding workflow',
        yaml: blueprint({
          workflows: yaml`
            workflows:
            ^ missing-key
              dataExport:
                startedBy: RequestExport
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: NotebookCreated }
          `,
        }),
      },
      {
        name: 'a `startedBy` on onboarding',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                startedBy: SignUp
                ^ unknown-key
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
      {
        name: 'no steps',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
              ^ missing-key
                timeout: 10m
          `,
          events: '',
        }),
      },
      {
        name: 'an empty map of steps',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps: {}
                ^ out-of-range
          `,
          events: '',
        }),
      },
      {
        name: 'a timeout that is not a duration',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                timeout: 10 minutes
                         ^ invalid-duration
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
    ],
  },
  {
    area: 'domain workflows',
    valid: [
      {
        name: 'a workflow started by a command',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              dataExport:
                startedBy: RequestExport
                timeout: 1h
                description: Exports every notebook as CSV.
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a workflow without `startedBy`',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              dataExport:
              ^ missing-key
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken }
          `,
        }),
      },
      {
        name: 'a misspelt `startedBy`',
        suggestion: 'startedBy',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              dataExport:
              ^ missing-key
                startedby: RequestExport
                ^ unknown-key
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken }
          `,
        }),
      },
      {
        name: 'a workflow id with an underscore, and a command that is not PascalCase',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              data_export:
              ^ invalid-name
                startedBy: requestExport
                           ^ invalid-name
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken }
          `,
        }),
      },
    ],
  },
  {
    area: 'steps',
    valid: [
      {
        name: 'a step in block style with a description and no compensation',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook:
                    service: notes
                    on: SubscriptionActivated
                    emits: NotebookCreated
                    description: Creates a first notebook.
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a step without `emits`',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                  samples: { service: notes, on: NotebookCreated }
                  ^ missing-key
          `,
        }),
      },
      {
        name: 'a step without `service` and `on`',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { emits: NotebookCreated, compensate: DeleteNotebook }
                  ^ missing-key
                  ^ missing-key
          `,
        }),
      },
      {
        name: 'a step id and a service that are not kebab-case',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  Notebook: { service: Notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                  ^ invalid-name
                                       ^ invalid-name
          `,
        }),
      },
      {
        name: 'a misspelt key',
        suggestion: 'compensate',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensation: DeleteNotebook }
                                                                                                 ^ unknown-key
          `,
        }),
      },
      {
        name: 'a list where a message name belongs (printed at its key)',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: [SubscriptionActivated, UserInvited], emits: NotebookCreated }
                                              ^ invalid-type
          `,
        }),
      },
    ],
  },
  {
    area: 'reactions',
    valid: [
      {
        name: 'a reaction without `emits`',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  crm: { service: crm-sync, on: TenantProvisioned }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a reaction with a compensation',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  crm: { service: crm-sync, on: TenantProvisioned, compensate: UnsyncTenant }
                                                                   ^ unknown-key
          `,
        }),
      },
      {
        name: 'a reaction without `on`',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  crm: { service: crm-sync }
                  ^ missing-key
          `,
        }),
      },
    ],
  },
  {
    area: 'retry policies',
    valid: [
      {
        name: 'every backoff, at workflow and step level',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                timeout: 1h
                retry: { attempts: 25, backoff: linear, initialDelay: 1s, maxDelay: 2s }
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              dataExport:
                startedBy: RequestExport
                retry: { attempts: 1, backoff: fixed }
                steps:
                  snapshot:
                    service: exports
                    on: RequestExport
                    emits: SnapshotTaken
                    retry: { backoff: exponential, initialDelay: 250ms, maxDelay: 2h }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'attempts out of range or not whole',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                retry: { attempts: 0 }
                                   ^ out-of-range
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              dataExport:
                startedBy: RequestExport
                retry: { attempts: 26 }
                                   ^ out-of-range
                steps:
                  snapshot:
                    service: exports
                    on: RequestExport
                    emits: SnapshotTaken
                    retry: { attempts: 2.5 }
                                       ^ invalid-type
          `,
        }),
      },
      {
        name: 'a misspelt backoff',
        suggestion: 'exponential',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                retry: { backoff: exponentail }
                                  ^ invalid-value
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
      {
        name: 'delays that are not durations',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                retry: { initialDelay: 200, maxDelay: 30 s }
                                       ^ invalid-type
                                                      ^ invalid-duration
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
      {
        name: 'a misspelt key in a step retry',
        suggestion: 'attempts',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook:
                    service: notes
                    on: SubscriptionActivated
                    emits: NotebookCreated
                    retry: { attempt: 3 }
                             ^ unknown-key
          `,
        }),
      },
    ],
  },
  {
    area: 'lifecycle',
    valid: [
      {
        name: 'no lifecycle policy',
        yaml: blueprint({ lifecycle: '' }),
      },
      {
        name: 'domain events in the policy',
        yaml: blueprint({
          lifecycle: yaml`
            lifecycle:
              suspendOn: [PaymentPastDue, NotebookCreated]
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a single event instead of a list',
        yaml: blueprint({
          lifecycle: yaml`
            lifecycle:
              suspendOn: PaymentPastDue
                         ^ invalid-type
          `,
        }),
      },
      {
        name: 'an event listed twice, and a name that is not PascalCase',
        yaml: blueprint({
          lifecycle: yaml`
            lifecycle:
              suspendOn: [PaymentPastDue, PaymentPastDue]
                                          ^ duplicate-item
              reinstateOn: [paymentSettled]
                            ^ invalid-name
          `,
        }),
      },
      {
        name: 'a misspelt key',
        suggestion: 'reinstateOn',
        yaml: blueprint({
          lifecycle: yaml`
            lifecycle:
              suspendOn: [PaymentPastDue]
              reinstateon: [PaymentSettled]
              ^ unknown-key
          `,
        }),
      },
    ],
  },
  {
    area: 'YAML',
    valid: [
      {
        name: 'block scalars, anchors and a quoted list type in a flow mapping',
        yaml: blueprint({
          product: yaml`
            product:
              name: acme-notes
              title: &title Acme Notes
              description: >
                Notebooks for teams,
                shared in real time.
          `,
          events: yaml`
            events:
              NotebookCreated:
                description: *title
                payload: { notebookId: uuid, owners: "email[]" }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a tab used for indentation',
        yaml: blueprint({
          product: yaml`
            product:
            \tname: acme-notes
            ^ yaml-tab
            \ttitle: Acme Notes
            ^ yaml-tab
          `,
        }),
      },
      {
        name: 'a tab among keys indented with spaces, without the syntax errors it causes',
        yaml: blueprint({
          product: yaml`
            product:
              name: acme-notes
            \ttitle: Acme Notes
            ^ yaml-tab
              description: Notebooks for teams.
          `,
        }),
      },
      {
        name: 'a key written twice',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              defaultEdition: free
              isolation: pooled
              defaultEdition: team
              ^ yaml-duplicate-key
          `,
        }),
      },
      {
        name: 'unquoted brackets in a flow mapping',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                payload: { notebookId: uuid, owners: email[] }
                                                          ^ yaml-syntax
          `,
        }),
      },
      {
        name: 'an unclosed quote, printed at its opening quote',
        yaml: blueprint({
          product: yaml`
            product:
              name: acme-notes
              title: "Acme Notes
                     ^ yaml-syntax
          `,
        }),
      },
      {
        name: 'a second document',
        yaml: `${blueprint()}\n---\n^ yaml-multiple-documents\nblueprint: 1`,
      },
    ],
  },
];

describe.each(schemaTable)('schema: $area', ({ valid, invalid }) => {
  it.each(valid)('accepts $name', (variant) => {
    const checked = check(variant.yaml);
    expect(checked.found).toEqual([]);
    expect(checked.valid).toBe(true);
  });

  it.each(invalid)('reports $name', (variant) => {
    const checked = check(variant.yaml);
    expect(checked.marks.length).toBeGreaterThan(0);
    expect(byPosition(checked.found)).toEqual(byPosition(checked.marks));
    expect(checked.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    if (variant.suggestion !== undefined) {
      expect(checked.diagnostics.map((d) => d.message).join('\n')).toContain(
        `did you mean \`${variant.suggestion}\`?`,
      );
    }
  });
});

describe('YAML problems', () => {
  it('reports an empty file as an empty blueprint', () => {
    const checked = check('');
    expect(checked.found).toEqual([{ code: 'invalid-type', line: 1, col: 1 }]);
    expect(checked.diagnostics[0]?.message).toContain('empty');
  });

  it('reports a file of comments only as an empty blueprint', () => {
    const checked = check('# a blueprint, one day\n\n# nothing yet\n');
    expect(checked.found).toEqual([{ code: 'invalid-type', line: 1, col: 1 }]);
  });

  it('reports only the first syntax error, whose followers are its consequences', () => {
    const checked = check(
      blueprint({
        features: yaml`
          features: { notes: { title: Notes }, sharing: [ }
                                                          ^ yaml-syntax
        `,
      }),
    );
    expect(parseDocument(checked.text).errors.length).toBeGreaterThan(1);
    expect(checked.found).toEqual(checked.marks);
  });

  it('says how to quote brackets inside a flow mapping', () => {
    const checked = check(
      blueprint({
        events: yaml`
          events:
            NotebookCreated: { payload: { owners: email[] } }
        `,
      }),
    );
    expect(checked.diagnostics[0]?.hint).toContain('"email[]"');
  });

  it('names a second document in words a blueprint author knows', () => {
    const checked = check(`${blueprint()}\n---\nblueprint: 1\n`);
    expect(checked.diagnostics[0]?.message).toBe('YAML: the file holds more than one document');
  });

  it('does not count a byte-order mark as a column', () => {
    const checked = check(`\uFEFF${blueprint({ version: 'blueprint: 2' })}`);
    expect(checked.found).toEqual([{ code: 'invalid-value', line: 1, col: 12 }]);
  });
});

describe('every problem collected', () => {
  it('reports independent mistakes all over one file, schema and rules alike', () => {
    const checked = check(yaml`
      blueprint: 1
      product:
      ^ missing-key
        name: acme-notes
        titel: Acme Notes
        ^ unknown-key
      tenancy:
        slug: '[a-z]+'
              ^ invalid-regex
        defaultEdition: fre
                        ^ unknown-edition
      features:
        notes: { title: Notes }
      editions:
        free:
        ^ missing-key
          price: { amount: 0, currency: usd, interval: month }
                                        ^ invalid-value
          features: [notes, nots]
                            ^ unknown-feature
          limits: { seats: 3 }
      events:
        NotebookCreated:
          payload: { notebookId: uuid, pages: int }
                                              ^ invalid-field-type
      workflows:
        onboarding:
          timeout: 10 mins
                   ^ invalid-duration
          steps:
            subscription: { service: biling, on: TenantRegistered, emits: NotebookCreated }
                                     ^ unknown-service
            notebook: { service: notes, on: SubscriptionActivated }
            ^ missing-key
                                            ^ unreachable-step
      lifecycle:
        suspendOn: [PaymentPastDue]
        reinstateOn: [PaymentPastDue]
                      ^ lifecycle-conflict
    `);
    expect(byPosition(checked.found)).toEqual(byPosition(checked.marks));
  });
});

describe('a missing key', () => {
  it('has the pointer of the absent key and is printed at its parent', () => {
    const checked = check(
      blueprint({
        product: yaml`
          product:
          ^ missing-key
            name: acme-notes
        `,
      }),
    );
    expect(checked.found).toEqual(checked.marks);
    expect(checked.diagnostics[0]?.pointer).toBe('/product/title');
  });

  it('names a sibling that looks like its misspelling', () => {
    const checked = check(
      blueprint({
        workflows: yaml`
          workflows:
          ^ missing-key
            onbording:
            ^ missing-key
              steps:
                subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
        `,
      }),
    );
    expect(byPosition(checked.found)).toEqual(byPosition(checked.marks));
    const onboarding = checked.diagnostics.find((d) => d.pointer === '/workflows/onboarding');
    expect(onboarding?.message).toContain('(is `onbording` a misspelling of it?)');
    expect(onboarding?.hint).toBe('rename `onbording` to `onboarding`');
  });

  it('does not hide the mistakes next to it', () => {
    const checked = check(
      blueprint({
        workflows: yaml`
          workflows:
            onboarding:
              steps:
                subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                notebook: { service: notes, on: SubscriptionActivted, compensate: DeleteNotebook }
                ^ missing-key
                                                ^ unknown-event
            dataExport:
            ^ missing-key
              startedby: RequestExport
              ^ unknown-key
              steps:
                snapshot: { service: biling, on: RequestExport, emits: SnapshotTaken }
                                     ^ unknown-service
        `,
        events: '',
      }),
    );
    expect(byPosition(checked.found)).toEqual(byPosition(checked.marks));
  });
});
