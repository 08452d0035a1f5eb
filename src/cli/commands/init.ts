import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import Handlebars from 'handlebars';
import { checkBlueprint } from '../../blueprint/check.js';
import { UserError } from '../errors.js';
import { packageRoot, schemaFile } from '../files.js';
import type { Output } from '../output.js';

export interface InitOptions {
  readonly name?: string;
  readonly force?: boolean;
}

/** `saas-gen init [file]`: a commented starter blueprint that validates as written. */
export function initCommand(file: string, options: InitOptions, output: Output): void {
  const target = resolve(file);
  if (existsSync(target) && !options.force) {
    throw new UserError(
      `\`${file}\` already exists; choose another file or pass --force to replace it`,
    );
  }
  const name = options.name ?? packageName(basename(dirname(target)));
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new UserError(
      `\`${name}\` is not a valid product name: use kebab-case, e.g. \`acme-analytics\``,
    );
  }
  const template = readFileSync(
    join(packageRoot, 'src/templates/starter/blueprint.yaml.hbs'),
    'utf8',
  );
  const text = Handlebars.compile(template, { noEscape: true, strict: true })({
    name,
    title: name
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' '),
    schemaPath: schemaReference(dirname(target)),
    fileName: basename(target),
  });
  // The starter is a promise: never write one that does not validate.
  const checked = checkBlueprint(file, text);
  if (!checked.model) {
    throw new Error(
      `the starter blueprint does not validate: ${checked.diagnostics.map((d) => d.message).join('; ')}`,
    );
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  output.out(`Wrote ${file}. Next: saas-gen validate ${file}\n`);
}

/** A path to the shipped schema that an editor can open from `dir`. */
function schemaReference(dir: string): string {
  const path = relative(dir, schemaFile).split('\\').join('/');
  return path.startsWith('.') || path.startsWith('/') ? path : `./${path}`;
}

function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  return name || 'my-product';
}
