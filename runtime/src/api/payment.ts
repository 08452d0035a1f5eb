/**
 * What the API says about paying: an edition's terms and its payment link (from `CHECKOUT_URL`)
 * in the sign-up and edition-change answers, and a tenant's subscription and any edition change
 * that waits for its payment in `GET /tenants/{id}`.
 */
import { checkoutLinkFor } from '../config.js';
import type { Catalog, PaymentTerms } from '../product-definition.js';
import { paymentTermsOf } from '../product-definition.js';
import type { RecordQueries } from '../runtime/store.js';
import type { OnboardingState } from '../saga/onboarding.js';
import { currentSubscription } from '../services/billing.js';

export interface PaymentOffer {
  readonly terms: PaymentTerms;
  /** Where to pay: for a paid or trial edition, when `CHECKOUT_URL` is set. */
  readonly checkoutUrl?: string;
}

/** What a tenant on `edition` is told about paying for it. */
export function paymentOffer(
  catalog: Pick<Catalog, 'editions'>,
  edition: string,
  tenantId: string,
  checkoutUrl: string | undefined,
): PaymentOffer {
  const plan = Object.hasOwn(catalog.editions, edition) ? catalog.editions[edition] : undefined;
  const terms = plan ? paymentTermsOf(plan) : 'free';
  if (terms === 'free' || checkoutUrl === undefined) return { terms };
  return { terms, checkoutUrl: checkoutLinkFor(checkoutUrl, tenantId) };
}

/** The billing part of `GET /tenants/{id}`. */
export async function billingView(
  store: Pick<RecordQueries, 'getRecord'>,
  tenantId: string,
  saga: OnboardingState | undefined,
  checkoutUrl: string | undefined,
) {
  const subscription = await currentSubscription(store, tenantId);
  const link =
    checkoutUrl === undefined ? {} : { checkoutUrl: checkoutLinkFor(checkoutUrl, tenantId) };
  const pending = saga?.pendingEdition ?? null;
  return {
    billing: subscription
      ? {
          status: subscription.status,
          edition: subscription.edition,
          trialEndsAt: subscription.trialEndsAt,
          paidAt: subscription.paidAt ?? null,
          ...(subscription.status === 'awaiting_payment' ||
          subscription.status === 'trialing' ||
          subscription.status === 'past_due'
            ? link
            : {}),
        }
      : null,
    pendingEdition: pending
      ? {
          edition: pending.edition,
          requestedAt: pending.requestedAt,
          expiresAt: pending.expiresAt,
          ...link,
        }
      : null,
  };
}
