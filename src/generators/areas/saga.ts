/** The workflow definitions: the blueprint's workflows as data the saga runtime reads. */
import type { AreaContext } from './area.js';

export function sagaArea({ view, render, tree }: AreaContext): void {
  tree.write(
    'src/saga/definitions.ts',
    render('src/saga/definitions.ts.hbs', view, 'the workflows'),
  );
}
