/** What `new`, `generate` and `check` share: blueprint → formatted virtual tree → plan. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { checkBlueprint } from '../blueprint/check.js';
import { formatTree, formatWithPrettier } from '../generators/format.js';
import type { BatchFormatter, FormatJob, FormatOptions } from '../generators/format.js';
import { renderHandlerContracts } from '../generators/handler-contracts.js';
import { addContracts, generateProduct } from '../generators/index.js';
import type { TemplateSet, VirtualFile } from '../generators/index.js';
import { hashContent, manifestPath, parseManifest } from '../sync/manifest.js';
import type { Manifest } from '../sync/manifest.js';
import { versionRelation } from '../sync/versions.js';
import type { VersionRelation } from '../sync/versions.js';
import { diskCache } from './cache.js';
import { Exit, ExitCode, UserError } from './errors.js';
import { packageRoot, readPackageVersion, readTextFile } from './files.js';
import { formatText, toJson } from './format-diagnostics.js';
import type { Output } from './output.js';
import type { JsonDocument } from './report.js';
import { readDisk } from './writer.js';

export const blueprintFile = 'blueprint.yaml';

export interface RenderedProduct {
  readonly files: readonly VirtualFile[];
  readonly blueprintHash: string;
  readonly generatorVersion: string;
  /** The key each file was formatted from (see format.ts), by path: recorded in the manifest. */
  readonly formatKeys: Readonly<Record<string, string>>;
}

export interface RenderOptions {
  /** The blueprint as the product keeps it, when it differs from `text` in comments only (its modeline). */
  readonly productBlueprint?: string;
  /** Receives the diagnostics for `--json`. */
  readonly document?: JsonDocument;
  /** The product being regenerated or checked, and its manifest: its files answer the format stage. */
  readonly product?: { readonly root: string; readonly previous: Manifest };
}

/** Checks the blueprint text and renders the product; prints the diagnostics and exits 1 if invalid. */
export async function renderProduct(
  path: string,
  text: string,
  output: Output,
  options: RenderOptions = {},
): Promise<RenderedProduct> {
  const checked = checkBlueprint(path, text);
  if (checked.diagnostics.length > 0) {
    output.err(`${formatText(checked, output)}\n`);
    if (options.document) options.document.diagnostics = toJson(checked).diagnostics;
  }
  if (!checked.model) {
    output.err(`${path} is invalid: nothing was written.\n`);
    throw new Exit(ExitCode.failure);
  }
  const generatorVersion = readPackageVersion();
  const { tree, contractJobs } = generateProduct(checked.model, {
    templates: loadTemplates(),
    generatorVersion,
  });
  addContracts(tree, renderHandlerContracts(contractJobs));
  const formatKeys = await formatTree(tree, {
    cache: diskCache(generatorVersion),
    formatterVersion: packageVersion('prettier'),
    ...(options.product ? fromProduct(options.product.root, options.product.previous) : {}),
    formatBatch: formatOnTwoThreads,
  });
  // The blueprint is the user's: `new` copies it in, and no run ever writes it again.
  const kept = options.productBlueprint ?? text;
  tree.write(blueprintFile, kept, 'user');
  return { files: tree.files(), blueprintHash: hashContent(kept), generatorVersion, formatKeys };
}

/**
 * What the product on disk answers for the format stage. A generated file whose manifest entry
 * records the key it was formatted from, and whose text still hashes to what saas-gen wrote, is
 * that key's formatted text: a `check` or `generate` of an unchanged product formats nothing,
 * and only a changed or hand-edited file goes through Prettier. A user's file the product already
 * has is not formatted at all: the plan neither judges nor writes it (unless saas-gen generated
 * it once, see plan.ts).
 */
function fromProduct(root: string, previous: Manifest): Pick<FormatOptions, 'known' | 'needed'> {
  const userFiles = new Set(previous.userFiles);
  return {
    known(path, key) {
      const written = previous.files[path];
      if (written === undefined || previous.inputs?.[path] !== key) return undefined;
      const text = readDisk(root, [path]).get(path) ?? null;
      return text !== null && hashContent(text) === written ? text : undefined;
    },
    needed: (file) =>
      file.owner !== 'user' || !userFiles.has(file.path) || previous.files[file.path] !== undefined,
  };
}

/**
 * Rough cost of formatting a text, in milliseconds per character by parser (measured on the
 * reference product); it only decides whether a second thread is worth starting.
 */
const formatCost: Readonly<Record<string, number>> = { markdown: 0.013, yaml: 0.009 };
/** Below this much work (ms) a second thread costs more (its start, its own Prettier) than it saves. */
const twoThreadsFrom = 400;

/**
 * Formats a batch with Prettier, the Markdown and YAML of a large one in a worker thread
 * (format-worker.ts) while this thread formats the rest. Markdown and YAML go there whole, as
 * each parser is slow the first time a thread uses it.
 */
const formatOnTwoThreads: BatchFormatter = async (jobs) => {
  const cost = (job: FormatJob): number => job.text.length * (formatCost[job.parser] ?? 0.007);
  const away = jobs.filter((job) => job.parser in formatCost);
  const here = jobs.filter((job) => !(job.parser in formatCost));
  const total = jobs.reduce((sum, job) => sum + cost(job), 0);
  if (total < twoThreadsFrom || away.length === 0 || here.length === 0)
    return formatWithPrettier(jobs);
  const worker = new Worker(new URL('./format-worker.js', import.meta.url));
  try {
    const there = new Promise<string[]>((resolve, reject) => {
      worker.once('message', (reply: { formatted?: string[]; error?: string }) =>
        reply.formatted ? resolve(reply.formatted) : reject(new Error(reply.error)),
      );
      worker.once('error', reject);
      worker.postMessage(away);
    });
    const [formattedHere, formattedThere] = await Promise.all([formatWithPrettier(here), there]);
    const byPath = new Map<string, string>();
    here.forEach((job, index) => byPath.set(job.path, formattedHere[index]!));
    away.forEach((job, index) => byPath.set(job.path, formattedThere[index]!));
    return jobs.map((job) => byPath.get(job.path)!);
  } finally {
    void worker.terminate();
  }
};

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

/**
 * Refuses to write over (or judge) a product that a newer saas-gen wrote; says how the running
 * saas-gen relates to the product's otherwise.
 */
export function versionGate(
  root: string,
  previous: Manifest | undefined,
  running: string,
  what: string,
  document: JsonDocument,
): VersionRelation {
  const relation = versionRelation(previous?.generatorVersion, running);
  Object.assign(document, versions(relation, running));
  if (relation.kind === 'newer') {
    throw new UserError(
      `the product in ${root} was generated by saas-gen ${relation.from}, which is newer than this saas-gen ${running}: ${what}. ` +
        "Run the product's own saas-gen (`npm install`, then `npx saas-gen …` in the product), or upgrade this one.",
    );
  }
  return relation;
}

/** The versions involved, for `--json`. */
function versions(relation: VersionRelation, running: string): Record<string, unknown> {
  return {
    generatorVersion: running,
    ...(relation.kind === 'upgrade' || relation.kind === 'newer'
      ? { previousVersion: relation.from, upgraded: relation.kind === 'upgrade' }
      : {}),
  };
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

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  return (require(`${name}/package.json`) as { version: string }).version;
}
