/**
 * Built-in billing: one subscription per tenant, to its edition, on the edition's terms
 * (product-definition.ts `paymentTermsOf`):
 * - free: `active` at once;
 * - trial: `trialing`, with a durable timer at the trial's end. A payment that settles first makes
 *   it `active`; otherwise, at the end, it is `past_due` and billing publishes `PaymentPastDue`,
 *   which suspends the tenant as the blueprint's `lifecycle.suspendOn` says;
 * - paid: `awaiting_payment`. The step waits (`StepAwaits`) until `PaymentSettled` arrives for
 *   the tenant; then it is `active` and billing publishes the step's `SubscriptionActivated`. The
 *   onboarding timeout still applies: unpaid, the onboarding fails and the subscription is
 *   cancelled. While it waits, the tenant holds a claim in `awaitingPaymentScope`, which the
 *   metrics count (`saas_payments_awaited`) in one query, whatever the tenants' isolation.
 *
 * A payment that settles before the billing step ran (a slow step before it, a step retrying) is
 * kept (`paidAheadId`): the step then opens the subscription `active`, and nothing is lost to
 * retries running out.
 *
 * An edition change (`EditionChanged`, which the saga sends for a paid edition only once its
 * payment settled) moves the subscription to the new edition's terms. One subscription per
 * tenant, so a repeated delivery can never open a second one.
 */
import { randomUUID } from 'node:crypto';
import type { PayloadOf, SubscriptionActivatedPayload } from '../contracts/builtins.js';
import type { Catalog, Edition, PaymentTerms } from '../product-definition.js';
import { isEditionId, paymentTermsOf } from '../product-definition.js';
import type { EndpointDefinition, HandlerContext } from '../runtime/handler.js';
import type { PaymentFound } from '../runtime/observer.js';
import type { Tx } from '../runtime/store.js';
import { defaultRetry } from '../saga/definition.js';
import type { StepContext } from './step-context.js';
import { StepAwaits, StepFailure } from './step-context.js';
import type { StepImplementation } from './steps.js';

export const subscriptionsCollection = 'subscriptions';

export type SubscriptionStatus =
  'trialing' | 'awaiting_payment' | 'active' | 'past_due' | 'canceled';

export interface Subscription {
  readonly subscriptionId: string;
  readonly edition: string;
  readonly status: SubscriptionStatus;
  readonly amount: number;
  readonly currency: string;
  readonly interval: 'month' | 'year';
  readonly trialEndsAt: string | null;
  readonly startedAt: string;
  readonly canceledAt: string | null;
  /** When a payment last settled; absent before the first (and in subscriptions of 0.3.0). */
  readonly paidAt?: string | null;
}

/** What a step awaiting payment waits for (`StepAwaits.what`). */
export const awaitingPayment = 'payment';

/** Claims of the tenants whose subscription awaits payment (key: tenant, owner: subscription). */
export const awaitingPaymentScope = 'awaiting-payment';

/** The record of a payment that settled before the tenant had a subscription. */
export const paidAheadId = 'paid-ahead';

interface PaidAhead {
  readonly paidAt: string;
  /** The subscription it paid for, once the billing step opened one. */
  readonly subscriptionId: string | null;
}

const day = 86_400_000;

/** The scheduled `TrialEnded` of a subscription: cancelled when a payment settles first. */
export const trialTimerId = (tenantId: string, subscriptionId: string): string =>
  `trial:${tenantId}:${subscriptionId}`;

export const billingPaymentsEndpointName = 'billing.payments';

export function currentSubscription(
  tx: Pick<Tx, 'getRecord'>,
  tenantId: string,
): Promise<Subscription | undefined> {
  return tx
    .getRecord<Subscription>(subscriptionsCollection, tenantId, 'current')
    .then((record) => record?.data);
}

/** The subscription a tenant gets on `plan`'s terms, starting `now`. */
function subscriptionTo(edition: string, plan: Edition, now: Date): Subscription {
  const terms = paymentTermsOf(plan);
  return {
    subscriptionId: randomUUID(),
    edition,
    status: statusOn[terms],
    amount: plan.price.amount,
    currency: plan.price.currency,
    interval: plan.price.interval,
    trialEndsAt:
      terms === 'trial' ? new Date(now.getTime() + plan.trialDays * day).toISOString() : null,
    startedAt: now.toISOString(),
    canceledAt: null,
    paidAt: null,
  };
}

