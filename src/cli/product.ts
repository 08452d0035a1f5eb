/** What `new`, `generate` and `check` share: blueprint → formatted virtual tree → plan. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkBlueprint } from '../blueprint/check.js';
import { formatTree } from '../generators/format.js';
import { generateProduct } from '../generators/index.js';
import type { TemplateSet, VirtualFile } from '../generators/index.js';
import { hashContent, manifestPath, parseManifest } from '../sync/manifest.js';
import type { Manifest } from '../sync/manifest.js';
import { Exit, ExitCode, UserError } from './errors.js';
import { packageRoot, readPackageVersion, readTextFile } from './files.js';
import { formatText } from './format-diagnostics.js';
import type { Output } from './output.js';
import { readDisk } from './writer.js';

export const blueprintFile = 'blueprint.yaml';

export interface RenderedProduct {
  readonly files: readonly VirtualFile[];
  readonly blueprintHash: string;
  readonly generatorVersion: string;
}

/** Checks the blueprint text and renders the product; prints the diagnostics and exits 1 if invalid. */
export async function renderProduct(
  path: string,
  text: string,
  output: Output,
): Promise<RenderedProduct> {
  const checked = checkBlueprint(path, text);
  if (checked.diagnostics.length > 0) output.err(`${formatText(checked, output)}\n`);
  if (!checked.model) {
    output.err(`${path} is invalid: nothing was written.\n`);
    throw new Exit(ExitCode.failure);
  }
  const generatorVersion = readPackageVersion();
  const tree = generateProduct(checked.model, { templates: loadTemplates(), generatorVersion });
  await formatTree(tree);
  // The blueprint is the user's: `new` copies it in, and no run ever writes it again.
  tree.write(blueprintFile, text, 'user');
  return { files: tree.files(), blueprintHash: hashContent(text), generatorVersion };
}

let templates: TemplateSet | undefined;

export function loadTemplates(): TemplateSet {
  if (templates) return templates;
  const root = join(packageRoot, 'src', 'templates', 'product');
  const found = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.set(relative(root, path).split('\\').join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  templates = found;
  return found;
}

export function readBlueprintOf(dir: string): { path: string; text: string } {
  const path = join(dir, blueprintFile);
  return { path, text: readTextFile(path, 'blueprint') };
}

export function readManifest(dir: string): Manifest | undefined {
  const text = readDisk(dir, [manifestPath]).get(manifestPath) ?? null;
  if (text === null) return undefined;
  const manifest = parseManifest(text);
  if (!manifest) {
    throw new UserError(
      `${join(dir, manifestPath)} is not a saas-gen manifest; restore it from version control, or delete it and run \`saas-gen generate --force\``,
    );
  }
  return manifest;
}
