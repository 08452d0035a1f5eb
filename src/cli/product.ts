/** What `new`, `generate` and `check` share: blueprint → formatted virtual tree → plan. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { checkBlueprint } from '../blueprint/check.js';
import { formatTree } from '../generators/format.js';
import { addContracts, generateProduct } from '../generators/index.js';
import type { ContractJob } from '../generators/index.js';
import type { TemplateSet, VirtualFile } from '../generators/index.js';
import { hashContent, manifestPath, parseManifest } from '../sync/manifest.js';
import type { Manifest } from '../sync/manifest.js';
import { cacheKey, diskCache } from './cache.js';
import type { TextCache } from './cache.js';
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
  const { tree, contractJobs } = generateProduct(checked.model, {
    templates: loadTemplates(),
    generatorVersion,
  });
  const cache = diskCache(generatorVersion);
  const formatting = { cache, formatterVersion: packageVersion('prettier') };
  // ts-morph is slow to load: the contracts are built in a worker thread (unless cached) while
  // this thread formats the rest.
  const contracts = buildContracts(contractJobs, cache);
  await formatTree(tree, formatting);
  await formatTree(tree, { ...formatting, paths: addContracts(tree, await contracts) });
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

/** Builds the handler contracts in a worker thread (contract-worker.ts), or takes them from the cache. */
async function buildContracts(
  jobs: readonly ContractJob[],
  cache: TextCache,
): Promise<Record<string, string>> {
  if (jobs.length === 0) return {};
  // The key names the code that builds contracts too: a changed builder misses.
  const builder = readFileSync(
    new URL('../generators/handler-contracts.js', import.meta.url),
    'utf8',
  );
  const key = cacheKey('contracts', packageVersion('ts-morph'), builder, JSON.stringify(jobs));
  const cached = cache.get(key);
  if (cached !== undefined) return JSON.parse(cached) as Record<string, string>;
  const worker = new Worker(new URL('./contract-worker.js', import.meta.url));
  try {
    const contracts = await new Promise<Record<string, string>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(jobs);
    });
    cache.set(key, JSON.stringify(contracts));
    return contracts;
  } finally {
    void worker.terminate();
  }
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  return (require(`${name}/package.json`) as { version: string }).version;
}
