/**
 * The saga's data: the blueprint's workflows and lifecycle policy, and the state machines the
 * saga enforces, rendered from the canonical tables in src/blueprint/state-machines.ts (the same
 * tables the diagrams are drawn from).
 */
import { tenantMachine, workflowMachine } from '../../blueprint/state-machines.js';
import type { AreaContext } from './area.js';

export function sagaArea({ view, render, tree }: AreaContext): void {
  const names = (events: readonly { readonly name: string }[]) => events.map((e) => e.name);
  const lifecycle = {
    suspendOn: names(view.model.lifecycle.suspendOn),
    reinstateOn: names(view.model.lifecycle.reinstateOn),
  };
  tree.write(
    'src/saga/definitions.ts',
    render('src/saga/definitions.ts.hbs', { ...view, lifecycle }, 'the workflows'),
  );
  // The machines are saas-gen's, whatever the blueprint says: their headers name the tables.
  const source = { path: 'src/blueprint/state-machines.ts', copied: false };
  tree.write(
    'src/saga/tenant-machine.ts',
    render(
      'src/saga/tenant-machine.ts.hbs',
      { machine: tenantMachine },
      'the tenant state machine',
    ),
    'generated',
    { source },
  );
  tree.write(
    'src/saga/workflow-machine.ts',
    render(
      'src/saga/workflow-machine.ts.hbs',
      { machine: workflowMachine },
      'the workflow state machine',
    ),
    'generated',
    { source },
  );
}
