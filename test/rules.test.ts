/**
 * One table row per semantic rule: variants of a small valid blueprint that the rule must accept,
 * and variants it must report, with the spot each diagnostic is printed at marked under the YAML.
 */
import { describe, expect, it } from 'vitest';
import type { Severity } from '../src/blueprint/diagnostics.js';
import { rules } from '../src/blueprint/rules/index.js';
import { blueprint } from './support/base-blueprint.js';
import { byPosition, check, yaml } from './support/marked-yaml.js';

interface Variant {
  readonly name: string;
  readonly yaml: string;
}

interface Invalid extends Variant {
  /** The name the message proposes ("did you mean `…`?"), when the rule can guess one. */
  readonly suggestion?: string;
}

interface RuleRow {
  readonly code: string;
  readonly severity: Severity;
  readonly valid: readonly Variant[];
  readonly invalid: readonly Invalid[];
}

const ruleTable: readonly RuleRow[] = [
  {
    code: 'unknown-edition',
    severity: 'error',
    valid: [
      {
        name: 'a default edition that is declared',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              defaultEdition: team
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a misspelt default edition',
        suggestion: 'free',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              defaultEdition: fre
                              ^^^ unknown-edition
          `,
        }),
      },
      {
        name: 'a flag naming an edition that does not exist',
        suggestion: 'team',
        yaml: blueprint({
          flags: yaml`
            flags:
              newEditor: { default: false, editions: [free, teams] }
                                                            ^^^^^ unknown-edition
          `,
        }),
      },
    ],
  },
  {
    code: 'unknown-feature',
    severity: 'error',
    valid: [
      {
        name: 'editions listing declared features only',
        yaml: blueprint({
          features: yaml`
            features:
              notes: { title: Notes }
              sharing: { title: Sharing }
              history: { title: Version history }
          `,
          editions: yaml`
            editions:
              free:
                title: Free
                price: { amount: 0, currency: USD, interval: month }
                features: [notes]
                limits: { seats: 3 }
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing, history]
                limits: { seats: unlimited }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'an edition listing a misspelt feature',
        suggestion: 'notes',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
                title: Free
                price: { amount: 0, currency: USD, interval: month }
                features: [note]
                           ^^^^ unknown-feature
                limits: { seats: 3 }
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: unlimited }
          `,
        }),
      },
    ],
  },
  {
    code: 'missing-limit',
    severity: 'error',
    valid: [
      {
        name: 'every edition naming the same limits',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
                title: Free
                price: { amount: 0, currency: USD, interval: month }
                features: [notes]
                limits: { seats: 3, notebooks: 10 }
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: unlimited, notebooks: unlimited }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'an edition without a limit another edition has',
        yaml: blueprint({
          editions: yaml`
            editions:
              free:
                title: Free
                price: { amount: 0, currency: USD, interval: month }
                features: [notes]
                limits: { seats: 3, notebooks: 10 }
              team:
                title: Team
                price: { amount: 29, currency: USD, interval: month }
                features: [notes, sharing]
                limits: { seats: unlimited }
                ^^^^^^ missing-limit
          `,
        }),
      },
    ],
  },
  {
    code: 'invalid-regex',
    severity: 'error',
    valid: [
      {
        name: 'an anchored slug pattern',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              slug: '^[a-z]{3,}$'
              defaultEdition: free
          `,
        }),
      },
      {
        name: 'no slug pattern (the default applies)',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              defaultEdition: free
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a slug pattern that does not compile',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              slug: '^[a-z+$'
                    ^ invalid-regex
              defaultEdition: free
          `,
        }),
      },
      {
        name: 'an unanchored slug pattern',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              slug: '[a-z][a-z0-9-]+'
                    ^ invalid-regex
              defaultEdition: free
          `,
        }),
      },
      {
        name: 'a slug pattern that accepts the empty slug',
        yaml: blueprint({
          tenancy: yaml`
            tenancy:
              slug: "^[a-z0-9-]*$"
                    ^ invalid-regex
              defaultEdition: free
          `,
        }),
      },
    ],
  },
  {
    code: 'unknown-event',
    severity: 'error',
    valid: [
      {
        name: 'a step waiting for a built-in event another step emits',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  owner: { service: identity, on: TenantRegistered, emits: UserInvited, compensate: DisableUser }
                  notebook: { service: notes, on: UserInvited, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  welcome: { service: notification, on: UserInvited, emits: NotificationSent }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a step waiting for a misspelt event',
        suggestion: 'SubscriptionActivated',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivted, emits: NotebookCreated, compensate: DeleteNotebook }
                                                  ^^^^^^^^^^^^^^^^^^^^ unknown-event
          `,
        }),
      },
      {
        name: 'a lifecycle policy naming a misspelt event',
        suggestion: 'PaymentPastDue',
        yaml: blueprint({
          lifecycle: yaml`
            lifecycle:
              suspendOn: [PaymentPastDu]
                          ^^^^^^^^^^^^^ unknown-event
              reinstateOn: [PaymentSettled]
          `,
        }),
      },
    ],
  },
  {
    code: 'unknown-service',
    severity: 'error',
    valid: [
      {
        name: 'a domain service with a name of its own',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notebooks, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a service one typo away from a built-in',
        suggestion: 'notification',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notifications, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                                       ^^^^^^^^^^^^^ unknown-service
          `,
        }),
      },
      {
        name: 'a misspelt built-in service, reported once although it emits a built-in event',
        suggestion: 'billing',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: biling, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                                           ^^^^^^ unknown-service
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
      {
        name: 'a step on a reserved platform service',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: audit, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                                       ^^^^^ unknown-service
          `,
        }),
      },
    ],
  },
  {
    code: 'builtin-service-contract',
    severity: 'error',
    valid: [
      {
        name: 'built-in services with their own events and compensations',
        yaml: blueprint(),
      },
    ],
    invalid: [
      {
        name: 'a built-in service emitting another event',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: PlanChosen, compensate: CancelSubscription }
                                                                                 ^^^^^^^^^^ builtin-service-contract
                  notebook: { service: notes, on: PlanChosen, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
      {
        name: 'a built-in service with another compensation',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: RefundSubscription }
                                                                                                                    ^^^^^^^^^^^^^^^^^^ builtin-service-contract
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
      {
        name: 'a compensation on a built-in service that cannot be compensated',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                  welcome: { service: notification, on: NotebookCreated, emits: NotificationSent, compensate: RecallEmail }
                                                                                                              ^^^^^^^^^^^ builtin-service-contract
          `,
        }),
      },
      {
        name: "a domain service emitting a built-in service's event",
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  invitation: { service: invitations, on: TenantRegistered, emits: UserInvited }
                                                                                   ^^^^^^^^^^^ builtin-service-contract
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  welcome: { service: notification, on: UserInvited, emits: NotificationSent }
          `,
        }),
      },
    ],
  },
  {
    code: 'reserved-event',
    severity: 'error',
    valid: [
      {
        name: 'a reaction following a platform event',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  welcome: { service: notification, on: TenantProvisioned, emits: NotificationSent }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a step emitting a platform event',
        yaml: blueprint({
          events: '',
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: TenantProvisioned, compensate: DeleteNotebook }
                                                                                ^^^^^^^^^^^^^^^^^ reserved-event
          `,
        }),
      },
      {
        name: 'a step emitting a message of the saga runtime',
        yaml: blueprint({
          events: '',
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: StepFailed, compensate: DeleteNotebook }
                                                                                ^^^^^^^^^^ reserved-event
          `,
        }),
      },
      {
        name: 'a compensation named like an operator command of the runtime',
        yaml: blueprint({
          events: '',
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: SuspendTenant }
                                                                                                             ^^^^^^^^^^^^^ reserved-event
          `,
        }),
      },
      {
        name: 'a built-in event declared again',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                payload: { notebookId: uuid }
              UserInvited:
              ^^^^^^^^^^^ reserved-event
                payload: { email: email }
          `,
        }),
      },
    ],
  },
  {
    code: 'command-conflict',
    severity: 'error',
    valid: [
      {
        name: 'one handler per command, and commands that are not events',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              export:
                startedBy: RequestExport
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken, compensate: DeleteSnapshot }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'two steps with the same compensation',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: CancelSubscription }
                                                                                                             ^^^^^^^^^^^^^^^^^^ command-conflict
          `,
        }),
      },
      {
        name: 'a workflow started by an event',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              export:
                startedBy: NotebookCreated
                           ^^^^^^^^^^^^^^^ command-conflict
                steps:
                  snapshot: { service: exports, on: NotebookCreated, emits: SnapshotTaken }
          `,
        }),
      },
      {
        name: 'a compensation named like an event',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: UserInvited }
                                                                                                             ^^^^^^^^^^^ command-conflict
          `,
        }),
      },
    ],
  },
  {
    code: 'duplicate-emitter',
    severity: 'error',
    valid: [
      {
        name: 'each step emitting its own event',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                  samples: { service: notes, on: NotebookCreated, emits: SamplesAdded }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'two steps emitting the same event',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                  samples: { service: notes, on: SubscriptionActivated, emits: NotebookCreated }
                                                                               ^^^^^^^^^^^^^^^ duplicate-emitter
          `,
        }),
      },
      {
        name: 'a reaction emitting the event of a step',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  backfill: { service: notes, on: TenantProvisioned, emits: NotebookCreated }
                                                                            ^^^^^^^^^^^^^^^ duplicate-emitter
          `,
        }),
      },
    ],
  },
  {
    code: 'duplicate-step-id',
    severity: 'error',
    valid: [
      {
        name: 'distinct ids across workflows',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              export:
                startedBy: RequestExport
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a reaction with the id of a step',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  notebook: { service: notification, on: NotebookCreated, emits: NotificationSent }
                  ^^^^^^^^ duplicate-step-id
          `,
        }),
      },
      {
        name: 'a step of another workflow with the same id',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              export:
                startedBy: RequestExport
                steps:
                  subscription: { service: exports, on: RequestExport, emits: SnapshotTaken }
                  ^^^^^^^^^^^^ duplicate-step-id
          `,
        }),
      },
      {
        name: 'two ids that are one handler method once spelt for code',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  index-notes: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                  indexNotes: { service: notes, on: NotebookCreated, emits: NotesIndexed }
                  ^^^^^^^^^^ duplicate-step-id
          `,
        }),
      },
    ],
  },
  {
    code: 'duplicate-workflow-id',
    severity: 'error',
    valid: [
      {
        name: 'distinct workflow ids',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              data-export:
                startedBy: RequestExport
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'two workflow ids that are one once spelt for code',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              data-export:
                startedBy: RequestExport
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken }
              dataExport:
              ^^^^^^^^^^ duplicate-workflow-id
                startedBy: RequestArchive
                steps:
                  archive: { service: exports, on: RequestArchive, emits: ArchiveTaken }
          `,
        }),
      },
    ],
  },
  {
    code: 'owner-never-activated',
    severity: 'warning',
    valid: [
      {
        name: 'an invited owner whose invitation a notification step mails',
        yaml: blueprint(),
      },
      {
        name: 'no invitation at all',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'an invited owner that no e-mail reaches',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  owner: { service: identity, on: SubscriptionActivated, emits: UserInvited, compensate: DisableUser }
                  ^^^^^ owner-never-activated
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  welcome: { service: notification, on: TenantProvisioned, emits: NotificationSent }
          `,
        }),
      },
    ],
  },
  {
    code: 'step-cycle',
    severity: 'error',
    valid: [
      {
        name: 'a chain of steps',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
              export:
                startedBy: RequestExport
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken }
                  upload: { service: storage, on: SnapshotTaken, emits: ExportUploaded }
          `,
          events: '',
        }),
      },
    ],
    invalid: [
      {
        name: 'two steps waiting for each other',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
              export:
                startedBy: RequestExport
                steps:
                  start: { service: exports, on: RequestExport, emits: ExportStarted }
                  snapshot: { service: exports, on: ExportUploaded, emits: SnapshotTaken }
                                                    ^^^^^^^^^^^^^^ step-cycle
                  upload: { service: storage, on: SnapshotTaken, emits: ExportUploaded }
          `,
          events: '',
        }),
      },
      {
        name: 'a step waiting for its own event',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: NotebookCreated, emits: NotebookCreated }
                                                  ^^^^^^^^^^^^^^^ step-cycle
          `,
        }),
      },
    ],
  },
  {
    code: 'unreachable-step',
    severity: 'error',
    valid: [
      {
        name: 'a reaction following a platform event',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  farewell: { service: notification, on: TenantDecommissioned, emits: NotificationSent }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a step waiting for an event of another workflow',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
              export:
                startedBy: RequestExport
                steps:
                  snapshot: { service: exports, on: RequestExport, emits: SnapshotTaken }
                  upload: { service: storage, on: NotebookCreated, emits: ExportUploaded }
                                                  ^^^^^^^^^^^^^^^ unreachable-step
          `,
        }),
      },
      {
        name: 'a reaction waiting for a built-in event that no step emits',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  welcome: { service: notification, on: UserInvited, emits: NotificationSent }
                                                        ^^^^^^^^^^^ unreachable-step
          `,
        }),
      },
    ],
  },
  {
    code: 'duration-range',
    severity: 'error',
    valid: [
      {
        name: 'the longest timeout and the shortest and longest delays',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                timeout: 30d
                retry: { initialDelay: 1ms, maxDelay: 1d }
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a timeout shorter than a second (which the default retries outlast too)',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                timeout: 500ms
                         ^^^^^ duration-range
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  ^^^^^^^^^^^^ retry-exceeds-timeout
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                  ^^^^^^^^ retry-exceeds-timeout
          `,
        }),
      },
      {
        name: 'a timeout longer than 30 days',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                timeout: 31d
                         ^^^ duration-range
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
      {
        name: 'a zero retry delay',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                retry: { attempts: 3, initialDelay: 0ms }
                                                    ^^^ duration-range
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
          `,
        }),
      },
      {
        name: "a step's first delay longer than the workflow's cap",
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                retry: { maxDelay: 30s }
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook:
                    service: notes
                    on: SubscriptionActivated
                    emits: NotebookCreated
                    compensate: DeleteNotebook
                    retry: { initialDelay: 1m }
                                           ^^ duration-range
          `,
        }),
      },
    ],
  },
  {
    code: 'retry-exceeds-timeout',
    severity: 'warning',
    valid: [
      {
        name: 'retries that fit in the timeout',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                timeout: 1m
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook:
                    service: notes
                    on: SubscriptionActivated
                    emits: NotebookCreated
                    retry: { attempts: 3, initialDelay: 10s }
          `,
        }),
      },
      {
        name: 'a reaction, which the timeout does not wait for',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                timeout: 1m
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
                reactions:
                  welcome:
                    service: notification
                    on: TenantProvisioned
                    retry: { attempts: 10, initialDelay: 10s, maxDelay: 1m }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a step whose retries outlast the timeout',
        yaml: blueprint({
          workflows: yaml`
            workflows:
              onboarding:
                timeout: 1m
                steps:
                  subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
                  notebook:
                  ^^^^^^^^ retry-exceeds-timeout
                    service: notes
                    on: SubscriptionActivated
                    emits: NotebookCreated
                    retry: { attempts: 10, initialDelay: 10s, maxDelay: 1m }
          `,
        }),
      },
    ],
  },
  {
    code: 'lifecycle-conflict',
    severity: 'error',
    valid: [
      {
        name: 'different events to suspend and to reinstate',
        yaml: blueprint({
          lifecycle: yaml`
            lifecycle:
              suspendOn: [PaymentPastDue]
              reinstateOn: [PaymentSettled]
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'an event that both suspends and reinstates',
        yaml: blueprint({
          lifecycle: yaml`
            lifecycle:
              suspendOn: [PaymentPastDue]
              reinstateOn: [PaymentSettled, PaymentPastDue]
                                            ^^^^^^^^^^^^^^ lifecycle-conflict
          `,
        }),
      },
    ],
  },
  {
    code: 'unused-declaration',
    severity: 'warning',
    valid: [
      {
        name: 'a declared command used as a compensation',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                payload: { notebookId: uuid }
              DeleteNotebook:
                payload: { notebookId: uuid, reason: string? }
          `,
        }),
      },
    ],
    invalid: [
      {
        name: 'a feature in no edition',
        yaml: blueprint({
          features: yaml`
            features:
              notes: { title: Notes }
              sharing: { title: Sharing }
              archive: { title: Archive }
              ^^^^^^^ unused-declaration
          `,
        }),
      },
      {
        name: 'an event nothing uses',
        yaml: blueprint({
          events: yaml`
            events:
              NotebookCreated:
                payload: { notebookId: uuid }
              NotebookArchived:
              ^^^^^^^^^^^^^^^^ unused-declaration
                payload: { notebookId: uuid }
          `,
        }),
      },
    ],
  },
];

