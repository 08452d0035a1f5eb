import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pinnedSchemaPath } from '../../generators/areas/project.js';
import { UserError } from '../errors.js';
import { schemaFile } from '../files.js';
import type { Output } from '../output.js';
import { productNameOf, productNamePattern, starterBlueprint } from '../starter.js';

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
  const name = options.name ?? productNameOf(basename(dirname(target)));
  if (!productNamePattern.test(name)) {
    throw new UserError(
      `\`${name}\` is not a valid product name: use kebab-case, e.g. \`acme-analytics\``,
    );
  }
  const text = starterBlueprint({
    name,
    schemaPath: schemaReference(dirname(target)),
    fileName: basename(target),
  });
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  output.out(
    `Wrote ${file}. Next: saas-gen validate ${file}, then saas-gen new <dir> --blueprint ${file}\n`,
  );
}

/**
 * The schema as the editor finds it from `dir`: the saas-gen installed there if there is one (as
 * in a product), else this saas-gen's own, by a relative path.
 */
function schemaReference(dir: string): string {
  if (existsSync(join(dir, pinnedSchemaPath))) return pinnedSchemaPath;
  const path = relative(dir, schemaFile).split('\\').join('/');
  return path.startsWith('.') || path.startsWith('/') ? path : `./${path}`;
}
