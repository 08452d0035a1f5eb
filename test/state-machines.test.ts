/**
 * The state machines the runtime enforces are the generator's tables: the diagrams a product's
 * docs draw (src/blueprint/state-machines.ts) and the moves its saga allows
 * (@saas-gen/runtime's tenant and workflow machines) must be the same, move for move.
 */
import { describe, expect, it } from 'vitest';
import { tenantMachine, workflowMachine } from '../src/blueprint/state-machines.js';
import * as tenant from '../runtime/src/saga/tenant-machine.js';
import * as workflow from '../runtime/src/saga/workflow-machine.js';

const table = (machine: {
  readonly states: readonly string[];
  readonly initial: object;
  readonly transitions: readonly object[];
}) => ({ states: machine.states, initial: machine.initial, transitions: machine.transitions });

describe('the runtime’s state machines', () => {
  it('are the tenant table the diagrams are drawn from', () => {
    expect(table(tenant.tenantMachine)).toEqual(table(tenantMachine));
  });

  it('are the workflow table the diagrams are drawn from', () => {
    expect(table(workflow.workflowMachine)).toEqual(table(workflowMachine));
  });
});
