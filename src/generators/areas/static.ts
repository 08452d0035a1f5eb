/**
 * The product's fixed code (the runtime, the envelope, …): every template that is not a
 * Handlebars template is vendored, copied as it is to the same path (its header says from where).
 * Such files are kept formatted in this repository, so the format stage skips them.
 */
import { templatesRoot } from '../header.js';
import type { AreaContext } from './area.js';

export function staticArea({ templates, tree }: AreaContext): void {
  for (const [path, content] of templates) {
    if (path.endsWith('.hbs')) continue;
    tree.write(path, content, 'generated', {
      preformatted: true,
      source: { path: `${templatesRoot}/${path}`, copied: true },
    });
  }
}
