/**
 * The onboarding promises of the product, end to end through the HTTP API on the embedded
 * runtime (memory transport + SQLite). Steps are picked from the blueprint's definitions, so the
 * tests hold for whatever the blueprint says.
 */
import { describe, expect, it } from 'vitest';
import { workflows } from '../../src/saga/definitions.js';
import { stepsBefore } from '../../src/testing/index.js';
import { subscriptionsCollection } from '../../src/services/billing.js';
import { usersCollection } from '../../src/services/identity.js';
import {
  lastOnboardingStep,
  onboardingSteps,
  onboardingTimeoutMs,
  productPerTest,
} from './harness.js';

/** Starts a product that is stopped after the test. */
const product = productPerTest();

/** A step no other step waits for: failing it means every other step had its chance. */
const firstStep = onboardingSteps.find((step) => step.on === 'TenantRegistered')!;
/** A step that only starts after a step that can be undone: failing it has something to undo. */
const deepStep = onboardingSteps.find((step) =>
  stepsBefore(workflows.onboarding, step).some((before) => before.compensate),
)!;
const maxDelay = Math.max(...onboardingSteps.map((step) => step.retry.maxDelayMs));

describe('onboarding', () => {
  it('makes a sign-up an Active tenant with every step done once', async () => {
    const p = await product();
    const { tenantId, correlationId } = await p.signUp();
    await p.settle();
    const tenant = await p.tenant(tenantId);
    expect(tenant.state).toBe('Active');
    expect(Object.values(tenant.steps).every((status) => status === 'Succeeded')).toBe(true);
    expect(Object.keys(tenant.steps).sort()).toEqual(onboardingSteps.map((s) => s.id).sort());
    expect(tenant.correlationId).toBe(correlationId);
    const timeline = await p.timeline(tenantId);
    expect(timeline.map((e) => e.toState)).toContain('Active');
    expect(timeline.every((e) => e.correlationId === correlationId)).toBe(true);
  });

  it('applies a duplicate delivery once', async () => {
    const p = await product();
    const { tenantId } = await p.signUp();
    await p.settle();
    const timeline = await p.timeline(tenantId);
    const subscriptions = await p.app.store.listRecords(subscriptionsCollection, tenantId);
    const mails = p.mails();
    // Deliver every message of the onboarding again, as an at-least-once transport may.
    const messages = [...p.published];
    expect(messages.length).toBeGreaterThan(onboardingSteps.length);
    await Promise.all(messages.map((message) => p.app.transport.publish(message)));
    await p.settle();
    expect(await p.timeline(tenantId)).toEqual(timeline);
    expect(await p.app.store.listRecords(subscriptionsCollection, tenantId)).toEqual(subscriptions);
    expect(p.mails()).toEqual(mails);
    expect(p.published.length).toBe(messages.length * 2);
  });
});

