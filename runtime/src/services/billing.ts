/**
 * Built-in billing: opens a subscription to the tenant's edition, with the edition's trial and
 * price. One subscription per tenant, so a repeated delivery can never open a second one.
 */
import { randomUUID } from 'node:crypto';
import type { SubscriptionActivatedPayload } from '../contracts/builtins.js';
import type { Catalog } from '../product-definition.js';
import { isEditionId } from '../product-definition.js';
import type { StepContext } from './step-context.js';
import { StepFailure } from './step-context.js';
import type { StepImplementation } from './steps.js';

export const subscriptionsCollection = 'subscriptions';

export interface Subscription {
  readonly subscriptionId: string;
  readonly edition: string;
  readonly status: 'trialing' | 'active' | 'canceled';
  readonly amount: number;
  readonly currency: string;
  readonly interval: 'month' | 'year';
  readonly trialEndsAt: string | null;
  readonly startedAt: string;
  readonly canceledAt: string | null;
}

const day = 86_400_000;

/** The built-in billing step of a product with this catalog. */
export const billingStep = (catalog: Catalog): StepImplementation => ({
  async run(_message, context): Promise<SubscriptionActivatedPayload> {
    const current = await context.tx.getRecord<Subscription>(
      subscriptionsCollection,
      context.tenant.tenantId,
      'current',
    );
    if (current && current.data.status !== 'canceled') return activated(current.data);
    const { edition } = context.tenant;
    const plan = isEditionId(catalog, edition) ? catalog.editions[edition] : undefined;
    if (!plan)
      throw new StepFailure(`tenant ${context.tenant.tenantId} has unknown edition ${edition}`);
    const subscription: Subscription = {
      subscriptionId: randomUUID(),
      edition,
      status: plan.trialDays > 0 ? 'trialing' : 'active',
      amount: plan.price.amount,
      currency: plan.price.currency,
      interval: plan.price.interval,
      trialEndsAt:
        plan.trialDays > 0
          ? new Date(context.now.getTime() + plan.trialDays * day).toISOString()
          : null,
      startedAt: context.now.toISOString(),
      canceledAt: null,
    };
    await save(context, subscription);
    context.log.info({ tenantId: context.tenant.tenantId, edition }, 'subscription opened');
    return activated(subscription);
  },

  async compensate(_message, context) {
    const current = await context.tx.getRecord<Subscription>(
      subscriptionsCollection,
      context.tenant.tenantId,
      'current',
    );
    if (!current || current.data.status === 'canceled') return;
    await save(context, {
      ...current.data,
      status: 'canceled',
      canceledAt: context.now.toISOString(),
    });
  },
});

function save(context: StepContext, subscription: Subscription): Promise<void> {
  return context.tx.putRecord({
    collection: subscriptionsCollection,
    tenantId: context.tenant.tenantId,
    id: 'current',
    data: subscription,
  });
}

function activated(subscription: Subscription): SubscriptionActivatedPayload {
  return {
    subscriptionId: subscription.subscriptionId,
    edition: subscription.edition,
    amount: subscription.amount,
    currency: subscription.currency,
    interval: subscription.interval,
    ...(subscription.trialEndsAt === null ? {} : { trialEndsAt: subscription.trialEndsAt }),
  };
}
