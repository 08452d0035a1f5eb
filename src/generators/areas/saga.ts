/**
 * The saga's data: the blueprint's workflows and lifecycle policy. The state machines the saga
 * enforces are the runtime's (`@saas-gen/runtime`), built from the same tables as the diagrams
 * (src/blueprint/state-machines.ts; a test holds the two equal).
 */
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
  tree.write('src/product.ts', render('src/product.ts.hbs', view, 'the product'));
}
