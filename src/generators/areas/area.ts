import type { Renderer, TemplateSet } from '../templates.js';
import type { VirtualTree } from '../tree.js';
import type { ProductView } from '../view-model.js';

/** What each output area receives. Areas are pure: they only write into the virtual tree. */
export interface AreaContext {
  readonly view: ProductView;
  readonly render: Renderer['render'];
  readonly templates: TemplateSet;
  readonly tree: VirtualTree;
}

export type Area = (ctx: AreaContext) => void;
