/**
 * A small valid blueprint, section by section. Tests build variants by replacing whole sections,
 * so each variant shows in full the part of the blueprint it is about.
 */
import { yaml } from './marked-yaml.js';

export const baseSections = {
  version: yaml`
    blueprint: 1
  `,
  product: yaml`
    product:
      name: acme-notes
      title: Acme Notes
  `,
  tenancy: yaml`
    tenancy:
      slug: '^[a-z][a-z0-9-]{2,39}$'
      defaultEdition: free
  `,
  features: yaml`
    features:
      notes: { title: Notes }
      sharing: { title: Sharing }
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
        trialDays: 14
        price: { amount: 29, currency: USD, interval: month }
        features: [notes, sharing]
        limits: { seats: unlimited }
  `,
  flags: yaml`
    flags:
      newEditor: { default: false, editions: [team] }
  `,
  events: yaml`
    events:
      NotebookCreated:
        payload: { notebookId: uuid }
  `,
  workflows: yaml`
    workflows:
      onboarding:
        timeout: 10m
        steps:
          subscription: { service: billing, on: TenantRegistered, emits: SubscriptionActivated, compensate: CancelSubscription }
          owner: { service: identity, on: TenantRegistered, emits: UserInvited, compensate: DisableUser }
          notebook: { service: notes, on: SubscriptionActivated, emits: NotebookCreated, compensate: DeleteNotebook }
        reactions:
          welcome: { service: notification, on: UserInvited, emits: NotificationSent }
  `,
  lifecycle: yaml`
    lifecycle:
      suspendOn: [PaymentPastDue]
      reinstateOn: [PaymentSettled]
  `,
};

export type Sections = typeof baseSections;

/** The base blueprint with some sections replaced; `''` leaves a section out. */
export function blueprint(replaced: Partial<Sections> = {}): string {
  const sections = { ...baseSections, ...replaced };
  return (Object.keys(baseSections) as (keyof Sections)[])
    .map((name) => sections[name])
    .filter((section) => section !== '')
    .join('\n');
}