const statusOn: Readonly<Record<PaymentTerms, SubscriptionStatus>> = {
  free: 'active',
  trial: 'trialing',
  paid: 'awaiting_payment',
};

/** The built-in billing step of a product with this catalog. */
export const billingStep = (catalog: Catalog): StepImplementation => ({
  async run(_message, context): Promise<SubscriptionActivatedPayload | StepAwaits> {
    const { tenantId, edition } = context.tenant;
    const current = await currentSubscription(context.tx, tenantId);
    if (current && current.status !== 'canceled')
      return current.status === 'awaiting_payment'
        ? new StepAwaits(awaitingPayment)
        : activated(current);
    const plan = isEditionId(catalog, edition) ? catalog.editions[edition] : undefined;
    if (!plan) throw new StepFailure(`tenant ${tenantId} has unknown edition ${edition}`);
    const opened = subscriptionTo(edition, plan, context.now);
    const ahead = current ? undefined : await paidAhead(context.tx, tenantId);
    // Paid before it was opened: active at once, with no trial to end.
    const subscription: Subscription = ahead
      ? { ...opened, status: 'active', trialEndsAt: null, paidAt: ahead.paidAt }
      : opened;
    await save(context.tx, tenantId, subscription);
    if (ahead)
      await markPaidAhead(context.tx, tenantId, {
        ...ahead,
        subscriptionId: opened.subscriptionId,
      });
    if (subscription.trialEndsAt !== null)
      scheduleTrialEnd(context.schedule, tenantId, subscription);
    if (subscription.status === 'awaiting_payment') {
      await context.tx.claimUnique(awaitingPaymentScope, tenantId, subscription.subscriptionId);
      context.log.info({ tenantId, edition }, 'subscription opened: awaiting payment');
      return new StepAwaits(awaitingPayment);
    }
    context.log.info({ tenantId, edition, paidAhead: Boolean(ahead) }, 'subscription opened');
    return activated(subscription);
  },

  async compensate(_message, context) {
    const { tenantId } = context.tenant;
    const current = await currentSubscription(context.tx, tenantId);
    if (!current || current.status === 'canceled') return;
    await context.tx.cancelScheduled(trialTimerId(tenantId, current.subscriptionId));
    await context.tx.releaseUnique(awaitingPaymentScope, tenantId, current.subscriptionId);
    await save(context.tx, tenantId, {
      ...current,
      status: 'canceled',
      canceledAt: context.now.toISOString(),
    });
  },
});

/** A payment that settled before the tenant had a subscription, and paid for none yet. */
async function paidAhead(tx: Pick<Tx, 'getRecord'>, tenantId: string) {
  const record = await tx.getRecord<PaidAhead>(subscriptionsCollection, tenantId, paidAheadId);
  return record && record.data.subscriptionId === null ? record.data : undefined;
}

function markPaidAhead(tx: Pick<Tx, 'putRecord'>, tenantId: string, data: PaidAhead) {
  return tx.putRecord({ collection: subscriptionsCollection, tenantId, id: paidAheadId, data });
}

function scheduleTrialEnd(
  schedule: StepContext['schedule'],
  tenantId: string,
  subscription: Subscription,
): void {
  schedule(
    'TrialEnded',
    { subscriptionId: subscription.subscriptionId },
    {
      dueAt: new Date(subscription.trialEndsAt!),
      id: trialTimerId(tenantId, subscription.subscriptionId),
      endpoint: billingPaymentsEndpointName,
    },
  );
}

/**
 * Billing's answer to payments, trials that end, and edition changes. Registered when the
 * onboarding has a billing step; `emits` is that step's event, published when a payment completes
 * a subscription that awaited it.
 */
export function billingPaymentsEndpoint(
  catalog: Catalog,
  { emits }: { readonly emits: string | null },
): EndpointDefinition {
  return {
    name: billingPaymentsEndpointName,
    types: [
      'PaymentSettled',
      'TrialEnded',
      'EditionChanged',
      'TenantProvisioningFailed',
      'TenantProvisioningTimedOut',
    ],
    retry: defaultRetry,
    async handle(ctx) {
      const { message } = ctx;
      if (message.type === 'PaymentSettled') return settled(ctx, emits);
      if (message.type === 'TrialEnded')
        return trialEnded(ctx, (message.payload as PayloadOf['TrialEnded']).subscriptionId);
      if (message.type === 'EditionChanged')
        return editionChanged(ctx, catalog, (message.payload as PayloadOf['EditionChanged']).to);
      return onboardingFailed(ctx);
    },
  };
}

