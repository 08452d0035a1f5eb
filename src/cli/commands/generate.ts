import { resolve } from 'node:path';
import { manifestPath, serializeManifest } from '../../sync/manifest.js';
import { pathsToRead, planChanges } from '../../sync/plan.js';
import type { Plan } from '../../sync/plan.js';
import { Exit, ExitCode } from '../errors.js';
import { paint } from '../output.js';
import type { Output } from '../output.js';
import { readBlueprintOf, readManifest, renderProduct } from '../product.js';
import { applyChanges, readDisk, recoverInterrupted } from '../writer.js';

export interface GenerateOptions {
  readonly dryRun?: boolean;
  readonly force?: boolean;
}

/** `saas-gen generate [dir]`: regenerates from `<dir>/blueprint.yaml`, never losing an edit. */
export async function generateCommand(
  dir: string,
  options: GenerateOptions,
  output: Output,
): Promise<void> {
  const root = resolve(dir);
  if (!options.dryRun && recoverInterrupted(root)) {
    output.err('An earlier run was interrupted; its partial changes were rolled back.\n');
  }
  const blueprint = readBlueprintOf(root);
  const product = await renderProduct(blueprint.path, blueprint.text, output);
  const previous = readManifest(root);
  const plan = planChanges({
    files: product.files,
    previous,
    disk: readDisk(root, pathsToRead(product.files, previous)),
    generatorVersion: product.generatorVersion,
    blueprintHash: product.blueprintHash,
    force: options.force ?? false,
  });
  reportConflicts(plan, output);
  printPlan(plan, output);
  if (options.dryRun) {
    output.out('Dry run: nothing was written.\n');
    return;
  }
  const manifest = serializeManifest(plan.manifest);
  const current = readDisk(root, [manifestPath]).get(manifestPath);
  if (plan.changes.length === 0 && current === manifest) {
    output.out('Up to date: nothing to change.\n');
    return;
  }
  applyChanges(root, plan.changes, { path: manifestPath, content: manifest });
  output.out(`${summarize(plan)}\n`);
}

export function reportConflicts(plan: Plan, output: Output): void {
  if (plan.conflicts.length === 0) return;
  const lines = plan.conflicts.map(({ path, reason }) =>
    reason === 'edited'
      ? `  ${path}: edited by hand since saas-gen generated it`
      : `  ${path}: exists, but saas-gen did not generate it`,
  );
  output.err(
    `${paint(output, 'red', 'error:')} refusing to overwrite ${plan.conflicts.length} file${plan.conflicts.length === 1 ? '' : 's'}:\n${lines.join('\n')}\n` +
      'Nothing was written. Move your change into a user-owned file (a domain handler or src/main.ts) or\n' +
      'into the blueprint, or pass --force to replace these files with the generated ones.\n',
  );
  throw new Exit(ExitCode.failure);
}

export function printPlan(plan: Plan, output: Output): void {
  const verb = { create: 'CREATE', update: 'UPDATE', delete: 'DELETE' } as const;
  for (const change of plan.changes)
    output.out(`${paint(output, 'bold', verb[change.kind])} ${change.path}\n`);
  for (const path of plan.orphans) {
    output.out(
      `${paint(output, 'yellow', 'KEEP')}   ${path} (no longer generated, but edited by hand: delete it yourself if unneeded)\n`,
    );
  }
  for (const path of plan.unusedUserFiles) {
    output.out(
      `${paint(output, 'yellow', 'UNUSED')} ${path} (yours; the blueprint no longer needs it: delete it if you agree)\n`,
    );
  }
}

function summarize(plan: Plan): string {
  const count = (kind: string) => plan.changes.filter((change) => change.kind === kind).length;
  return `${count('create')} created, ${count('update')} updated, ${count('delete')} deleted.`;
}
