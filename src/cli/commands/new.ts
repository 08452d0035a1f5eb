import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { oldestSupportedNode, pinnedSchemaPath } from '../../generators/areas/project.js';
import { withModeline } from '../../generators/modeline.js';
import { manifestPath, serializeManifest } from '../../sync/manifest.js';
import { planChanges } from '../../sync/plan.js';
import { Interrupted, UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import { installDependencies } from '../install.js';
import { watchInterrupts } from '../interrupt.js';
import type { InterruptWatch } from '../interrupt.js';
import { paint } from '../output.js';
import type { Output } from '../output.js';
import { blueprintFile, renderProduct } from '../product.js';
import { fileEntries, printPlan, reportConflicts, reporting } from '../report.js';
import { productNameOf, productNamePattern, starterBlueprint } from '../starter.js';
import { applyChanges, readDisk } from '../writer.js';

export interface NewOptions {
  /** Without one, the product starts from the commented starter blueprint. */
  readonly blueprint?: string;
  readonly skipInstall?: boolean;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** `saas-gen new <dir> [--blueprint <file>]`: a new product, its blueprint copied in, installed. */
export async function newCommand(dir: string, options: NewOptions, output: Output): Promise<void> {
  const interrupts = watchInterrupts();
  try {
    await create(dir, options, output, interrupts);
  } finally {
    interrupts.close();
  }
}

async function create(
  dir: string,
  options: NewOptions,
  output: Output,
  interrupts: InterruptWatch,
): Promise<void> {
  await reporting('new', options.json, output, async (output, document) => {
    const root = resolve(dir);
    const before = existsSync(root) ? readdirSync(root) : undefined;
    if (before && before.length > 0 && !options.force) {
      throw new UserError(
        `${dir} is not empty; choose a new directory, or pass --force to add the product to it (existing files are never overwritten)`,
      );
    }
    const text = options.blueprint
      ? readTextFile(options.blueprint, 'blueprint')
      : starter(root, output);
    // In the product, the modeline points at the pinned saas-gen's schema, wherever the product is.
    const modeline = withModeline(text, pinnedSchemaPath);
    const product = await renderProduct(
      options.blueprint ?? join(dir, blueprintFile),
      text,
      output,
      {
        productBlueprint: modeline.text,
        document,
      },
    );
    document.generatorVersion = product.generatorVersion;
    document.blueprint = {
      source: options.blueprint ?? null,
      modeline: modeline.change,
      ...(modeline.was !== undefined ? { was: modeline.was } : {}),
    };
    const { files } = product;
    const plan = planChanges({
      files,
      previous: undefined,
      // With --force the directory may hold files already: the plan must see what they contain.
      disk: readDisk(
        root,
        files.map((file) => file.path),
      ),
      generatorVersion: product.generatorVersion,
      blueprintHash: product.blueprintHash,
      force: false,
    });
    document.dryRun = options.dryRun ?? false;
    document.files = fileEntries(plan);
    reportConflicts(plan, output, document);
    if (options.dryRun) {
      printPlan(plan, output);
      output.out('Dry run: nothing was written.\n');
      return;
    }
    if (interrupts.signal)
      throw new Interrupted(interrupts.signal, `nothing was written to ${dir}.`);
    applyChanges(root, plan.changes, {
      path: manifestPath,
      content: serializeManifest(plan.manifest),
    });
    if (interrupts.signal) {
      // Writing is one synchronous step: a signal during it is seen here, with every file written.
      removeCreated(root, before, [...plan.changes.map((change) => change.path), manifestPath]);
      throw new Interrupted(interrupts.signal, `the files it had written to ${dir} are removed.`);
    }
    output.out(
      `Created ${plan.changes.length} files in ${dir} (saas-gen ${product.generatorVersion}).\n`,
    );
    if (modeline.change === 'rewritten') {
      output.out(
        `${blueprintFile}: its modeline pointed at \`${modeline.was}\`; it now points at the schema of the pinned saas-gen (${pinnedSchemaPath}), which resolves from the product.\n`,
      );
    } else if (modeline.change === 'added') {
      output.out(
        `${blueprintFile}: added a modeline so that editors find its schema (${pinnedSchemaPath}).\n`,
      );
    }

    if (!options.skipInstall) {
      const major = Number(process.versions.node.split('.')[0]);
      if (major < oldestSupportedNode)
        output.err(
          `${paint(output, 'yellow', 'note:')} Node.js ${process.version} is past its end of life; the product supports Node ${oldestSupportedNode} and newer (its image runs 24), so npm warns of each package that needs one.\n`,
        );
      document.install = {
        seconds: Math.round((await installDependencies(root, output, interrupts)) * 10) / 10,
      };
    }
    output.out(nextSteps(dir, options.skipInstall ?? false, output));
  });
}

/**
 * Takes back what `new` wrote: the directory, when it made it; everything in it, when it was
 * empty; otherwise (`--force`) the files it wrote and the directories they alone filled.
 */
function removeCreated(root: string, before: readonly string[] | undefined, paths: string[]): void {
  if (!before) {
    rmSync(root, { recursive: true, force: true });
    return;
  }
  const kept = new Set(before);
  for (const entry of readdirSync(root)) {
    if (before.length === 0 || !kept.has(entry))
      rmSync(join(root, entry), { recursive: true, force: true });
  }
  if (before.length === 0) return;
  for (const path of paths) {
    rmSync(join(root, path), { force: true });
    for (let parent = dirname(path); parent !== '.'; parent = dirname(parent)) {
      const full = join(root, parent);
      if (!existsSync(full) || readdirSync(full).length > 0) break;
      rmdirSync(full);
    }
  }
}

/** The starter blueprint, named after the product's folder; says that it is used. */
function starter(root: string, output: Output): string {
  const name = productNameOf(basename(root));
  if (!productNamePattern.test(name)) throw new Error(`\`${name}\` is not a product name`);
  output.out(
    `No --blueprint given: starting from the commented starter blueprint (product \`${name}\`). ` +
      `Edit ${blueprintFile} in the product, then run \`npx saas-gen generate\`.\n`,
  );
  return starterBlueprint({
    name,
    schemaPath: pinnedSchemaPath,
    fileName: blueprintFile,
    inProduct: true,
  });
}

function nextSteps(dir: string, skipInstall: boolean, output: Output): string {
  const steps: [string, string][] = [
    [`cd ${dir}`, 'the product'],
    ...(skipInstall ? [['npm install', 'its dependencies'] as [string, string]] : []),
    ['npm start', 'the API on http://localhost:3000 (PORT to change it)'],
    ['npm test', 'its own tests'],
  ];
  const width = Math.max(...steps.map(([command]) => command.length)) + 2;
  return (
    `\n${paint(output, 'bold', 'Next:')}\n` +
    steps
      .map(([command, note]) => `  ${command.padEnd(width)}${paint(output, 'dim', `# ${note}`)}\n`)
      .join('') +
    `The operators' token for development is written to ${join(dir, 'data/secrets/admin-token')} on the\n` +
    'first start (set ADMIN_TOKEN to choose your own); the API is described at /openapi.json, and\n' +
    'docs/reference.md says what each file is and who owns it.\n'
  );
}
