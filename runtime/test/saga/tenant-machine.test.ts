/**
 * The tenant state machine: exactly the lifecycle below, every other move refused, and the
 * onboarding saga moving tenants by this table and no other.
 */
import { describe, expect, it } from 'vitest';
import type { OnboardingState } from '../../src/saga/onboarding.js';
import { commandAllowed, tenantCommands } from '../../src/saga/tenant-commands.js';
import type { TenantCommand } from '../../src/saga/tenant-commands.js';
import { tenantMachine } from '../../src/saga/tenant-machine.js';
import type { TenantState } from '../../src/saga/tenant-machine.js';
import { accepted, Driver } from './harness.js';
import { driver, failed, moves, registration } from './onboarding-fixtures.js';

/** Drives a made-up tenant into each state of the machine. */
function tenantIn(state: TenantState): Driver<OnboardingState> {
  const saga = driver();
  const finish = () => {
    for (const event of ['AlphaDone', 'BetaDone', 'GammaDone', 'DeltaDone']) saga.accept(event);
  };
  saga.accept('TenantRegistered', registration);
  switch (state) {
    case 'Registered':
      // Left within the message that entered it; only a hand-made state is ever in it.
      saga.state = { ...saga.current, state: 'Registered' };
      break;
    case 'Provisioning':
      break;
    case 'Active':
      finish();
      break;
    case 'ProvisioningFailed':
      saga.accept('StepFailed', failed('onboarding', saga.tenantId, 'alpha'));
      break;
    case 'Suspended':
      finish();
      saga.accept('SuspendTenant');
      break;
    case 'Decommissioned':
      finish();
      saga.accept('DecommissionTenant');
      break;
  }
  expect(saga.current.state).toBe(state);
  return saga;
}

describe('the tenant state machine', () => {
  const states = tenantMachine.states;
  const allowed = new Set(tenantMachine.transitions.map((t) => `${t.from} → ${t.to}`));

  it('is the tenant lifecycle, row for row', () => {
    expect([...allowed].sort()).toEqual(
      [
        'Registered → Provisioning',
        'Provisioning → Provisioning',
        'Provisioning → Active',
        'Provisioning → ProvisioningFailed',
        'ProvisioningFailed → Provisioning',
        'ProvisioningFailed → Decommissioned',
        'Active → Suspended',
        'Suspended → Active',
        'Active → Decommissioned',
        'Suspended → Decommissioned',
      ].sort(),
    );
    expect(tenantMachine.initial.to).toBe('Registered');
  });

  const forbidden = states.flatMap((from) =>
    states.filter((to) => !allowed.has(`${from} → ${to}`)).map((to) => [from, to] as const),
  );
  it.each(forbidden)('refuses %s → %s', (from, to) => {
    expect(tenantMachine.canMove(from, to)).toBe(false);
  });

  // Every message that asks for a move, in every state: refused exactly when the table has no
  // such move, and then nothing changes.
  const askers = [
    ['SuspendTenant', 'suspend'],
    ['ReinstateTenant', 'reinstate'],
    ['DecommissionTenant', 'decommission'],
    ['RetryProvisioning', 'retry'],
    ['PaymentPastDue', 'suspend'],
    ['PaymentSettled', 'reinstate'],
  ] as const;
  const notedIn: readonly string[] = ['Provisioning', 'Active'];
  const cases = states.flatMap((state) => askers.map(([type, on]) => [state, type, on] as const));
  it.each(cases)('in %s, %s is decided by the table', (state, type, on) => {
    const saga = tenantIn(state);
    const before = saga.current;
    const target = tenantMachine.next(state, on);
    const decision = saga.send(type);
    if (target === undefined && type === 'PaymentSettled' && notedIn.includes(state)) {
      // A payment of a tenant being provisioned or Active moves nothing: it is only noted.
      expect(accepted(decision).audit).toEqual([
        { action: 'paymentSettled', fromState: state, toState: state, detail: {} },
      ]);
      expect(saga.current.state).toBe(state);
    } else if (target === undefined) {
      expect(decision).toHaveProperty('rejected');
      expect(saga.current).toBe(before);
      if (type in tenantCommands) expect(commandAllowed(before, type as TenantCommand)).toBe(false);
    } else {
      if (type in tenantCommands) expect(commandAllowed(before, type as TenantCommand)).toBe(true);
      expect(accepted(decision).audit[0]).toMatchObject({
        action: on,
        fromState: state,
        toState: target,
      });
      expect(saga.current.state).toBe(target);
    }
  });

  it('makes every move of the table, and no other, across the scenarios', () => {
    const made = new Set<string>();
    const scenario = (messages: (saga: Driver<OnboardingState>) => [string, unknown?][]) => {
      const saga = driver();
      const send = (type: string, payload: unknown = {}) => {
        const decision = saga.send(type, payload);
        if (!('rejected' in decision)) for (const move of moves(decision.audit)) made.add(move);
      };
      send('TenantRegistered', registration);
      // Built lazily: later payloads depend on the state the earlier messages left.
      for (const make of messages(saga)) send(...make);
      return saga;
    };
    const provision: [string][] = [['AlphaDone'], ['BetaDone'], ['GammaDone'], ['DeltaDone']];
    scenario(() => [...provision, ['SuspendTenant'], ['ReinstateTenant'], ['DecommissionTenant']]);
    scenario(() => [...provision, ['SuspendTenant'], ['DecommissionTenant']]);
    const failing = scenario((saga) => [
      ['StepFailed', failed('onboarding', saga.tenantId, 'alpha')],
      ['RetryProvisioning'],
    ]);
    const token = failing.current.timeout?.token ?? '';
    const timeout = { workflow: 'onboarding', workflowId: failing.tenantId, token };
    for (const [type, payload] of [
      ['WorkflowTimeoutElapsed', timeout],
      ['DecommissionTenant', {}],
    ] as const) {
      const decision = failing.send(type, payload);
      if (!('rejected' in decision)) for (const move of moves(decision.audit)) made.add(move);
    }
    const table = [
      `[*] -${tenantMachine.initial.on}-> ${tenantMachine.initial.to}`,
      ...tenantMachine.transitions.map((t) => `${t.from} -${t.on}-> ${t.to}`),
    ];
    expect([...made].sort()).toEqual([...new Set(table)].sort());
  });
});
