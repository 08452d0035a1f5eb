/**
 * The onboarding saga's decisions, without a runtime: once on a made-up workflow whose shape the
 * assertions spell out, and once on this product's own onboarding, in terms that hold for any
 * blueprint.
 */
import { describe, expect, it } from 'vitest';
import { onboarding } from '../../src/saga/definitions.js';
import { commandAllowed } from '../../src/saga/tenant-commands.js';
import { completionOrders, eventOf, expectNoEffects, someOrder, start, types } from './harness.js';
import type { OnboardingDefinition } from '../../src/saga/definition.js';
import {
  compensated,
  driver,
  failed,
  moves,
  registration,
  synthetic,
} from './onboarding-fixtures.js';

describe('onboarding (a made-up workflow)', () => {
  it('registers, provisions with a timeout, and activates once every step succeeded', () => {
    const saga = driver();
    const registered = saga.accept('TenantRegistered', registration);
    expect(moves(registered.audit)).toEqual([
      '[*] -register-> Registered',
      'Registered -startProvisioning-> Provisioning',
    ]);
    const token = `onboarding:${saga.tenantId}:1`;
    expect(registered.schedule).toEqual([
      {
        type: 'WorkflowTimeoutElapsed',
        payload: { workflow: 'onboarding', workflowId: saga.tenantId, token },
        dueAt: new Date(start.getTime() + 60_000).toISOString(),
        id: token,
      },
    ]);
    expect(registered.outgoing).toEqual([]);
    expect(saga.current).toMatchObject({
      tenantId: saga.tenantId,
      correlationId: saga.correlationId,
      slug: 'acme',
      edition: 'pro',
      owner: { email: 'owner@acme.test', name: 'Olga Owner' },
      state: 'Provisioning',
      steps: { alpha: 'Pending', beta: 'Pending', gamma: 'Pending', delta: 'Pending' },
    });

    for (const event of ['AlphaDone', 'BetaDone', 'GammaDone']) {
      const progress = saga.accept(event);
      expect(progress.outgoing).toEqual([]);
      expect(moves(progress.audit)).toEqual(['Provisioning -stepSucceeded-> Provisioning']);
    }
    const done = saga.accept('DeltaDone');
    expect(done.outgoing).toEqual([{ type: 'TenantProvisioned', payload: { edition: 'pro' } }]);
    expect(done.cancel).toEqual([token]);
    expect(moves(done.audit)).toEqual([
      'Provisioning -stepSucceeded-> Provisioning',
      'Provisioning -allStepsSucceeded-> Active',
    ]);
    expect(saga.current.timeout).toBeNull();
    expect(saga.current.completed).toEqual(['alpha', 'beta', 'gamma', 'delta']);
  });

  it('counts a redelivered step event and a second registration once', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    saga.accept('AlphaDone', { n: 1 });
    expectNoEffects(saga.send('AlphaDone', { n: 2 }));
    expectNoEffects(saga.send('TenantRegistered', registration));
    expect(saga.current.results['alpha']).toEqual({ n: 1 });
  });

  it('compensates completed steps in reverse order of completion, one at a time', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    saga.accept('BetaDone');
    saga.accept('AlphaDone');
    saga.accept('GammaDone');
    const failure = saga.accept('StepFailed', failed('onboarding', saga.tenantId, 'delta'));
    expect(saga.current.state).toBe('ProvisioningFailed');
    expect(moves(failure.audit)).toEqual(['Provisioning -stepFailed-> ProvisioningFailed']);
    expect(failure.cancel).toEqual([`onboarding:${saga.tenantId}:1`]);
    // gamma has no `compensate`; alpha completed after beta, so it is undone first, alone.
    expect(failure.outgoing).toEqual([
      {
        type: 'TenantProvisioningFailed',
        payload: { reason: 'step `delta` failed: card declined', failedStep: 'delta' },
      },
      { type: 'UndoAlpha', payload: { reason: 'step `delta` failed: card declined' } },
    ]);
    expect(saga.current.steps).toEqual({
      alpha: 'Succeeded',
      beta: 'Succeeded',
      gamma: 'Succeeded',
      delta: 'Failed',
    });

    expectNoEffects(saga.send('StepCompensated', compensated(saga.tenantId, 'beta')));
    const first = saga.accept('StepCompensated', compensated(saga.tenantId, 'alpha'));
    expect(types(first)).toEqual(['UndoBeta']);
    expect(first.audit).toEqual([
      {
        action: 'stepRecorded',
        fromState: 'ProvisioningFailed',
        toState: 'ProvisioningFailed',
        detail: { step: 'alpha', status: 'Compensated' },
      },
    ]);
    const second = saga.accept('StepCompensated', compensated(saga.tenantId, 'beta'));
    expect(types(second)).toEqual([]);
    expectNoEffects(saga.send('StepCompensated', compensated(saga.tenantId, 'beta')));
    expect(saga.current.steps).toEqual({
      alpha: 'Compensated',
      beta: 'Compensated',
      gamma: 'Succeeded',
      delta: 'Failed',
    });
    expect(saga.current.compensation).toEqual([]);
  });

  it('records late step events after a failure without moving the tenant, and undoes late successes', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    saga.accept('AlphaDone');
    saga.accept('StepFailed', failed('onboarding', saga.tenantId, 'gamma'));
    // UndoAlpha is in flight; beta succeeds late: it completed last, so it is undone next.
    const late = saga.accept('BetaDone');
    expect(saga.current.state).toBe('ProvisioningFailed');
    expect(late.outgoing).toEqual([]);
    expect(late.audit).toEqual([
      {
        action: 'stepRecorded',
        fromState: 'ProvisioningFailed',
        toState: 'ProvisioningFailed',
        detail: { step: 'beta', status: 'Succeeded', late: true },
      },
    ]);
    expect(saga.current.compensation.map((entry) => entry.step)).toEqual(['alpha', 'beta']);
    expect(types(saga.accept('StepCompensated', compensated(saga.tenantId, 'alpha')))).toEqual([
      'UndoBeta',
    ]);
    const lateFailure = saga.accept('StepFailed', failed('onboarding', saga.tenantId, 'delta'));
    expect(moves(lateFailure.audit)).toEqual([]);
    expect(types(lateFailure)).toEqual([]);
    expect(saga.current.steps['delta']).toBe('Failed');
  });

  it('fails on the current timeout, names the pending steps, and compensates', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    saga.accept('BetaDone');
    saga.advance(60_000);
    const token = `onboarding:${saga.tenantId}:1`;
    const timeout = { workflow: 'onboarding', workflowId: saga.tenantId, token };
    const fired = saga.accept('WorkflowTimeoutElapsed', timeout);
    expect(saga.current.state).toBe('ProvisioningFailed');
    expect(moves(fired.audit)).toEqual(['Provisioning -timeout-> ProvisioningFailed']);
    expect(fired.outgoing).toEqual([
      {
        type: 'TenantProvisioningTimedOut',
        payload: { timeoutMs: 60_000, pendingSteps: ['alpha', 'gamma', 'delta'] },
      },
      {
        type: 'UndoBeta',
        payload: { reason: 'timed out after 60000 ms waiting for alpha, gamma, delta' },
      },
    ]);
    expect(fired.cancel).toEqual([]);
    expectNoEffects(saga.send('WorkflowTimeoutElapsed', timeout));
  });

  it('ignores a timeout of an earlier round, of another workflow, or after completion', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    const token = `onboarding:${saga.tenantId}:1`;
    const stale = { workflow: 'onboarding', workflowId: saga.tenantId, token: `${token}-old` };
    expectNoEffects(saga.send('WorkflowTimeoutElapsed', stale));
    const other = { workflow: 'dataExport', workflowId: saga.tenantId, token };
    expectNoEffects(saga.send('WorkflowTimeoutElapsed', other));
    for (const event of ['AlphaDone', 'BetaDone', 'GammaDone', 'DeltaDone']) saga.accept(event);
    expect(saga.current.state).toBe('Active');
    const late = { workflow: 'onboarding', workflowId: saga.tenantId, token };
    expectNoEffects(saga.send('WorkflowTimeoutElapsed', late));
    expect(saga.current.state).toBe('Active');
  });

  it('on operator retry re-runs only the steps that did not succeed, with a new timeout', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    saga.accept('BetaDone', { beta: 1 });
    saga.accept('AlphaDone', { alpha: 1 });
    saga.accept('GammaDone', { gamma: 1 });
    saga.accept('StepFailed', failed('onboarding', saga.tenantId, 'delta'));
    expect(commandAllowed(saga.current, 'RetryProvisioning')).toBe(false);
    expect(saga.send('RetryProvisioning')).toEqual({
      rejected: 'cannot retry provisioning while the failed attempt is still being compensated',
    });
    saga.accept('StepCompensated', compensated(saga.tenantId, 'alpha'));
    saga.accept('StepCompensated', compensated(saga.tenantId, 'beta'));
    expect(commandAllowed(saga.current, 'RetryProvisioning')).toBe(true);

    saga.advance(5_000);
    const retried = saga.accept('RetryProvisioning');
    expect(moves(retried.audit)).toEqual(['ProvisioningFailed -retry-> Provisioning']);
    // gamma (no compensate) still stands: delta gets gamma's event again, alpha and beta the
    // registration, each at its own endpoint only; gamma runs no second time.
    expect(retried.outgoing).toEqual([
      { type: 'TenantRegistered', payload: registration, step: 'alpha' },
      { type: 'TenantRegistered', payload: registration, step: 'beta' },
      { type: 'GammaDone', payload: { gamma: 1 }, step: 'delta' },
    ]);
    const token = `onboarding:${saga.tenantId}:2`;
    expect(retried.schedule).toEqual([
      expect.objectContaining({
        id: token,
        dueAt: new Date(start.getTime() + 65_000).toISOString(),
      }),
    ]);
    expect(saga.current).toMatchObject({
      state: 'Provisioning',
      round: 2,
      failure: null,
      steps: { alpha: 'Pending', beta: 'Pending', gamma: 'Succeeded', delta: 'Pending' },
    });
    const oldTimeout = {
      workflow: 'onboarding',
      workflowId: saga.tenantId,
      token: `onboarding:${saga.tenantId}:1`,
    };
    expectNoEffects(saga.send('WorkflowTimeoutElapsed', oldTimeout));
    for (const event of ['AlphaDone', 'BetaDone']) saga.accept(event);
    const done = saga.accept('DeltaDone');
    expect(types(done)).toEqual(['TenantProvisioned']);
    expect(done.cancel).toEqual([token]);
    expect(saga.current.completed).toEqual(['gamma', 'alpha', 'beta', 'delta']);
  });

  it('does not re-run a step whose trigger comes from a step that is re-run itself', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    saga.accept('StepFailed', failed('onboarding', saga.tenantId, 'alpha'));
    const retried = saga.accept('RetryProvisioning');
    expect(retried.outgoing).toEqual([
      { type: 'TenantRegistered', payload: registration, step: 'alpha' },
      { type: 'TenantRegistered', payload: registration, step: 'beta' },
    ]);
  });

  it('decommissions, compensating the succeeded steps in reverse order of completion', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    for (const event of ['BetaDone', 'AlphaDone', 'GammaDone', 'DeltaDone']) saga.accept(event);
    const closed = saga.accept('DecommissionTenant', { reason: 'churned' });
    expect(moves(closed.audit)).toEqual(['Active -decommission-> Decommissioned']);
    expect(closed.outgoing).toEqual([
      { type: 'TenantDecommissioned', payload: { reason: 'churned' } },
      { type: 'UndoDelta', payload: { reason: 'tenant decommissioned: churned' } },
    ]);
    expect(types(saga.accept('StepCompensated', compensated(saga.tenantId, 'delta')))).toEqual([
      'UndoAlpha',
    ]);
    expect(types(saga.accept('StepCompensated', compensated(saga.tenantId, 'alpha')))).toEqual([
      'UndoBeta',
    ]);
    expect(types(saga.accept('StepCompensated', compensated(saga.tenantId, 'beta')))).toEqual([]);
    expect(saga.current.steps).toEqual({
      alpha: 'Compensated',
      beta: 'Compensated',
      gamma: 'Succeeded',
      delta: 'Compensated',
    });
  });

  it('suspends and reinstates by command and by lifecycle event', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    for (const event of ['AlphaDone', 'BetaDone', 'GammaDone', 'DeltaDone']) saga.accept(event);

    const suspended = saga.accept('SuspendTenant', { reason: 'abuse' });
    expect(suspended.outgoing).toEqual([{ type: 'TenantSuspended', payload: { reason: 'abuse' } }]);
    expect(moves(suspended.audit)).toEqual(['Active -suspend-> Suspended']);
    const reinstated = saga.accept('ReinstateTenant');
    expect(reinstated.outgoing).toEqual([{ type: 'TenantReinstated', payload: {} }]);

    const pastDue = saga.accept('PaymentPastDue', { invoiceId: 'inv-1' });
    expect(pastDue.outgoing).toEqual([
      { type: 'TenantSuspended', payload: { reason: 'PaymentPastDue' } },
    ]);
    expect(pastDue.audit[0]?.detail).toEqual({ cause: 'PaymentPastDue', reason: 'PaymentPastDue' });
    const settled = saga.accept('PaymentSettled', {});
    expect(settled.outgoing).toEqual([
      { type: 'TenantReinstated', payload: { reason: 'PaymentSettled' } },
    ]);
    expect(saga.current.state).toBe('Active');
  });

  it('changes the edition of an Active tenant, audited and announced, and of no other', () => {
    const saga = driver();
    saga.accept('TenantRegistered', registration);
    expect(saga.send('ChangeEdition', { edition: 'free' })).toEqual({
      rejected:
        'cannot change the edition of a tenant that is Provisioning; it must be Active or Suspended',
    });
    for (const event of ['AlphaDone', 'BetaDone', 'GammaDone', 'DeltaDone']) saga.accept(event);
    const changed = saga.accept('ChangeEdition', { edition: 'free' });
    expect(changed.outgoing).toEqual([
      { type: 'EditionChanged', payload: { from: 'pro', to: 'free' } },
    ]);
    expect(changed.audit).toEqual([
      {
        action: 'editionChanged',
        fromState: 'Active',
        toState: 'Active',
        detail: { from: 'pro', to: 'free' },
      },
    ]);
    expect(saga.current).toMatchObject({ state: 'Active', edition: 'free' });
    expectNoEffects(saga.send('ChangeEdition', { edition: 'free' }));
  });

  describe('an edition change to a paid edition', () => {
    const paying: OnboardingDefinition = {
      ...synthetic,
      paymentTerms: { free: 'free', pro: 'trial', enterprise: 'paid' },
    };
    const activeTenant = () => {
      const saga = driver(paying);
      saga.accept('TenantRegistered', registration);
      for (const event of ['AlphaDone', 'BetaDone', 'GammaDone', 'DeltaDone']) saga.accept(event);
      expect(saga.current.state).toBe('Active');
      return saga;
    };

    it('waits for the payment, then changes the edition', () => {
      const saga = activeTenant();
      const asked = saga.accept('ChangeEdition', { edition: 'enterprise' });
      expect(asked.outgoing).toEqual([]);
      expect(asked.audit).toEqual([
        {
          action: 'editionChangeAwaitingPayment',
          fromState: 'Active',
          toState: 'Active',
          detail: { from: 'pro', to: 'enterprise', expiresAt: '2030-01-01T00:01:00.000Z' },
        },
      ]);
      const { token } = saga.current.pendingEdition!;
      expect(asked.schedule).toEqual([
        {
          type: 'WorkflowTimeoutElapsed',
          payload: { workflow: 'onboarding', workflowId: saga.tenantId, token },
          dueAt: '2030-01-01T00:01:00.000Z',
          id: token,
        },
      ]);
      expect(saga.current.edition).toBe('pro');

      const paid = saga.accept('PaymentSettled', {});
      expect(paid.outgoing).toEqual([
        { type: 'EditionChanged', payload: { from: 'pro', to: 'enterprise' } },
      ]);
      expect(paid.cancel).toEqual([token]);
      expect(paid.audit[0]).toMatchObject({
        action: 'editionChanged',
        detail: { from: 'pro', to: 'enterprise', paid: true },
      });
      expect(saga.current).toMatchObject({ edition: 'enterprise', pendingEdition: null });
    });

    it('expires unpaid after the onboarding timeout, and the tenant keeps its edition', () => {
      const saga = activeTenant();
      saga.accept('ChangeEdition', { edition: 'enterprise' });
      const { token } = saga.current.pendingEdition!;
      const expired = saga.accept('WorkflowTimeoutElapsed', {
        workflow: 'onboarding',
        workflowId: saga.tenantId,
        token,
      });
      expect(expired.audit).toMatchObject([
        { action: 'editionChangeExpired', detail: { edition: 'enterprise' } },
      ]);
      expect(expired.outgoing).toEqual([]);
      expect(saga.current).toMatchObject({ state: 'Active', edition: 'pro', pendingEdition: null });
      // A payment after that is only noted: nothing changes edition.
      expect(saga.accept('PaymentSettled', {}).outgoing).toEqual([]);
      expect(saga.current.edition).toBe('pro');
    });

    it('is replaced by a newer change, and withdrawn by a change back', () => {
      const saga = activeTenant();
      saga.accept('ChangeEdition', { edition: 'enterprise' });
      const { token } = saga.current.pendingEdition!;
      const back = saga.accept('ChangeEdition', { edition: 'pro' });
      expect(back.cancel).toEqual([token]);
      expect(back.audit).toMatchObject([{ action: 'editionChangeWithdrawn' }]);
      expect(saga.current.pendingEdition).toBeNull();
      saga.accept('ChangeEdition', { edition: 'enterprise' });
      const free = saga.accept('ChangeEdition', { edition: 'free' });
      expect(free.outgoing).toEqual([
        { type: 'EditionChanged', payload: { from: 'pro', to: 'free' } },
      ]);
      expect(saga.current).toMatchObject({ edition: 'free', pendingEdition: null });
    });

    it('reinstates a tenant suspended for an unpaid trial, with the reason on its timeline', () => {
      const saga = activeTenant();
      const reason = 'the trial of pro ended without a settled payment';
      const suspended = saga.accept('PaymentPastDue', { reason });
      expect(suspended.audit[0]).toMatchObject({
        action: 'suspend',
        detail: { cause: 'PaymentPastDue', reason },
      });
      expect(suspended.outgoing).toEqual([{ type: 'TenantSuspended', payload: { reason } }]);
      saga.accept('PaymentSettled', {});
      expect(saga.current.state).toBe('Active');
    });
  });

  it('refuses messages for a tenant it does not know, and ignores other workflows', () => {
    const saga = driver();
    expect(saga.send('SuspendTenant')).toEqual({
      rejected: `tenant ${saga.tenantId} has no onboarding`,
    });
    expect(commandAllowed(undefined, 'SuspendTenant')).toBe(false);
    saga.accept('TenantRegistered', registration);
    expectNoEffects(saga.send('StepFailed', failed('dataExport', saga.correlationId, 'alpha')));
    expectNoEffects(saga.send('StepCompensated', { ...compensated('x', 'alpha'), workflow: 'x' }));
    expect(saga.send('SomethingElse')).toEqual({
      rejected: '`SomethingElse` is not a message of the onboarding saga',
    });
  });
});