describe('the base blueprint', () => {
  it('is valid and draws no diagnostic', () => {
    const checked = check(blueprint());
    expect(checked.found).toEqual([]);
    expect(checked.valid).toBe(true);
  });
});

describe('the rule table', () => {
  it('has one row for every rule', () => {
    expect(ruleTable.map((row) => row.code).sort()).toEqual(rules.map((rule) => rule.code).sort());
  });

  it('has valid and invalid variants in every row', () => {
    for (const row of ruleTable) {
      expect(row.valid.length, row.code).toBeGreaterThan(0);
      expect(row.invalid.length, row.code).toBeGreaterThan(0);
    }
  });
});

describe.each(ruleTable)('rule $code', ({ code, severity, valid, invalid }) => {
  it.each(valid)('accepts $name', (variant) => {
    const checked = check(variant.yaml);
    expect(checked.found).toEqual([]);
    expect(checked.valid).toBe(true);
  });

  it.each(invalid)('reports $name', (variant) => {
    const checked = check(variant.yaml);
    expect(checked.marks.map((mark) => mark.code)).toContain(code);
    expect(byPosition(checked.found)).toEqual(byPosition(checked.marks));

    const reported = checked.diagnostics.filter((diagnostic) => diagnostic.code === code);
    for (const diagnostic of reported) {
      expect(diagnostic.severity).toBe(severity);
      expect(diagnostic.pointer).toMatch(/^\//);
      if (variant.suggestion === undefined) {
        expect(diagnostic.message).not.toContain('did you mean');
      } else {
        expect(diagnostic.message).toContain(`did you mean \`${variant.suggestion}\`?`);
      }
    }
  });
});
