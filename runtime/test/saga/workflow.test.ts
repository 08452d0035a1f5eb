/**
 * Domain workflow runs, decided without a runtime: a made-up workflow whose shape the assertions
 * spell out, then each of this product's domain workflows in terms that hold for any blueprint.
 */
import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../src/saga/definition.js';
import { workflows } from '../../src/saga/definitions.js';
import type { AuditNote } from '../../src/saga/effects.js';
import { decideWorkflow } from '../../src/saga/workflow.js';
import type { WorkflowRunState } from '../../src/saga/workflow.js';
import { workflowMachine } from '../../src/saga/workflow-machine.js';
import {
  completionOrders,
  Driver,
  eventOf,
  expectNoEffects,
  someOrder,
  start,
  step,
  types,
} from './harness.js';

/** fetch, then pack (cannot be undone) ∥ sign, then ship. */
const synthetic: WorkflowDefinition = {
  id: 'export',
  kind: 'domain',
  trigger: 'RequestExport',
  timeoutMs: 30_000,
  steps: [
    step('export', 'fetch', 'RequestExport', 'Fetched', 'DropFetch'),
    step('export', 'pack', 'Fetched', 'Packed', null),
    step('export', 'sign', 'Fetched', 'Signed', 'Unsign'),
    step('export', 'ship', 'Packed', 'Shipped', 'Unship'),
  ],
  reactions: [],
};

const driver = (definition: WorkflowDefinition = synthetic) =>
  new Driver<WorkflowRunState>((state, message, now) =>
    decideWorkflow(definition, state, message, now),
  );

const moves = (audit: readonly AuditNote[]) =>
  audit
    .filter((note) => note.action !== 'stepRecorded' && note.action !== 'rejected')
    .map((note) => `${note.fromState ?? '[*]'} -${note.action}-> ${note.toState}`);

const internal = (run: Driver<WorkflowRunState>, workflow = 'export') => ({
  failed: (stepId: string) => ({
    workflow,
    workflowId: run.correlationId,
    stepId,
    errorType: 'StepFailure',
    reason: 'disk full',
  }),
  compensated: (stepId: string) => ({ workflow, workflowId: run.correlationId, stepId }),
  timeout: (token: string) => ({ workflow, workflowId: run.correlationId, token }),
});

describe('a domain workflow run (a made-up workflow)', () => {
  it('runs, keyed by the correlation id of its command, and completes', () => {
    const run = driver();
    const started = run.accept('RequestExport', { format: 'csv' });
    const token = `export:${run.correlationId}:1`;
    expect(moves(started.audit)).toEqual(['[*] -start-> Running']);
    expect(started.schedule).toEqual([
      {
        type: 'WorkflowTimeoutElapsed',
        payload: { workflow: 'export', workflowId: run.correlationId, token },
        dueAt: new Date(start.getTime() + 30_000).toISOString(),
        id: token,
      },
    ]);
    expect(run.current).toMatchObject({
      workflowId: run.correlationId,
      workflow: 'export',
      tenantId: run.tenantId,
      state: 'Running',
    });
    for (const event of ['Fetched', 'Signed', 'Packed'])
      expect(types(run.accept(event))).toEqual([]);
    const done = run.accept('Shipped');
    expect(done.outgoing).toEqual([
      { type: 'WorkflowCompleted', payload: { workflow: 'export', workflowId: run.correlationId } },
    ]);
    expect(done.cancel).toEqual([token]);
    expect(moves(done.audit)).toEqual([
      'Running -stepSucceeded-> Running',
      'Running -allStepsSucceeded-> Completed',
    ]);
    expectNoEffects(run.send('Shipped'));
    expectNoEffects(run.send('RequestExport', { format: 'csv' }));
  });

  it('compensates in reverse order of completion, one at a time, then fails', () => {
    const run = driver();
    const { failed, compensated } = internal(run);
    run.accept('RequestExport');
    run.accept('Fetched');
    run.accept('Packed');
    run.accept('Signed');
    const failure = run.accept('StepFailed', failed('ship'));
    expect(run.current.state).toBe('Compensating');
    expect(moves(failure.audit)).toEqual(['Running -stepFailed-> Compensating']);
    expect(failure.outgoing).toEqual([
      { type: 'Unsign', payload: { reason: 'step `ship` failed: disk full' } },
    ]);
    expect(failure.cancel).toEqual([`export:${run.correlationId}:1`]);
    expectNoEffects(run.send('StepCompensated', compensated('fetch')));
    const first = run.accept('StepCompensated', compensated('sign'));
    expect(types(first)).toEqual(['DropFetch']);
    expect(moves(first.audit)).toEqual(['Compensating -stepCompensated-> Compensating']);
    const last = run.accept('StepCompensated', compensated('fetch'));
    expect(last.outgoing).toEqual([
      {
        type: 'WorkflowFailed',
        payload: {
          workflow: 'export',
          workflowId: run.correlationId,
          reason: 'step `ship` failed: disk full',
        },
      },
    ]);
    expect(moves(last.audit)).toEqual([
      'Compensating -stepCompensated-> Compensating',
      'Compensating -allCompensated-> Failed',
    ]);
    expect(run.current.steps).toEqual({
      fetch: 'Compensated',
      pack: 'Succeeded',
      sign: 'Compensated',
      ship: 'Failed',
    });
  });

  it('fails at once when nothing it did can be undone', () => {
    const run = driver();
    run.accept('RequestExport');
    const failure = run.accept('StepFailed', internal(run).failed('fetch'));
    expect(types(failure)).toEqual(['WorkflowFailed']);
    expect(moves(failure.audit)).toEqual([
      'Running -stepFailed-> Compensating',
      'Compensating -allCompensated-> Failed',
    ]);
  });

  it('times out on the current token only, and undoes a late success after failing', () => {
    const run = driver();
    const { timeout, compensated } = internal(run);
    run.accept('RequestExport');
    expectNoEffects(run.send('WorkflowTimeoutElapsed', timeout('export:stale:1')));
    run.advance(30_000);
    const token = run.current.timeout?.token ?? '';
    const fired = run.accept('WorkflowTimeoutElapsed', timeout(token));
    expect(moves(fired.audit)).toEqual([
      'Running -timeout-> Compensating',
      'Compensating -allCompensated-> Failed',
    ]);
    expect(fired.outgoing).toEqual([
      {
        type: 'WorkflowFailed',
        payload: {
          workflow: 'export',
          workflowId: run.correlationId,
          reason: 'timed out after 30000 ms waiting for fetch, pack, sign, ship',
        },
      },
    ]);
    expectNoEffects(run.send('WorkflowTimeoutElapsed', timeout(token)));

    const late = run.accept('Fetched');
    expect(run.current.state).toBe('Failed');
    expect(types(late)).toEqual(['DropFetch']);
    expect(late.audit).toEqual([
      {
        action: 'stepRecorded',
        fromState: 'Failed',
        toState: 'Failed',
        detail: { step: 'fetch', status: 'Succeeded', late: true },
      },
    ]);
    const undone = run.accept('StepCompensated', compensated('fetch'));
    expect(moves(undone.audit)).toEqual([]);
    expect(run.current.steps['fetch']).toBe('Compensated');
  });

  it('ignores other workflows and refuses messages of no run', () => {
    const run = driver();
    expect(run.send('Fetched')).toEqual({
      rejected: 'no run of workflow `export` for this message',
    });
    run.accept('RequestExport');
    expectNoEffects(run.send('StepFailed', internal(run, 'other').failed('fetch')));
    expect(run.send('Unrelated')).toHaveProperty('rejected');
  });
});