async function settled(ctx: HandlerContext, emits: string | null): Promise<void> {
  const { tenantId } = ctx.message;
  const current = await currentSubscription(ctx.tx, tenantId);
  const found: PaymentFound = current?.status ?? 'none';
  ctx.scope?.billing?.({ kind: 'payment', found });
  const paidAt = ctx.now.toISOString();
  // Paid before the billing step ran: kept for it, which then opens the subscription active.
  if (!current) {
    await markPaidAhead(ctx.tx, tenantId, { paidAt, subscriptionId: null });
    ctx.scope?.annotate({ 'saas.billing.paid_ahead': true });
    return;
  }
  if (current.status === 'canceled') {
    ctx.scope?.annotate({ 'saas.billing.ignored': 'canceled' });
    return;
  }
  const paid: Subscription = { ...current, status: 'active', paidAt };
  await save(ctx.tx, tenantId, paid);
  if (current.status === 'trialing')
    await ctx.tx.cancelScheduled(trialTimerId(tenantId, current.subscriptionId));
  if (current.status === 'awaiting_payment') {
    await ctx.tx.releaseUnique(awaitingPaymentScope, tenantId, current.subscriptionId);
    if (emits) ctx.publish(emits as 'SubscriptionActivated', activated(paid));
  }
}

/**
 * The onboarding failed or timed out while its subscription still awaited payment: that step never
 * succeeded, so no compensation undoes it; it is cancelled here, and a payment after that changes
 * nothing (an operator's retry opens a new one).
 */
async function onboardingFailed(ctx: HandlerContext): Promise<void> {
  const { tenantId } = ctx.message;
  const current = await currentSubscription(ctx.tx, tenantId);
  if (current?.status !== 'awaiting_payment') return;
  ctx.scope?.billing?.({ kind: 'unpaid-canceled' });
  await ctx.tx.releaseUnique(awaitingPaymentScope, tenantId, current.subscriptionId);
  await save(ctx.tx, tenantId, {
    ...current,
    status: 'canceled',
    canceledAt: ctx.now.toISOString(),
  });
}

async function trialEnded(ctx: HandlerContext, subscriptionId: string): Promise<void> {
  const { tenantId } = ctx.message;
  const current = await currentSubscription(ctx.tx, tenantId);
  // Paid meanwhile, cancelled, or the trial of an edition the tenant left: nothing is due.
  if (current?.subscriptionId !== subscriptionId || current.status !== 'trialing') return;
  ctx.scope?.billing?.({ kind: 'trial-expired' });
  await save(ctx.tx, tenantId, { ...current, status: 'past_due' });
  ctx.publish('PaymentPastDue', {
    reason: `the trial of ${current.edition} ended without a settled payment`,
  });
}

async function editionChanged(ctx: HandlerContext, catalog: Catalog, to: string): Promise<void> {
  const { tenantId } = ctx.message;
  const current = await currentSubscription(ctx.tx, tenantId);
  const plan = isEditionId(catalog, to) ? catalog.editions[to] : undefined;
  if (!current || current.status === 'canceled' || !plan || current.edition === to) return;
  await ctx.tx.cancelScheduled(trialTimerId(tenantId, current.subscriptionId));
  const next = subscriptionTo(to, plan, ctx.now);
  // The saga changes to a paid edition only once its payment settled.
  const moved: Subscription =
    next.status === 'awaiting_payment'
      ? { ...next, status: 'active', paidAt: ctx.now.toISOString() }
      : next;
  await save(ctx.tx, tenantId, moved);
  if (moved.trialEndsAt !== null) scheduleTrialEnd(ctx.schedule, tenantId, moved);
}

function save(tx: Pick<Tx, 'putRecord'>, tenantId: string, data: Subscription): Promise<void> {
  return tx.putRecord({ collection: subscriptionsCollection, tenantId, id: 'current', data });
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
