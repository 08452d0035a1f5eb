/**
 * Stage 5: model → virtual file tree. Pure: templates come in as data, nothing is read or written.
 */
import type { Model } from '../blueprint/model.js';
import type { Area } from './areas/area.js';
import { catalogArea } from './areas/catalog.js';
import { contractsArea } from './areas/contracts.js';
import { diagramsArea } from './areas/diagrams.js';
import { observabilityArea } from './areas/observability.js';
import { projectArea } from './areas/project.js';
import { sagaArea } from './areas/saga.js';
import { contractJobs, servicesArea } from './areas/services.js';
import type { ContractJob } from './handler-contracts.js';
import { staticArea } from './areas/static.js';
import { stampHeader } from './header.js';
import { createRenderer } from './templates.js';
import type { TemplateSet } from './templates.js';
import { VirtualTree } from './tree.js';
import { buildView } from './view-model.js';

export { VirtualTree } from './tree.js';
export type { Ownership, VirtualFile } from './tree.js';
export type { TemplateSet } from './templates.js';
export type { ContractJob } from './handler-contracts.js';

const areas: readonly Area[] = [
  staticArea,
  projectArea,
  catalogArea,
  contractsArea,
  sagaArea,
  diagramsArea,
  observabilityArea,
  servicesArea,
];

export interface GenerateOptions {
  readonly templates: TemplateSet;
  readonly generatorVersion: string;
}

export interface GeneratedProduct {
  /** Every file but the handler contracts. */
  readonly tree: VirtualTree;
  /** The handler contracts still to build (handler-contracts.ts), then to add with `addContracts`. */
  readonly contractJobs: readonly ContractJob[];
}

export function generateProduct(model: Model, options: GenerateOptions): GeneratedProduct {
  const view = buildView(model, options.generatorVersion);
  const { render } = createRenderer(options.templates);
  const tree = new VirtualTree();
  for (const area of areas) area({ view, render, templates: options.templates, tree });
  for (const file of tree.files()) {
    if (file.owner !== 'generated') continue;
    const source = file.source && { ...file.source, generatorVersion: options.generatorVersion };
    tree.replace(file.path, stampHeader(file.path, file.content, source));
  }
  return { tree, contractJobs: contractJobs(view) };
}

/** Adds built handler contracts to the tree as generated files; returns their paths. */
export function addContracts(
  tree: VirtualTree,
  contracts: Readonly<Record<string, string>>,
): string[] {
  const paths = Object.keys(contracts).sort();
  for (const path of paths) tree.write(path, stampHeader(path, contracts[path]!));
  return paths;
}