describe(`this product's onboarding (${onboarding.workflow.steps.length} steps)`, () => {
  const { workflow } = onboarding;
  const orders = completionOrders(workflow);

  it.each(orders.map((order) => [order.map((s) => s.id).join(' → '), order] as const))(
    'activates once, whatever the order steps complete in: %s',
    (_name, order) => {
      const saga = driver(onboarding);
      saga.accept('TenantRegistered', registration);
      const sent: string[] = [];
      for (const step of order) sent.push(...types(saga.accept(eventOf(step), {})));
      expect(sent).toEqual(['TenantProvisioned']);
      expect(saga.current.state).toBe('Active');
      expect(Object.values(saga.current.steps).every((status) => status === 'Succeeded')).toBe(
        true,
      );
    },
  );

  it.each(workflow.steps.map((s) => [s.id] as const))(
    'when `%s` fails, undoes what completed before it, latest first, one at a time',
    (failing) => {
      const saga = driver(onboarding);
      saga.accept('TenantRegistered', registration);
      const order = someOrder(workflow);
      const before = order.slice(
        0,
        order.findIndex((s) => s.id === failing),
      );
      for (const step of before) saga.accept(eventOf(step), {});
      const failure = saga.accept('StepFailed', failed('onboarding', saga.tenantId, failing));
      expect(saga.current.state).toBe('ProvisioningFailed');
      const expected = [...before]
        .reverse()
        .filter((s) => s.compensate)
        .map((s) => s.compensate);
      const undone: (string | null)[] = types(failure).filter(
        (t) => t !== 'TenantProvisioningFailed',
      );
      expect(types(failure)[0]).toBe('TenantProvisioningFailed');
      expect(undone.length).toBeLessThanOrEqual(1);
      for (const compensation of saga.current.compensation) {
        const next = saga.accept('StepCompensated', compensated(saga.tenantId, compensation.step));
        undone.push(...types(next));
      }
      expect(undone).toEqual(expected);
      expect(saga.current.state).toBe('ProvisioningFailed');
    },
  );

  it('times out, and a retry then provisions the tenant', () => {
    const saga = driver(onboarding);
    saga.accept('TenantRegistered', registration);
    saga.advance(workflow.timeoutMs);
    const token = saga.current.timeout?.token ?? '';
    const fired = saga.accept('WorkflowTimeoutElapsed', {
      workflow: 'onboarding',
      workflowId: saga.tenantId,
      token,
    });
    expect(types(fired)).toEqual(['TenantProvisioningTimedOut']);
    const retried = saga.accept('RetryProvisioning');
    const first = workflow.steps.filter((s) => s.on === workflow.trigger).map((s) => s.id);
    expect(retried.outgoing.map((m) => m.step)).toEqual(first);
    for (const step of someOrder(workflow)) saga.accept(eventOf(step), {});
    expect(saga.current.state).toBe('Active');
  });

  it.each(onboarding.lifecycle.suspendOn.map((event) => [event] as const))(
    'is suspended by `%s`',
    (event) => {
      const saga = driver(onboarding);
      saga.accept('TenantRegistered', registration);
      for (const step of someOrder(workflow)) saga.accept(eventOf(step), {});
      expect(types(saga.accept(event, {}))).toEqual(['TenantSuspended']);
    },
  );
});
