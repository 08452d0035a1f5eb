import { resolve } from 'node:path';
import { manifestPath, serializeManifest } from '../../sync/manifest.js';
import { pathsToRead, planChanges } from '../../sync/plan.js';
import type { Plan } from '../../sync/plan.js';
import { readPackageVersion } from '../files.js';
import { paint } from '../output.js';
import type { Output } from '../output.js';
import { readBlueprintOf, readManifest, renderProduct, versionGate } from '../product.js';
import { fileEntries, printPlan, reportConflicts, reporting } from '../report.js';
import { applyChanges, readDisk, recoverInterrupted } from '../writer.js';

export interface GenerateOptions {
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** `saas-gen generate [dir]`: regenerates from `<dir>/blueprint.yaml`, never losing an edit. */
export async function generateCommand(
  dir: string,
  options: GenerateOptions,
  output: Output,
): Promise<void> {
  await reporting('generate', options.json, output, async (output, document) => {
    const root = resolve(dir);
    if (!options.dryRun && recoverInterrupted(root)) {
      output.err('An earlier run was interrupted; its partial changes were rolled back.\n');
    }
    const blueprint = readBlueprintOf(root);
    const previous = readManifest(root);
    const running = readPackageVersion();
    const relation = versionGate(root, previous, running, 'nothing was written', document);
    const product = await renderProduct(blueprint.path, blueprint.text, output, { document });
    const plan = planChanges({
      files: product.files,
      previous,
      disk: readDisk(root, pathsToRead(product.files, previous)),
      generatorVersion: product.generatorVersion,
      blueprintHash: product.blueprintHash,
      force: options.force ?? false,
    });
    document.dryRun = options.dryRun ?? false;
    document.files = fileEntries(plan);
    if (options.dryRun) {
      // What a real run would do, refusals included: the same answer, with nothing written.
      printPlan(plan, output);
      reportConflicts(plan, output, document);
      output.out('Dry run: nothing was written.\n');
      return;
    }
    reportConflicts(plan, output, document);
    printPlan(plan, output);
    const manifest = serializeManifest(plan.manifest);
    const current = readDisk(root, [manifestPath]).get(manifestPath);
    if (plan.changes.length === 0 && current === manifest) {
      output.out('Up to date: nothing to change.\n');
      return;
    }
    applyChanges(root, plan.changes, { path: manifestPath, content: manifest });
    if (relation.kind === 'upgrade') {
      output.out(
        `${paint(output, 'bold', `Upgraded from ${relation.from} to ${product.generatorVersion}`)}: ${summarize(plan)}\n`,
      );
    } else output.out(`${summarize(plan)}\n`);
    if (plan.changes.some((change) => change.path === 'package.json')) {
      output.out('package.json changed: run `npm install`.\n');
    }
  });
}

function summarize(plan: Plan): string {
  const count = (kind: string) => plan.changes.filter((change) => change.kind === kind).length;
  return `${count('create')} created, ${count('update')} updated, ${count('delete')} deleted.`;
}