describe('failures', () => {
  it('compensates completed steps in reverse order and ends ProvisioningFailed when a step fails', async () => {
    const p = await product({ faults: `${deepStep.id}:fail` });
    const { tenantId } = await p.signUp();
    await p.settle();
    const saga = (await p.saga(tenantId))!;
    expect(saga.state).toBe('ProvisioningFailed');
    expect(saga.steps[deepStep.id]).toBe('Failed');
    // Undone last first: what had completed when it failed, in reverse order; a step that
    // completes after it is undone as it completes.
    const timeline = await p.timeline(tenantId);
    const failedAt = timeline.findIndex((e) => e.action === 'stepFailed');
    const compensable = (id: string) => onboardingSteps.find((s) => s.id === id)?.compensate;
    const completedBefore = timeline
      .slice(0, failedAt)
      .filter((e) => e.action === 'stepSucceeded')
      .map((e) => String(e.detail.step))
      .filter(compensable);
    const before = stepsBefore(workflows.onboarding, deepStep).filter((s) => s.compensate);
    expect(before.length).toBeGreaterThan(0);
    for (const step of before) expect(completedBefore).toContain(step.id);
    const compensated = timeline
      .filter((e) => e.action === 'stepRecorded' && e.detail.status === 'Compensated')
      .map((e) => String(e.detail.step));
    expect(compensated.filter((id) => completedBefore.includes(id))).toEqual(
      [...completedBefore].reverse(),
    );
    for (const id of compensated) expect(saga.steps[id]).toBe('Compensated');
    expect(onboardingSteps.filter((s) => s.compensate && saga.steps[s.id] === 'Succeeded')).toEqual(
      [],
    );
    expect(timeline.some((e) => e.toState === 'ProvisioningFailed')).toBe(true);
  });

  it('retries a transient failure with backoff, then succeeds', async () => {
    const attempts = Math.min(2, firstStep.retry.attempts - 1);
    const p = await product({ faults: `${firstStep.id}:transient:${attempts}` });
    const { tenantId } = await p.signUp();
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Provisioning');
    await p.elapse(maxDelay * attempts);
    expect((await p.tenant(tenantId)).state).toBe('Active');
  });

  it('dead-letters a message whose retries are exhausted, and a replay completes the onboarding', async () => {
    const p = await product({ faults: `${firstStep.id}:transient:${firstStep.retry.attempts}` });
    const { tenantId } = await p.signUp();
    await p.settle();
    await p.elapse(maxDelay * firstStep.retry.attempts);
    const letters = await p.app.store.listDeadLetters({ tenantId });
    expect(letters).toHaveLength(1);
    expect(letters[0]!.attempts).toBe(firstStep.retry.attempts);
    expect(letters[0]!.envelope.type).toBe(firstStep.on);
    expect((await p.tenant(tenantId)).state).toBe('Provisioning');

    // The operator fixes the cause (here: restarts without the fault) and replays.
    await p.stop(); // stopping it again after the test does nothing
    const fixed = await product({ dir: p.dir, clock: p.clock });
    await fixed.app.runtime.replayDeadLetter(letters[0]!.id);
    await fixed.settle();
    expect((await fixed.tenant(tenantId)).state).toBe('Active');
    expect(await fixed.app.store.listDeadLetters()).toEqual([]);
  });

  it('fails provisioning when the timeout fires, and an operator retry re-runs only what did not succeed', async () => {
    const p = await product({ faults: `${lastOnboardingStep.id}:hang` });
    const { tenantId } = await p.signUp();
    await p.settle();
    await p.elapse(onboardingTimeoutMs + 1000);
    const saga = (await p.saga(tenantId))!;
    expect(saga.state).toBe('ProvisioningFailed');
    expect((await p.timeline(tenantId)).some((e) => e.action === 'timeout')).toBe(true);

    await p.stop(); // stopping it again after the test does nothing
    const fixed = await product({ dir: p.dir, clock: p.clock });
    const retried = await fixed.inject({
      method: 'POST',
      url: `/tenants/${tenantId}/provisioning/retry`,
    });
    expect(retried.statusCode).toBe(202);
    await fixed.settle();
    expect((await fixed.tenant(tenantId)).state).toBe('Active');
  });
});

describe('at scale', () => {
  it('onboards 1,000 tenants concurrently without interference', async () => {
    const p = await product();
    const signUps = await Promise.all(Array.from({ length: 1000 }, () => p.signUp()));
    await p.settle();
    const states = await Promise.all(
      signUps.map(async ({ tenantId }) => (await p.tenant(tenantId)).state),
    );
    expect(states.filter((state) => state !== 'Active')).toEqual([]);
    for (const { tenantId } of signUps.slice(0, 50)) {
      expect(await p.app.store.listRecords(subscriptionsCollection, tenantId)).toHaveLength(1);
      expect(await p.app.store.listRecords(usersCollection, tenantId)).toHaveLength(1);
    }
  }, 120_000);
});
