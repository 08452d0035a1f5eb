/**
 * Paid means paid, end to end through the API with the virtual clock: a trial ends and, unpaid,
 * suspends its tenant with the reason on its timeline; a paid edition without a trial waits in its
 * billing step for `payment.settled` (the sign-up answer gives the payment link), within the
 * onboarding timeout; an upgrade to a paid edition waits the same way; and billing webhooks apply
 * in the provider's order, not in the order they arrive. On SQLite, and on the infrastructure the
 * environment names (PostgreSQL and RabbitMQ under CI).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { editions } from '../../src/catalog.js';
import { paymentTermsOf } from '../../src/product-definition.js';
import { lifecycle } from '../../src/saga/definitions.js';
import type { TestProduct, TestProductOptions } from '../../src/testing/index.js';
import { startTestProduct } from '../../src/testing/index.js';
import { activeTenant } from './api-support.js';
import { sample } from './metrics-support.js';
import { fixture, onboardingSteps, onboardingTimeoutMs, startProduct } from './harness.js';
import { infrastructure } from './infrastructure.js';

const day = 86_400_000;
const checkout = 'https://pay.example.test/checkout?tenant={tenantId}';
const env = { CHECKOUT_URL: checkout };

const editionOn = (terms: string) =>
  Object.entries(editions).find(([, edition]) => paymentTermsOf(edition) === terms)?.[0];
const trial = editionOn('trial')!;
const paid = editionOn('paid')!;
const free = editionOn('free')!;
const billingStep = onboardingSteps.find((step) => step.service === 'billing')!;

interface Billing {
  status: string;
  edition: string;
  trialEndsAt: string | null;
  checkoutUrl?: string;
}
interface TenantWithBilling {
  state: string;
  edition: string;
  steps: Record<string, string>;
  billing: Billing | null;
  pendingEdition: { edition: string; expiresAt: string; checkoutUrl?: string } | null;
}

const variants: [
  string,
  (options: Partial<TestProductOptions<unknown>>) => Promise<TestProduct>,
][] = [['sqlite + memory', (options) => startTestProduct({ ...fixture, ...options })]];
if (infrastructure !== 'sqlite + memory') variants.push([infrastructure, startProduct]);

describe.each(variants)('payments (%s)', (_name, start) => {
  let p: TestProduct;
  afterEach(async () => {
    await p?.stop();
  });
  const view = async (tenantId: string) =>
    (await p.tenant(tenantId)) as unknown as TenantWithBilling;
  const actions = async (tenantId: string) =>
    (await p.timeline(tenantId)).map((entry) => entry.action);
  /** One series (or the sum of those with `labels`) of the product's `/metrics`. */
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const response = await p.inject({ method: 'GET', url: '/metrics', token: null });
    return sample(response.body, name, labels);
  };

  it('the fixture has an edition on each of the terms', () => {
    expect([free, trial, paid].every(Boolean)).toBe(true);
    expect(lifecycle.suspendOn).toContain('PaymentPastDue');
    expect(lifecycle.reinstateOn).toContain('PaymentSettled');
  });

  it('ends an unpaid trial by suspending the tenant, with the reason on its timeline', async () => {
    p = await start({ env });
    const { tenantId } = await p.signUp({ edition: trial });
    await p.settle();
    const active = await view(tenantId);
    expect(active.state).toBe('Active');
    expect(active.billing).toMatchObject({ status: 'trialing', edition: trial });
    const endsAt = Date.parse(active.billing!.trialEndsAt!);
    expect(endsAt - p.clock.now().getTime()).toBe(
      editions[trial as keyof typeof editions].trialDays * day,
    );

    await p.elapse(endsAt - p.clock.now().getTime() - 60_000);
    expect((await view(tenantId)).state).toBe('Active');
    await p.elapse(120_000);
    const suspended = await view(tenantId);
    expect(suspended.state).toBe('Suspended');
    expect(suspended.billing?.status).toBe('past_due');
    const entry = (await p.timeline(tenantId)).find((e) => e.action === 'suspend')!;
    expect(entry.detail).toEqual({
      cause: 'PaymentPastDue',
      reason: `the trial of ${trial} ended without a settled payment`,
    });
    expect(await metric('saas_trials_expired_total')).toBe(1);

    // Paying reinstates it.
    await p.pay(tenantId);
    const reinstated = await view(tenantId);
    expect(reinstated.state).toBe('Active');
    expect(reinstated.billing?.status).toBe('active');
    expect(await metric('saas_payments_settled_total', { subscription: 'past_due' })).toBe(1);
  });

  it('keeps a trial that was paid in time Active past its end', async () => {
    p = await start({ env });
    const { tenantId } = await p.signUp({ edition: trial });
    await p.settle();
    await p.elapse(day);
    await p.pay(tenantId);
    expect((await view(tenantId)).billing?.status).toBe('active');
    await p.elapse(editions[trial as keyof typeof editions].trialDays * day + day);
    expect((await view(tenantId)).state).toBe('Active');
    expect(await actions(tenantId)).not.toContain('suspend');
    expect(await metric('saas_payments_settled_total', { subscription: 'trialing' })).toBe(1);
    expect(await metric('saas_trials_expired_total')).toBe(0);
  });

  it('makes a paid edition wait for its payment, then completes the billing step', async () => {
    p = await start({ env });
    const response = await p.inject({
      method: 'POST',
      url: '/tenants',
      token: null,
      payload: {
        slug: 'payinggg',
        name: 'Paying',
        edition: paid,
        owner: { email: 'o@paying.test', name: 'O' },
      },
    });
    expect(response.statusCode, response.body).toBe(202);
    const { tenantId, payment } = response.json() as {
      tenantId: string;
      payment: { terms: string; checkoutUrl: string };
    };
    expect(payment).toEqual({
      terms: 'paid',
      checkoutUrl: `https://pay.example.test/checkout?tenant=${tenantId}`,
    });
    await p.settle();
    const waiting = await view(tenantId);
    expect(waiting.state).toBe('Provisioning');
    expect(waiting.steps[billingStep.id]).toBe('Pending');
    expect(waiting.billing).toMatchObject({
      status: 'awaiting_payment',
      checkoutUrl: payment.checkoutUrl,
    });
    // Nothing completes it but the payment: not even a long wait short of the timeout.
    await p.elapse(onboardingTimeoutMs / 2);
    expect((await view(tenantId)).state).toBe('Provisioning');
    expect(await metric('saas_payments_awaited')).toBe(1);

    await p.pay(tenantId);
    const active = await view(tenantId);
    expect(active.state).toBe('Active');
    expect(active.billing).toMatchObject({ status: 'active', edition: paid });
    expect(await actions(tenantId)).toContain('paymentSettled');
    expect(await metric('saas_payments_awaited')).toBe(0);
    expect(await metric('saas_payments_settled_total', { subscription: 'awaiting_payment' })).toBe(
      1,
    );
  });

  it('keeps a payment that settles before the billing step ran, and opens the subscription paid', async () => {
    // The billing step fails once, so its retry waits on the clock while the payment comes in.
    p = await start({ env, faults: `${billingStep.id}:transient:1` });
    const { tenantId } = await p.signUp({ edition: paid });
    await p.settle();
    expect((await view(tenantId)).billing).toBeNull();
    await p.pay(tenantId);
    expect(await metric('saas_payments_settled_total', { subscription: 'none' })).toBe(1);
    // The payment is applied, not retried until it runs out of attempts.
    expect(await metric('saas_message_retries_total', { endpoint: 'billing.payments' })).toBe(0);

    await p.elapse(billingStep.retry.maxDelayMs);
    const active = await view(tenantId);
    expect(active.state).toBe('Active');
    expect(active.billing).toMatchObject({ status: 'active', edition: paid, trialEndsAt: null });
    expect(await metric('saas_payments_awaited')).toBe(0);
  });

  it('fails an unpaid paid onboarding at its timeout and cancels the subscription', async () => {
    p = await start({ env });
    const { tenantId } = await p.signUp({ edition: paid });
    await p.settle();
    await p.elapse(onboardingTimeoutMs + 1000);
    const failed = await view(tenantId);
    expect(failed.state).toBe('ProvisioningFailed');
    expect(failed.billing?.status).toBe('canceled');
    expect(await metric('saas_payments_awaited')).toBe(0);
    expect(await metric('saas_unpaid_subscriptions_canceled_total')).toBe(1);
    // A payment that comes too late changes nothing.
    await p.pay(tenantId);
    expect((await view(tenantId)).state).toBe('ProvisioningFailed');
    expect(await metric('saas_payments_settled_total', { subscription: 'canceled' })).toBe(1);
  });

  it('makes an upgrade to a paid edition wait for its payment', async () => {
    p = await start({ env });
    const { tenantId } = await activeTenant(p, { edition: free });
    const response = await p.inject({
      method: 'PUT',
      url: `/tenants/${tenantId}/edition`,
      payload: { edition: paid },
    });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toMatchObject({ edition: paid, payment: { terms: 'paid' } });
    await p.settle();
    const waiting = await view(tenantId);
    expect(waiting.edition).toBe(free);
    expect(waiting.pendingEdition).toMatchObject({ edition: paid });
    const entitlements = await p.inject({
      method: 'GET',
      url: `/tenants/${tenantId}/entitlements`,
    });
    expect((entitlements.json() as { edition: string }).edition).toBe(free);

    await p.pay(tenantId);
    const upgraded = await view(tenantId);
    expect(upgraded.edition).toBe(paid);
    expect(upgraded.pendingEdition).toBeNull();
    expect(upgraded.billing).toMatchObject({ status: 'active', edition: paid });
    const after = await p.inject({ method: 'GET', url: `/tenants/${tenantId}/entitlements` });
    expect((after.json() as { edition: string }).edition).toBe(paid);
    expect(await actions(tenantId)).toEqual(
      expect.arrayContaining(['editionChangeAwaitingPayment', 'editionChanged']),
    );
  });

  it('drops an unpaid upgrade after the onboarding timeout; the tenant keeps its edition', async () => {
    p = await start({ env });
    const { tenantId } = await activeTenant(p, { edition: free });
    await p.inject({
      method: 'PUT',
      url: `/tenants/${tenantId}/edition`,
      payload: { edition: paid },
    });
    await p.elapse(onboardingTimeoutMs + 1000);
    const kept = await view(tenantId);
    expect(kept).toMatchObject({ state: 'Active', edition: free, pendingEdition: null });
    expect(await actions(tenantId)).toContain('editionChangeExpired');
  });

  it('starts the trial of a trial edition on an upgrade to it', async () => {
    p = await start({ env });
    const { tenantId } = await activeTenant(p, { edition: free });
    await p.inject({
      method: 'PUT',
      url: `/tenants/${tenantId}/edition`,
      payload: { edition: trial },
    });
    await p.settle();
    const upgraded = await view(tenantId);
    expect(upgraded.edition).toBe(trial);
    expect(upgraded.billing).toMatchObject({ status: 'trialing', edition: trial });
    await p.elapse(editions[trial as keyof typeof editions].trialDays * day + 60_000);
    expect((await view(tenantId)).state).toBe('Suspended');
  });

  describe('billing webhooks in the provider order', () => {
    it('does not let an older past_due, arriving late, suspend a tenant that paid', async () => {
      p = await start({ env });
      const { tenantId } = await activeTenant(p, { edition: free });
      const now = p.clock.now().getTime();
      const settled = await p.billingEvent({
        type: 'payment.settled',
        tenantId,
        occurredAt: new Date(now - 1000).toISOString(),
      });
      expect(settled.statusCode, settled.body).toBe(202);
      await p.settle();
      const late = await p.billingEvent({
        type: 'payment.past_due',
        tenantId,
        occurredAt: new Date(now - 60_000).toISOString(),
      });
      expect(late.statusCode, late.body).toBe(200);
      expect(late.json()).toMatchObject({
        applied: false,
        accepted: 'PaymentPastDue',
        replayed: false,
      });
      await p.settle();
      expect((await view(tenantId)).state).toBe('Active');
      const ignored = (await p.timeline(tenantId)).find((e) => e.action === 'billingEventIgnored');
      expect(ignored?.detail).toMatchObject({ type: 'payment.past_due' });
      const webhooks = (type: string, outcome: string) =>
        metric('saas_billing_webhooks_total', { type, outcome });
      expect(await webhooks('payment.past_due', 'stale')).toBe(1);
      expect(await webhooks('payment.settled', 'applied')).toBe(1);

      // A newer one applies.
      const newer = await p.billingEvent({
        type: 'payment.past_due',
        tenantId,
        occurredAt: new Date(now).toISOString(),
      });
      expect(newer.statusCode).toBe(202);
      await p.settle();
      expect((await view(tenantId)).state).toBe('Suspended');
    });

    it('orders by the signed delivery time when the event has none, and repeats answer the same', async () => {
      p = await start({ env });
      const { tenantId } = await activeTenant(p, { edition: free });
      const first = await p.billingEvent(
        { type: 'payment.past_due', tenantId },
        { webhookId: 'msg_first' },
      );
      expect(first.statusCode).toBe(202);
      await p.settle();
      expect((await view(tenantId)).state).toBe('Suspended');
      p.clock.advance(5_000);
      const stale = await p.billingEvent(
        {
          type: 'payment.settled',
          tenantId,
          occurredAt: new Date(p.clock.now().getTime() - 60_000).toISOString(),
        },
        { webhookId: 'msg_stale' },
      );
      expect(stale.json()).toMatchObject({ applied: false });
      const again = await p.billingEvent(
        { type: 'payment.settled', tenantId },
        { webhookId: 'msg_stale' },
      );
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ applied: false, replayed: true });
      expect(
        await metric('saas_billing_webhooks_total', {
          type: 'payment.settled',
          outcome: 'repeated',
        }),
      ).toBe(1);
      await p.settle();
      expect((await view(tenantId)).state).toBe('Suspended');
    });
  });
});
