/**
 * Stage 5: model → virtual file tree. Pure: templates come in as data, nothing is read or written.
 */
import type { Model } from '../blueprint/model.js';
import type { Area } from './areas/area.js';
import { catalogArea } from './areas/catalog.js';
import { contractsArea } from './areas/contracts.js';
import { diagramsArea } from './areas/diagrams.js';
import { projectArea } from './areas/project.js';
import { sagaArea } from './areas/saga.js';
import { servicesArea } from './areas/services.js';
import { staticArea } from './areas/static.js';
import { stampHeader } from './header.js';
import { createRenderer } from './templates.js';
import type { TemplateSet } from './templates.js';
import { VirtualTree } from './tree.js';
import { buildView } from './view-model.js';

export { VirtualTree } from './tree.js';
export type { Ownership, VirtualFile } from './tree.js';
export type { TemplateSet } from './templates.js';

const areas: readonly Area[] = [
  staticArea,
  projectArea,
  catalogArea,
  contractsArea,
  sagaArea,
  diagramsArea,
  servicesArea,
];

export interface GenerateOptions {
  readonly templates: TemplateSet;
  readonly generatorVersion: string;
}

export function generateProduct(model: Model, options: GenerateOptions): VirtualTree {
  const view = buildView(model, options.generatorVersion);
  const { render } = createRenderer(options.templates);
  const tree = new VirtualTree();
  for (const area of areas) area({ view, render, templates: options.templates, tree });
  for (const file of tree.files()) {
    if (file.owner === 'generated') tree.replace(file.path, stampHeader(file.path, file.content));
  }
  return tree;
}