describe('the workflow state machine', () => {
  const states = workflowMachine.states;
  const allowed = new Set(workflowMachine.transitions.map((t) => `${t.from} → ${t.to}`));
  const forbidden = states.flatMap((from) =>
    states.filter((to) => !allowed.has(`${from} → ${to}`)).map((to) => [from, to] as const),
  );
  it.each(forbidden)('refuses %s → %s', (from, to) => {
    expect(workflowMachine.canMove(from, to)).toBe(false);
  });

  it('has one target per state and trigger', () => {
    const keys = workflowMachine.transitions.map((t) => `${t.from}/${t.on}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

const domain = Object.values(workflows as Record<string, WorkflowDefinition>).filter(
  (workflow) => workflow.kind === 'domain',
);

// A product without domain workflows has no tests for them (rather than skipped ones).
if (domain.length > 0) {
  describe("this product's domain workflows", () => {
    const runs = domain.flatMap((workflow) =>
      completionOrders(workflow, 10).map(
        (order) => [workflow.id, order.map((s) => s.id).join(' → '), workflow, order] as const,
      ),
    );
    it.each(runs)('%s completes once in the order %s', (_id, _order, workflow, order) => {
      const run = driver(workflow);
      run.accept(workflow.trigger, {});
      const sent = order.flatMap((s) => types(run.accept(eventOf(s), {})));
      expect(sent).toEqual(['WorkflowCompleted']);
      expect(run.current.state).toBe('Completed');
    });

    const failures = domain.flatMap((workflow) =>
      workflow.steps.map((s) => [workflow.id, s.id, workflow] as const),
    );
    it.each(failures)(
      '%s: when `%s` fails, undoes what completed, latest first',
      (_id, failing, workflow) => {
        const run = driver(workflow);
        const { failed, compensated } = internal(run, workflow.id);
        run.accept(workflow.trigger, {});
        const order = someOrder(workflow);
        const before = order.slice(
          0,
          order.findIndex((s) => s.id === failing),
        );
        for (const s of before) run.accept(eventOf(s), {});
        const undone = types(run.accept('StepFailed', failed(failing)));
        while (run.current.compensation[0]) {
          undone.push(
            ...types(run.accept('StepCompensated', compensated(run.current.compensation[0].step))),
          );
        }
        const expected = [...before].reverse().flatMap((s) => (s.compensate ? [s.compensate] : []));
        expect(undone).toEqual([...expected, 'WorkflowFailed']);
        expect(run.current.state).toBe('Failed');
      },
    );
  });
}
