/**
 * Renders Handlebars templates from view-models. Templates stay dumb: the view-model gives them
 * names already cased and lists already sorted. A render error names the template and the
 * blueprint element it was rendering.
 */
import Handlebars from 'handlebars';
import { literal } from './literal.js';

/** Template sources keyed by their path under `src/templates/product/` (loaded by the CLI). */
export type TemplateSet = ReadonlyMap<string, string>;

export interface Renderer {
  // A function property, not a method: areas receive it on its own.
  readonly render: (template: string, view: object, element: string) => string;
}

export function createRenderer(templates: TemplateSet): Renderer {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value));
  handlebars.registerHelper('literal', (value: unknown) => literal(value));
  for (const [path, source] of templates) {
    const partial = /^partials\/(.+)\.hbs$/.exec(path);
    if (partial) handlebars.registerPartial(partial[1]!, source);
  }
  const compiled = new Map<string, Handlebars.TemplateDelegate>();

  return {
    render(template, view, element) {
      let delegate = compiled.get(template);
      if (!delegate) {
        const source = templates.get(template);
        if (source === undefined) throw new Error(`template \`${template}\` does not exist`);
        delegate = handlebars.compile(source, { noEscape: true, strict: true });
        compiled.set(template, delegate);
      }
      try {
        return delegate(view);
      } catch (error) {
        throw new Error(
          `rendering template \`${template}\` for ${element} failed: ${(error as Error).message}`,
        );
      }
    },
  };
}
