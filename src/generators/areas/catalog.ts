/** The catalogue: editions, features, limits and flags as typed data. */
import type { AreaContext } from './area.js';

export function catalogArea({ view, render, tree }: AreaContext): void {
  tree.write('src/catalog.ts', render('src/catalog.ts.hbs', view, 'the editions'));
}
