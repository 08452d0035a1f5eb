/** Message contracts: the envelope, one type and one payload schema per message. */
import type { AreaContext } from './area.js';

export function contractsArea({ view, render, tree }: AreaContext): void {
  tree.write(
    'src/contracts/messages.ts',
    render('src/contracts/messages.ts.hbs', view, 'the messages'),
  );
}
