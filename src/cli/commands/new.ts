import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { execa } from 'execa';
import { manifestPath, serializeManifest } from '../../sync/manifest.js';
import { planChanges } from '../../sync/plan.js';
import { UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import { paint } from '../output.js';
import type { Output } from '../output.js';
import { renderProduct } from '../product.js';
import { applyChanges, readDisk } from '../writer.js';
import { printPlan, reportConflicts } from './generate.js';

export interface NewOptions {
  readonly blueprint: string;
  readonly skipInstall?: boolean;
  readonly dryRun?: boolean;
  readonly force?: boolean;
}

/** `saas-gen new <dir> --blueprint <file>`: a new product, its blueprint copied in, installed. */
export async function newCommand(dir: string, options: NewOptions, output: Output): Promise<void> {
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0 && !options.force) {
    throw new UserError(
      `${dir} is not empty; choose a new directory, or pass --force to add the product to it (existing files are never overwritten)`,
    );
  }
  const text = readTextFile(options.blueprint, 'blueprint');
  const product = await renderProduct(options.blueprint, text, output);
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
  reportConflicts(plan, output);
  if (options.dryRun) {
    printPlan(plan, output);
    output.out('Dry run: nothing was written.\n');
    return;
  }
  applyChanges(root, plan.changes, {
    path: manifestPath,
    content: serializeManifest(plan.manifest),
  });
  output.out(`Created ${files.length} files in ${dir}.\n`);

  if (!options.skipInstall) await install(root, output);
  output.out(
    `\nNext:\n  cd ${dir}\n${options.skipInstall ? '  npm install\n' : ''}  npm test\n  npm start\n`,
  );
}

async function install(root: string, output: Output): Promise<void> {
  output.err(`${paint(output, 'dim', '…')} installing dependencies (npm install)\n`);
  const started = Date.now();
  const result = await execa('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: root,
    reject: false,
    all: true,
    env: { npm_config_update_notifier: 'false' },
  });
  if (result.exitCode !== 0) {
    const tail = (result.all ?? '').split('\n').slice(-15).join('\n');
    throw new UserError(
      `npm install failed in ${root} (exit ${result.exitCode}):\n${tail}\nThe product was written; run \`npm install\` there once the problem is fixed.`,
    );
  }
  output.err(
    `${paint(output, 'bold', '✓')} dependencies installed in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
  );
}
