/** The commented starter blueprint that `init` writes and `new` starts from without `--blueprint`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { checkBlueprint } from '../blueprint/check.js';
import { packageRoot } from './files.js';

export interface StarterOptions {
  /** The product's npm name (kebab-case). */
  readonly name: string;
  /** The modeline's schema reference, as it resolves from where the file is written. */
  readonly schemaPath: string;
  /** The file's name, for the commands its header suggests. */
  readonly fileName: string;
  /** Written into a new product (by `new`), rather than on its own (by `init`). */
  readonly inProduct?: boolean;
}

export function starterBlueprint(options: StarterOptions): string {
  const template = readFileSync(
    join(packageRoot, 'src/templates/starter/blueprint.yaml.hbs'),
    'utf8',
  );
  const text = Handlebars.compile(template, { noEscape: true, strict: true })({
    ...options,
    inProduct: options.inProduct ?? false,
    title: options.name
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' '),
  });
  // The starter is a promise: never hand out one that does not validate.
  const checked = checkBlueprint(options.fileName, text);
  if (!checked.model) {
    throw new Error(
      `the starter blueprint does not validate: ${checked.diagnostics.map((d) => d.message).join('; ')}`,
    );
  }
  return text;
}

export const productNamePattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A product name made from a folder's name: `Team Notes` → `team-notes`. */
export function productNameOf(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  return name || 'my-product';
}
